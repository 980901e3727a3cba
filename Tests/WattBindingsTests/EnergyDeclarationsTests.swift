import Foundation
import Testing
import WattTestSupport
@testable import WattBindings
import WattCluster
import WattEnergy
import WattLanguage

/// The declarations are the vocabulary: every schema field has its column, every bound is
/// enforced, every settable field sets what policies read, and a field added to a list
/// appears in the schema, the columns and `watt vocab`'s reference.
@Suite struct EnergyDeclarationsTests {
    static let small = RepositoryRoot.url.appendingPathComponent("examples/clusters/small.yaml").path

    /// A few ticks of the small cluster, so there are running jobs, nodes of several states.
    func world() throws -> (Simulator, World) {
        let simulator = try Simulator(clusterFile: Self.small)
        for _ in 0..<24 { simulator.step() }
        return (simulator, simulator.snapshot())
    }

    func evaluate(_ expression: String, _ binding: EnergyBinding, _ world: World) -> String {
        switch ExpressionEvaluator.evaluate(SourceFile(name: "e", text: expression), vocabulary: binding.vocabulary,
                                            inputs: binding.inputs(for: world, recording: false), now: world.now) {
        case .success(let r): return r.formatted
        case .failure(.diagnostics(let d)): return "error: \(DiagnosticRenderer.text(d))"
        case .failure(.evaluation(let d)): return "error: \(d.message)"
        }
    }

    @Test func namesFieldsAndVerbsAreUnique() {
        let d = EnergyDeclarations.standard
        #expect(Set(d.names.map(\.name)).count == d.names.count)
        #expect(Set(d.names.map(\.recordName)).count == d.names.count)
        for name in d.names { #expect(Set(name.fieldNames).count == name.fieldNames.count, "\(name.recordName)") }
        #expect(Set(d.verbs.map(\.name)).count == d.verbs.count)
        #expect(Set(d.verbs.flatMap(\.forms).map(\.code)).count == d.verbs.flatMap(\.forms).count)
    }

    /// Each name's value is a record or a table of its declared schema, one column per field,
    /// each holding values of the field's type (a number column under a string field would
    /// make filters compare codes with numbers).
    @Test func everySchemaFieldHasAColumnOfItsType() throws {
        let (simulator, world) = try world()
        let binding = EnergyBinding(world: world, catalog: simulator.cluster.catalog, tick: simulator.tick)
        let inputs = binding.inputs(for: world, recording: false)
        for name in binding.declarations.names {
            let schema = try #require(binding.vocabulary.schemas[name.recordName])
            #expect(schema.fields.map(\.name) == name.fieldNames)
            let value = inputs.values[try #require(binding.vocabulary.names[name.name]).slot]
            var records: [Record] = []
            switch value {
            case .record(let r): records = [r]
            case .rows(let rows):
                #expect(rows.table.columns.count == schema.fields.count)
                records = (0..<rows.count).map { rows.table.record(at: rows.row($0)) }
            default: Issue.record("`\(name.name)` is neither a record nor a table")
            }
            #expect(!records.isEmpty, "`\(name.name)` is empty in the test world")
            for record in records {
                for (field, value) in zip(schema.fields, record.fields) {
                    #expect(Self.fits(value, field.type), "\(name.recordName).\(field.name): \(value) is not \(field.type)")
                }
            }
        }
    }

    static func fits(_ value: Value, _ type: WattType) -> Bool {
        switch (value, type) {
        case (.missing, .optional): return true
        case (_, .optional(let inner)): return fits(value, inner)
        case (.number, .quantity), (.instant, .instant), (.bool, .bool), (.string, .string): return true
        case (.list(let items), .list(let element)): return items.allSatisfy { fits($0, element) }
        default: return false
        }
    }

    /// A value outside a field's bounds, in every bounded field at once: the guard refuses
    /// exactly the bounded fields (under `record.field`), and policies see them missing.
    @Test func everyDeclaredBoundIsEnforced() throws {
        let (_, clean) = try world()
        var world = clean
        var expected: Set<String> = []
        func spoil<E>(_ record: RecordDeclaration<E>, _ element: inout E) {
            for field in record.fields where field.bounds != nil {
                switch field.access {
                case .number(let p), .instant(let p): element[keyPath: p.keyPath] = -.infinity
                case .optionalNumber(let p), .optionalInstant(let p): element[keyPath: p.keyPath] = -.infinity
                default: Issue.record("\(record.name).\(field.name) has bounds but is not a number or an instant")
                }
                expected.insert("\(record.name).\(field.name)")
            }
        }
        let d = EnergyDeclarations.standard
        spoil(d.site.record, &world.site)
        spoil(d.grid.record, &world.grid)
        spoil(d.pools.record, &world.pools[0])
        spoil(d.nodes.record, &world.nodes[0])
        spoil(d.jobs.record, &world.jobs[0])
        let (checked, quality) = TelemetryGuard.check(world)
        #expect(Set(quality.issues.map(\.field)) == expected)
        #expect(quality.issues.allSatisfy { $0.problem == "infinite" })
        // Refused: NaN where a field is never nil (missing to policies), nil where it may be.
        #expect(checked.site.itPower.isNaN && checked.site.outdoorTemperature == nil && checked.nodes[0].power == nil)
        #expect(TelemetryGuard.check(clean).quality.isClean)
        #expect(TelemetryGuard.check(clean).world == clean)
    }

    func value(_ expression: String, _ binding: EnergyBinding, _ world: World) -> Value? {
        if case .success(let r) = ExpressionEvaluator.evaluate(SourceFile(name: "e", text: expression), vocabulary: binding.vocabulary,
                                                               inputs: binding.inputs(for: world, recording: false), now: world.now) {
            return r.value
        }
        return nil
    }

    /// Each field a test may set is read back by policies with the value set.
    @Test func everySettableFieldSetsWhatPoliciesRead() throws {
        let (simulator, clean) = try world()
        let binding = EnergyBinding(world: clean, catalog: simulator.cluster.catalog, tick: simulator.tick)
        let settable = binding.declarations.settableFields
        #expect(settable.map(\.written).contains("site.power"))
        #expect(settable.map(\.written).contains("node(\"ID\").temperature"))
        for field in settable {
            var world = clean
            let id = field.keyed ? field.ids(world).first : nil
            let collection = binding.declarations.names.first { $0.recordName == field.record }
            let read = field.keyed ? "(\(collection?.name ?? "?") where id == \"\(id ?? "")\").\(field.field)" : "\(field.record).\(field.field)"
            let schema = try #require(field.keyed ? binding.vocabulary.schemas[field.record]
                                      : binding.vocabulary.schema(of: binding.vocabulary.names[field.record]?.type ?? .number))
            let type = schema.fields[try #require(schema.fieldIndex(field.field))].type.unwrapped
            // 1 is inside every numeric field's bounds (a PUE, a utilization, a power).
            let wanted: Value = type == .string ? .string("draining") : type == .instant ? .instant(1_590_969_600) : .number(1)
            #expect(field.set(&world, id, wanted), "\(field.written)")
            #expect(value(read, binding, world) == (field.keyed ? .list([wanted]) : wanted), "\(field.written) read as `\(read)`")
        }
    }

    @Test func historyAndExportedFieldsAreQuantitiesOfSingleRecords() {
        let d = EnergyDeclarations.standard
        let context = EnergyVocabulary.Inventory(pools: [], nodeProfiles: [], deviceProfiles: [], currency: "EUR").context
        let paths = d.historyPaths(context: context)
        #expect(paths.map(\.path) == ["site.power", "site.facility_power", "site.pue", "site.outdoor_temperature",
                                      "grid.carbon_intensity", "grid.price"])
        #expect(paths.allSatisfy { $0.type.dimension != nil })
        for name in [d.pools.record.fields.map { ($0.history, $0.exported) }, d.nodes.record.fields.map { ($0.history, $0.exported) },
                     d.jobs.record.fields.map { ($0.history, $0.exported) }] {
            #expect(name.allSatisfy { !$0.0 && $0.1 == nil }, "collections have no history or gauges")
        }
    }

    /// One line added to a field list: the schema, the column, the guard, and the reference.
    @Test func aFieldAddedInOnePlaceAppearsEverywhere() throws {
        let (simulator, world) = try world()
        var declarations = EnergyDeclarations.standard
        declarations.nodes.record.fields.append(.count("cpus", \.cpus, doc: "CPU cores"))
        // A flag turns an existing field into a metric with history and forecasts.
        if let cap = declarations.site.record.fields.firstIndex(where: { $0.name == "power_cap" }) {
            declarations.site.record.fields[cap].history = true
        }
        let binding = EnergyBinding(world: world, catalog: simulator.cluster.catalog, tick: simulator.tick, declarations: declarations)
        #expect(binding.vocabulary.schemas["node"]?.fieldIndex("cpus") != nil)
        #expect(evaluate("sum(nodes, cpus)", binding, world) == "\(world.nodes.reduce(0) { $0 + $1.cpus })")
        #expect(evaluate("count(nodes where cpus > 0)", binding, world) == "\(world.nodes.filter { $0.cpus > 0 }.count)")
        let reference = VocabularyReference.markdown(binding.vocabulary)
        #expect(reference.contains("| `cpus` | number |  | CPU cores |"))
        // The new metric is recorded each tick and forecast.
        binding.record(world)
        var later = world
        later.now += simulator.tick
        _ = binding.inputs(for: later)
        #expect(evaluate("forecast(site.power_cap, 1 h).mean == site.power_cap", binding, later) == "true")
        #expect(EnergyBinding(world: world, tick: 300).vocabulary.schemas["node"]?.fieldIndex("cpus") == nil)
    }
}
