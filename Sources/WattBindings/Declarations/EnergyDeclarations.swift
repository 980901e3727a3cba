import WattCluster
import WattEnergy
import WattLanguage

/// The field lists of the energy vocabulary (WorldFields.swift, ResultRecords.swift).
public enum EnergyFields {}

/// Everything the energy vocabulary declares: the world's names and their fields, the records
/// functions return, and the verbs. `EnergyVocabulary.make` registers them, `EnergyBinding`
/// binds each tick's `World` through them, and the telemetry guard, the metrics exporter,
/// the journal and `watt test` read them; `standard` is the vocabulary every command uses.
public struct EnergyDeclarations: Sendable {
    public var site: WorldRecord<World.Site>
    public var grid: WorldRecord<World.Grid>
    public var pools: WorldCollection<World.Pool>
    public var nodes: WorldCollection<World.Node>
    public var jobs: WorldCollection<World.Job>
    public var forecast: RecordDeclaration<TelemetryModels.Summary>
    public var history: RecordDeclaration<HistoryAggregates>
    public var profile: RecordDeclaration<HardwareProfileFacts>
    public var carbonPlan: RecordDeclaration<JobTiming.Plan>
    public var verbs: [VerbDeclaration]

    public static let standard = EnergyDeclarations(
        site: EnergyFields.site, grid: EnergyFields.grid, pools: EnergyFields.pools, nodes: EnergyFields.nodes,
        jobs: EnergyFields.jobs, forecast: EnergyFields.forecast, history: EnergyFields.history, profile: EnergyFields.profile,
        carbonPlan: EnergyFields.carbonPlan, verbs: EnergyVerbs.all)

    /// The world's names, in the order they are registered (and their input slots).
    public var names: [any WorldNameDeclaration] { [site, grid, pools, nodes, jobs] }

    /// The per-tick work of each name, made for its concrete element type (in the order of
    /// `names`): called through `names`, the generic code ran unspecialized, one allocation
    /// per column and per field read.
    var tickPaths: [TickPath] { [TickPath(site), TickPath(grid), TickPath(pools), TickPath(nodes), TickPath(jobs)] }

    /// Every path with history (`site.power`, `grid.carbon_intensity`) and its type.
    public func historyPaths(context: DeclarationContext) -> [(path: String, type: WattType)] {
        names.flatMap { $0.historyPaths(context: context) }
    }

    /// The fields a test's `given` may set.
    public var settableFields: [SettableField] { names.flatMap(\.settableFields) }

    /// The exported gauges and their values in a snapshot, in declaration order.
    public func exportedValues(of world: World) -> [(metric: ExportedMetric, path: String, value: Double?)] {
        names.flatMap { $0.exportedValues(of: world) }
    }

    public func verb(named name: String) -> VerbDeclaration? { verbs.first { $0.name == name } }

    /// The verb whose cluster actions include this one.
    public func verb(of kind: ClusterAction.Kind) -> VerbDeclaration? { verbs.first { $0.makes(kind) } }

    /// How the journal stores an action: its code and parameters.
    public func journalEncoding(of kind: ClusterAction.Kind) -> (code: String, fields: JournalFields)? {
        for verb in verbs {
            for form in verb.forms { if let fields = form.encode(kind) { return (form.code, fields) } }
        }
        return nil
    }

    /// The action a journal code and its parameters stand for; nil for an unknown code.
    public func journalDecoding(code: String, fields: JournalFields) -> ClusterAction.Kind? {
        for verb in verbs { if let form = verb.forms.first(where: { $0.code == code }) { return form.decode(fields) } }
        return nil
    }
}

/// What a binding does with one world name each tick: build its value, check its telemetry.
struct TickPath {
    let value: (World, RecordSchema, [ColumnState]) -> Value
    let check: (inout World, inout DataQuality) -> Void

    init<Name: WorldNameDeclaration>(_ name: Name) {
        value = { name.value(of: $0, schema: $1, states: $2) }
        check = { name.check(&$0, &$1) }
    }
}
