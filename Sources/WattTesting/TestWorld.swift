import WattBindings
import WattCluster
import WattLanguage

/// What a test sets: a field of the world, read by the policies from now on, one value per
/// step of a series (the last one holds). The fields a test can set are the declared ones
/// (`settable` in WorldFields.swift).
struct WorldOverride {
    var field: SettableField
    /// The element's id for a field of a collection (`node("a-001").temperature`).
    var id: String?
    var from: Double
    var every: Double
    var values: [Value]

    /// The paths a test can set, for messages.
    static func supported(_ declarations: EnergyDeclarations) -> String {
        declarations.settableFields.map(\.written).joined(separator: ", ") + " and forecast(PATH, HORIZON)"
    }

    /// The field a target expression names (`site.power`, `node("ID").power`) and the id, or nil.
    static func field(_ target: Expr, _ declarations: EnergyDeclarations) -> (field: SettableField, id: String?)? {
        guard case .member(let base, let name) = target.kind else { return nil }
        switch base.kind {
        case .name(let record):
            return declarations.settableFields.first { !$0.keyed && $0.record == record && $0.field == name.name }.map { ($0, nil) }
        case .call(let f, let args) where args.count == 1:
            guard case .string(let id) = args[0].kind else { return nil }
            return declarations.settableFields.first { $0.keyed && $0.record == f.name && $0.field == name.name }.map { ($0, id) }
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
        _ = field.set(&world, id, value(at: world.now))
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
