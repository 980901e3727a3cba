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
    public let declarations: EnergyDeclarations
    /// The carbon plans `carbon_plan(job)` and `shift` read (their settings: `plans.timing`).
    public let plans: CarbonPlans
    /// What Watt set on nodes and jobs, by which rule and pack (`cap_rule`, `capped_since`, ...).
    public let ownership = ActionOwnership()
    /// Each world name's declaration, its schema and input slot, and what its columns keep
    /// from one tick to the next (string dictionaries, lists), so a tick costs lookups, not
    /// a rebuild.
    private let bound: [(path: TickPath, schema: RecordSchema, slot: Int, states: [ColumnState])]
    private let tickPaths: [TickPath]
    private let verbs: [String: VerbDeclaration]
    /// The metrics recorded each tick, with their paths made once.
    private let history: [HistoryReader]

    /// `forecast`: settings per telemetry path that replace the defaults (a cluster file's
    /// `forecast` section).
    public init(world: World, catalog: HardwareCatalog = .builtIn, tick: Double, forecast: [String: ForecastSettings] = [:],
                declarations: EnergyDeclarations = .standard) {
        inventory = EnergyVocabulary.Inventory(world: world, catalog: catalog)
        models = TelemetryModels(step: tick)
        for (metric, settings) in forecast { models.configure(metric, settings) }
        self.declarations = declarations
        plans = CarbonPlans(models: models)
        vocabulary = EnergyVocabulary.make(inventory: inventory, models: models, catalog: catalog, declarations: declarations,
                                           plans: plans)
        let vocabulary = self.vocabulary
        tickPaths = declarations.tickPaths
        bound = zip(declarations.names, tickPaths).map { name, path in
            (path, vocabulary.schemas[name.recordName]!, vocabulary.names[name.name]!.slot, name.makeColumnStates())
        }
        verbs = Dictionary(declarations.verbs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        history = declarations.names.flatMap(\.historyReaders)
    }

    /// What the latest `record` or `inputs(for:)` refused in its snapshot, and why
    /// (`TelemetryGuard`); the control loop journals it with the tick.
    public private(set) var dataQuality = DataQuality(time: 0)
    /// Values and samples refused since the binding was made, over every snapshot.
    public private(set) var rejectedTotal = 0

    /// Records the snapshot's metrics into the telemetry history (after `TelemetryGuard`:
    /// rejected values are recorded as gaps).
    public func record(_ world: World) {
        let (clean, quality) = TelemetryGuard.check(world, tickPaths)
        record(checked: clean, quality)
    }

    /// A tick of a journaled run replayed after a restart: recorded as the run recorded it,
    /// with what the scheduler applied, so the state the binding keeps between ticks (the
    /// carbon plans' load profile and holds) is what the uninterrupted run had.
    public func replay(_ world: World, applied results: [ActionResult]) {
        let (clean, quality) = TelemetryGuard.check(world, tickPaths)
        record(checked: clean, quality)
        plans.begin(clean)
        plans.applied(results)
        ownership.begin(clean)
        ownership.applied(results)
    }

    /// What the scheduler applied this tick (after `inputs(for:)`).
    public func applied(_ results: [ActionResult]) {
        plans.applied(results)
        ownership.applied(results)
    }

    private func record(checked world: World, _ quality: DataQuality) {
        var quality = quality
        let t = world.now
        let previous = models.now
        let hadHistory = !models.store.metrics.isEmpty
        let outcomes = history.map { models.record($0.path, $0.value(world), at: t) }
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

    /// Records a grid's metrics at an earlier instant (a history seeded from the cluster's
    /// grid series before the run starts, so forecasts have a past).
    public func recordGrid(_ grid: World.Grid, at time: Double) {
        for (path, value) in declarations.grid.historyValues(of: grid) { models.record(path, value, at: time) }
    }

    /// The language's inputs for a snapshot (and records its telemetry first). Done jobs are
    /// left out: `jobs` is the work that policies can still act on. Telemetry goes through
    /// `TelemetryGuard` first: a value it rejects is missing (`dataQuality` says which and why).
    /// Collections go to the program as tables: filters over them are column scans.
    public func inputs(for world: World, recording: Bool = true) -> Inputs {
        let (world, quality) = TelemetryGuard.check(world, tickPaths)
        if recording {
            record(checked: world, quality)
        } else {
            dataQuality = quality
            rejectedTotal += quality.rejected
        }
        plans.begin(world)
        ownership.begin(world)
        let owned = ownership.annotate(world)
        var inputs = Inputs(vocabulary: vocabulary)
        for name in bound { inputs.set(slot: name.slot, name.path.value(owned, name.schema, name.states)) }
        return inputs
    }

    public enum TranslationError: Error, Equatable, CustomStringConvertible {
        case unsupported(verb: String)
        /// A planning verb none of whose targets has anything to do now.
        case nothingToDo(verb: String)
        public var description: String {
            switch self {
            case .unsupported(let verb): return "the cluster has no action `\(verb)`"
            case .nothingToDo(let verb): return "`\(verb)` has nothing to do for these targets now"
            }
        }
    }

    /// The cluster action for a proposed action, tagged with its rule and explanation (a
    /// planning verb's first; `clusterActions` gives them all).
    public func clusterAction(_ proposed: ProposedAction) throws(TranslationError) -> ClusterAction {
        guard let first = try clusterActions(proposed).first else { throw .nothingToDo(verb: proposed.verb) }
        return first
    }

    /// The cluster actions for a proposed action, tagged with its rule and explanation: one,
    /// or for a planning verb (`shift`) one per kind of action its targets resolve to, in the
    /// order of their first target (none when no target has anything to do).
    public func clusterActions(_ proposed: ProposedAction) throws(TranslationError) -> [ClusterAction] {
        guard let verb = verbs[proposed.verb] else { throw .unsupported(verb: proposed.verb) }
        var arguments = VerbArguments(ids: [], message: nil, slots: proposed.slots)
        if verb.targets == .message {
            if case .string(let m)? = proposed.target { arguments.message = m }
        } else {
            arguments.ids = Self.ids(proposed.target)
        }
        let reason = proposed.explanation.map(\.rendered).joined(separator: "; ")
        guard let perTarget = verb.perTarget else {
            return [ClusterAction(verb.action(arguments), targets: arguments.ids, rule: proposed.rule, reason: reason)]
        }
        arguments.plans = plans
        var groups: [(kind: ClusterAction.Kind, ids: [String])] = []
        for id in arguments.ids {
            guard let kind = perTarget(arguments, id) else { continue }
            if let k = groups.firstIndex(where: { $0.kind == kind }) { groups[k].ids.append(id) } else { groups.append((kind, [id])) }
        }
        return groups.map { ClusterAction($0.kind, targets: $0.ids, rule: proposed.rule, reason: reason) }
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
