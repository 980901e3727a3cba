import WattCluster
import WattEnergy
import WattLanguage

/// Binds a cluster to the language: the vocabulary (from the cluster's inventory), each
/// tick's `World` as the language's inputs (recording telemetry for forecasts, so models
/// only ever see the past), and proposed actions back into cluster actions.
public final class EnergyBinding: @unchecked Sendable {
    public let vocabulary: Vocabulary
    public let models: TelemetryModels
    public let inventory: EnergyVocabulary.Inventory
    private let schemas: (site: RecordSchema, grid: RecordSchema, pool: RecordSchema, node: RecordSchema, job: RecordSchema)
    private let slots: (site: Int, grid: Int, pools: Int, nodes: Int, jobs: Int)
    /// What `inputs(for:)` keeps from one tick to the next, so a tick costs lookups, not a
    /// rebuild: the string columns' dictionaries, and each node's `jobs` list as the language
    /// value last built for it (reused while the node runs the same jobs).
    private struct Encoders {
        var pool = (name: StringColumnEncoder(), profile: StringColumnEncoder())
        var node = (id: StringColumnEncoder(), pool: StringColumnEncoder(), profile: StringColumnEncoder())
        var job = (id: StringColumnEncoder(), user: StringColumnEncoder(), pool: StringColumnEncoder(),
                   node: StringColumnEncoder())
        var nodeJobs: [(ids: [String], value: Value)] = []
    }
    private var encoders = Encoders()
    /// Node and job states are enumerations: their column codes are the cases' positions.
    private static let nodeStateOrder = NodeState.allCases
    private static let jobStateOrder = JobState.allCases
    private static let nodeStates = StringDictionary(strings: nodeStateOrder.map(\.rawValue))
    private static let jobStates = StringDictionary(strings: jobStateOrder.map(\.rawValue))
    private static func code(_ state: NodeState) -> Int32 { Int32(nodeStateOrder.firstIndex(of: state)!) }
    private static func code(_ state: JobState) -> Int32 { Int32(jobStateOrder.firstIndex(of: state)!) }

    public convenience init(world: World, catalog: HardwareCatalog = .builtIn, tick: Double) {
        self.init(world: world, catalog: catalog, tick: tick, forecast: [:])
    }

    /// `forecast`: settings per telemetry path that replace the defaults (a cluster file's
    /// `forecast` section).
    public init(world: World, catalog: HardwareCatalog = .builtIn, tick: Double, forecast: [String: ForecastSettings]) {
        inventory = EnergyVocabulary.Inventory(
            pools: world.pools.map(\.name),
            nodeProfiles: catalog.nodes.map(\.name),
            deviceProfiles: catalog.devices.map(\.name),
            currency: ["USD", "EUR", "GBP"].contains(world.grid.currency) ? world.grid.currency : "USD")
        models = TelemetryModels(step: tick)
        for (metric, settings) in forecast { models.configure(metric, settings) }
        vocabulary = EnergyVocabulary.make(inventory: inventory, models: models, catalog: catalog)
        let s = vocabulary.schemas
        schemas = (s["site"]!, s["grid"]!, s["pool"]!, s["node"]!, s["job"]!)
        let n = vocabulary.names
        slots = (n["site"]!.slot, n["grid"]!.slot, n["pools"]!.slot, n["nodes"]!.slot, n["jobs"]!.slot)
    }

    /// What the latest `record` or `inputs(for:)` refused in its snapshot, and why
    /// (`TelemetryGuard`); the control loop journals it with the tick.
    public private(set) var dataQuality = DataQuality(time: 0)
    /// Values and samples refused since the binding was made, over every snapshot.
    public private(set) var rejectedTotal = 0

    /// Records the snapshot's metrics into the telemetry history (after `TelemetryGuard`:
    /// rejected values are recorded as gaps).
    public func record(_ world: World) {
        let (clean, quality) = TelemetryGuard.check(world)
        record(checked: clean, quality)
    }

    private func record(checked world: World, _ quality: DataQuality) {
        var quality = quality
        let t = world.now
        let previous = models.now
        let hadHistory = !models.store.metrics.isEmpty
        let outcomes = [
            models.record("site.power", world.site.itPower, at: t),
            models.record("site.facility_power", world.site.facilityPower, at: t),
            models.record("site.pue", world.site.pue, at: t),
            models.record("site.outdoor_temperature", world.site.outdoorTemperature, at: t),
            models.record("grid.carbon", world.grid.carbonIntensity, at: t),
            models.record("grid.price", world.grid.price, at: t),
        ]
        // The history is append-only: a tick older than the newest one recorded (the clock
        // went backwards, or samples arrive out of order) is refused as a whole; a tick at the
        // same time replaces the values recorded then. A tick long after the previous one
        // leaves a gap, which forecasts see as such (no interpolation across it).
        let refused = outcomes.filter { if case .rejected(.outOfOrder) = $0 { return true } else { return false } }.count
        if refused > 0 {
            quality.add("clock", "went backwards", example: "tick \(TimeCalendar.format(t)) before \(TimeCalendar.format(previous))",
                        count: refused)
        } else if outcomes.contains(where: { if case .replaced = $0 { return true } else { return false } }) {
            quality.add("clock", "duplicate time, values replaced", example: TimeCalendar.format(t), rejects: false)
        } else if hadHistory, t.isFinite, t - previous > 2 * models.step + 1e-9 {
            quality.add("clock", "jumped forward", example: "\(TelemetryGuard.formatted(t - previous)) s since the previous tick, a gap in the history",
                        rejects: false)
        }
        dataQuality = quality
        rejectedTotal += quality.rejected
    }

    private static func optional(_ v: Double?) -> Value { v.map { .number($0) } ?? .missing }
    private static func instant(_ v: Double?) -> Value { v.map { .instant($0) } ?? .missing }
    /// A non-optional field rejected by `TelemetryGuard` (NaN) is missing to the language.
    private static func number(_ v: Double) -> Value { v.isNaN ? .missing : .number(v) }

    /// The language's inputs for a snapshot (and records its telemetry first). Done jobs are
    /// left out: `jobs` is the work that policies can still act on. Telemetry goes through
    /// `TelemetryGuard` first: a value it rejects is missing (`dataQuality` says which and why).
    public func inputs(for world: World, recording: Bool = true) -> Inputs {
        let (world, quality) = TelemetryGuard.check(world)
        if recording {
            record(checked: world, quality)
        } else {
            dataQuality = quality
            rejectedTotal += quality.rejected
        }
        var inputs = Inputs(vocabulary: vocabulary)
        let site = world.site
        inputs.set(slot: slots.site, .record(Record(schema: schemas.site, fields: [
            Self.number(site.itPower), Self.number(site.facilityPower), Self.number(site.powerCap), Self.number(site.pue),
            Self.optional(site.outdoorTemperature), Self.number(site.itEnergy), Self.number(site.itEnergyToday),
        ])))
        inputs.set(slot: slots.grid, .record(Record(schema: schemas.grid, fields: [
            Self.optional(world.grid.carbonIntensity), Self.optional(world.grid.price), .string(world.grid.region),
        ])))
        // Collections go to the program as tables: filters over them are column scans.
        let pools = world.pools
        inputs.set(slot: slots.pools, .rows(Rows(Self.table(schemas.pool, pools.count, [
            encoders.pool.name.column(pools.map(\.name)), .numbers(pools.map { Double($0.nodeCount) }), .numbers(pools.map(\.power)),
            encoders.pool.profile.column(pools.map(\.nodeProfile)),
        ]))))
        let nodes = world.nodes
        inputs.set(slot: slots.nodes, .rows(Rows(Self.table(schemas.node, nodes.count, [
            encoders.node.id.column(nodes.map(\.id)), encoders.node.pool.column(nodes.map(\.pool)),
            encoders.node.profile.column(nodes.map(\.profile)),
            .string(codes: nodes.map { Self.code($0.state) }, dictionary: Self.nodeStates),
            .numbers(nodes.map(\.power)), .numbers(nodes.map(\.powerCap)),
            .numbers(nodes.map(\.utilization)), .numbers(nodes.map(\.temperature)),
            .values(nodeJobLists(nodes)),
            .numbers(nodes.map { Double($0.gpus) }), .numbers(nodes.map { Double($0.gpusFree) }),
        ]))))
        // The jobs not done, by index: copying each job (`filter`) cost more than the columns.
        let all = world.jobs
        let live = all.indices.filter { all[$0].state != .done }
        inputs.set(slot: slots.jobs, .rows(Rows(Self.table(schemas.job, live.count, [
            encoders.job.id.column(live.map { all[$0].id }), encoders.job.user.column(live.map { all[$0].user }),
            encoders.job.pool.column(live.map { all[$0].pool }), encoders.job.node.column(live.map { all[$0].node }),
            .string(codes: live.map { Self.code(all[$0].state) }, dictionary: Self.jobStates),
            .numbers(live.map { Double(all[$0].gpus) }), .numbers(live.map { Double(all[$0].cpus) }),
            .numbers(live.map { Double(all[$0].priority) }), .bools(live.map { all[$0].flexible }),
            .bools(live.map { all[$0].preemptible }),
            .instants(live.map { Optional(all[$0].submitted) }), .instants(live.map { all[$0].started }),
            .instants(live.map { all[$0].deadline }),
            .numbers(live.map { all[$0].remainingTime }), .numbers(live.map { all[$0].remainingEnergy }),
        ]))))
        return inputs
    }

    /// Each node's `jobs` as a language list, the one built at an earlier tick while the node
    /// runs the same jobs (comparing arrays that share storage, as the simulator's snapshots
    /// do for unchanged nodes, takes no look at their elements).
    private func nodeJobLists(_ nodes: [World.Node]) -> [Value] {
        if encoders.nodeJobs.count != nodes.count { encoders.nodeJobs = Array(repeating: ([], .list([])), count: nodes.count) }
        var lists: [Value] = []
        lists.reserveCapacity(nodes.count)
        for i in nodes.indices {
            let ids = nodes[i].jobs
            if encoders.nodeJobs[i].ids == ids {
                lists.append(encoders.nodeJobs[i].value)
            } else {
                let value = Value.list(ids.map { .string($0) })
                encoders.nodeJobs[i] = (ids, value)
                lists.append(value)
            }
        }
        return lists
    }

    /// The columns match the schemas registered by `EnergyVocabulary` (a mismatch is a
    /// programming error, caught by every test that binds a world).
    private static func table(_ schema: RecordSchema, _ count: Int, _ columns: [Table.Column]) -> Table {
        do { return try Table(schema: schema, count: count, columns: columns) } catch {
            preconditionFailure("binding `\(schema.name)`: \(error)")
        }
    }

    public enum TranslationError: Error, Equatable, CustomStringConvertible {
        case unsupported(verb: String)
        public var description: String {
            switch self { case .unsupported(let verb): return "the cluster has no action `\(verb)`" }
        }
    }

    /// The cluster action for a proposed action, tagged with its rule and explanation.
    public func clusterAction(_ proposed: ProposedAction) throws(TranslationError) -> ClusterAction {
        let ids = Self.ids(proposed.target)
        let reason = proposed.explanation.map(\.rendered).joined(separator: "; ")
        let rule = proposed.rule
        func number(_ key: String) -> Double? {
            if case .number(let v)? = proposed.slot(key) { return v }
            if case .instant(let v)? = proposed.slot(key) { return v }
            return nil
        }
        func string(_ key: String) -> String? {
            if case .string(let v)? = proposed.slot(key) { return v }
            return nil
        }
        switch proposed.verb {
        case "move":
            if let pool = string("to pool") { return .move(jobs: ids, toPool: pool, rule: rule, reason: reason) }
            return .move(jobs: ids, toNode: string("to node") ?? "", rule: rule, reason: reason)
        case "defer":
            if let until = number("until") { return .deferJobs(ids, until: until, rule: rule, reason: reason) }
            return .deferJobs(ids, for: number("for") ?? 0, rule: rule, reason: reason)
        case "release": return .release(jobs: ids, rule: rule, reason: reason)
        case "preempt": return .preempt(jobs: ids, rule: rule, reason: reason)
        case "cap": return .cap(nodes: ids, atWatts: number("at") ?? 0, rule: rule, reason: reason)
        case "uncap": return .uncap(nodes: ids, rule: rule, reason: reason)
        case "suspend": return .suspend(nodes: ids, rule: rule, reason: reason)
        case "wake": return .wake(nodes: ids, rule: rule, reason: reason)
        case "drain": return .drain(nodes: ids, rule: rule, reason: reason)
        case "resume": return .resume(nodes: ids, rule: rule, reason: reason)
        case "alert":
            var message = ""
            if case .string(let m)? = proposed.target { message = m }
            return .alert(message, severity: string("with severity") ?? "warning", rule: rule, reason: reason)
        default: throw .unsupported(verb: proposed.verb)
        }
    }

    /// Ids of a record or a list of records (their `id` field).
    static func ids(_ value: Value?) -> [String] {
        switch value {
        case .record(let r)?:
            if case .string(let id)? = r["id"] { return [id] }
            return []
        case .list(let items)?: return items.flatMap { ids($0) }
        case .rows(let rows)?:
            // Read the id column directly: a target of thousands of rows boxes nothing.
            guard let index = rows.table.schema.fieldIndex("id") else { return [] }
            return (0..<rows.count).compactMap {
                if case .string(let id) = rows.table.value(row: rows.row($0), field: index) { return id }
                return nil
            }
        default: return []
        }
    }
}
