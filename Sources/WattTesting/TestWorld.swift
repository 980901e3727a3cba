import WattCluster
import WattLanguage

/// What a test sets: a field of the world, read by the policies from now on, one value per
/// step of a series (the last one holds).
struct WorldOverride {
    enum Field {
        case sitePower, siteFacilityPower, sitePowerCap, sitePUE, siteOutdoorTemperature
        case gridCarbon, gridPrice
        case node(id: String, NodeField)
    }
    enum NodeField: String, CaseIterable {
        case temperature, power, utilization, power_cap, state
    }

    var field: Field
    var from: Double
    var every: Double
    var values: [Value]

    /// The paths a test can set, for messages.
    static let supported = "site.power, site.facility_power, site.power_cap, site.pue, site.outdoor_temperature, grid.carbon, grid.price, "
        + "node(\"ID\").temperature, node(\"ID\").power, node(\"ID\").utilization, node(\"ID\").power_cap, node(\"ID\").state, "
        + "and forecast(PATH, HORIZON)"

    /// The field a target expression names, or nil.
    static func field(_ target: Expr) -> Field? {
        guard case .member(let base, let name) = target.kind else { return nil }
        switch base.kind {
        case .name("site"):
            switch name.name {
            case "power": return .sitePower
            case "facility_power": return .siteFacilityPower
            case "power_cap": return .sitePowerCap
            case "pue": return .sitePUE
            case "outdoor_temperature": return .siteOutdoorTemperature
            default: return nil
            }
        case .name("grid"):
            switch name.name {
            case "carbon": return .gridCarbon
            case "price": return .gridPrice
            default: return nil
            }
        case .call(let f, let args) where f.name == "node" && args.count == 1:
            guard case .string(let id) = args[0].kind, let field = NodeField(rawValue: name.name) else { return nil }
            return .node(id: id, field)
        default:
            return nil
        }
    }

    func value(at time: Double) -> Value {
        let k = every > 0 ? Int(((time - from) / every + 1e-9).rounded(.down)) : 0
        return values[max(0, min(values.count - 1, k))]
    }

    /// Sets the field in `world` (a value of the wrong kind is ignored: checked when given).
    func apply(to world: inout World) {
        guard world.now >= from - 1e-9 else { return }
        let v = value(at: world.now)
        let number: Double? = if case .number(let n) = v { n } else { nil }
        switch field {
        case .sitePower: if let number { world.site.itPower = number }
        case .siteFacilityPower: if let number { world.site.facilityPower = number }
        case .sitePowerCap: if let number { world.site.powerCap = number }
        case .sitePUE: if let number { world.site.pue = number }
        case .siteOutdoorTemperature: world.site.outdoorTemperature = number
        case .gridCarbon: world.grid.carbonIntensity = number
        case .gridPrice: world.grid.price = number
        case .node(let id, let f):
            guard let i = world.nodes.firstIndex(where: { $0.id == id }) else { return }
            switch f {
            case .temperature: if let number { world.nodes[i].temperature = number }
            case .power: world.nodes[i].power = number
            case .utilization: if let number { world.nodes[i].utilization = number }
            case .power_cap: world.nodes[i].powerCap = number
            case .state: if case .string(let s) = v, let state = NodeState(rawValue: s) { world.nodes[i].state = state }
            }
        }
    }
}

/// The simulator as the test's scheduler, with the test's overrides on every snapshot.
final class TestScheduler: Scheduler {
    let simulator: Simulator
    var overrides: [WorldOverride] = []

    init(simulator: Simulator) { self.simulator = simulator }

    func snapshot() throws -> World {
        var world = simulator.snapshot()
        for o in overrides { o.apply(to: &world) }
        return world
    }

    func apply(_ actions: [ClusterAction]) -> [ActionResult] { simulator.apply(actions) }
}
