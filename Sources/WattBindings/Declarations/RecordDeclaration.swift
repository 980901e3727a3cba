import WattCluster
import WattLanguage

/// A record type policies read: its name, doc and fields, declared over the host value
/// each record is read from (`World.Node` for `node`, `TelemetryModels.Summary` for a
/// forecast). Its schema, record values and table columns all come from the one field list.
public struct RecordDeclaration<Element>: @unchecked Sendable {
    public let name: String
    public let doc: String
    public var fields: [FieldDeclaration<Element>]
    /// A record that stands for one of its fields where a value is expected (a forecast
    /// compared with `900 kW` means its `mean`).
    public let valueField: String?

    public init(_ name: String, doc: String, valueField: String? = nil, fields: [FieldDeclaration<Element>]) {
        self.name = name; self.doc = doc; self.valueField = valueField; self.fields = fields
    }

    public func schema(in context: DeclarationContext, name: String? = nil, doc: String? = nil) -> RecordSchema {
        RecordSchema(name: name ?? self.name, fields: fields.map { $0.schema(in: context) }, doc: doc ?? self.doc,
                     valueField: valueField)
    }

    /// One value as a record of `schema` (made from this declaration).
    func record(_ element: Element, schema: RecordSchema) -> Record {
        Record(schema: schema, fields: fields.map { $0.value(of: element) })
    }
}

/// A name policies read from each tick's `World` (`site`, `jobs`): how it is registered, and
/// how the binding turns a snapshot into its value, checks its telemetry, records its
/// metrics and lets tests set its fields. `WorldRecord` and `WorldCollection` are the two kinds.
public protocol WorldNameDeclaration: Sendable {
    /// The name policies use: `site`, `nodes`.
    var name: String { get }
    /// The record type of its values: `site`, `node`.
    var recordName: String { get }
    var fieldNames: [String] { get }
    func register(into vocabulary: inout Vocabulary, context: DeclarationContext) throws
    /// Per-column state kept by a binding from one tick to the next.
    func makeColumnStates() -> [ColumnState]
    func value(of world: World, schema: RecordSchema, states: [ColumnState]) -> Value
    /// Refuses the values outside their fields' bounds (`TelemetryGuard`).
    func check(_ world: inout World, _ quality: inout DataQuality)
    /// The paths with history (`site.power`) and how each is read from a snapshot.
    var historyReaders: [HistoryReader] { get }
    /// Paths with history and their language types.
    func historyPaths(context: DeclarationContext) -> [(path: String, type: WattType)]
    /// The gauges it exports and their values in a snapshot.
    func exportedValues(of world: World) -> [(metric: ExportedMetric, path: String, value: Double?)]
    /// The fields a test's `given` may set.
    var settableFields: [SettableField] { get }
}

/// A metric with history (`site.power`): its path and how it is read from a snapshot.
public struct HistoryReader: @unchecked Sendable {
    public let path: String
    public let value: (World) -> Double?
}

/// A field a test's `given` may set: `site.power`, or a field of one element of a collection
/// by id, written `node("ID").temperature`.
public struct SettableField: @unchecked Sendable {
    /// The record type: `site`, `node`.
    public let record: String
    public let field: String
    /// Whether the element is chosen by id (`node("ID").field`).
    public let keyed: Bool
    /// The ids a keyed field can take in a snapshot.
    public let ids: (World) -> [String]
    /// Sets the field (of the element with that id) to a language value; false when there is
    /// no such element or the value does not fit.
    public let set: (inout World, String?, Value) -> Bool

    /// How a test writes it: `site.power`, `node("ID").temperature`.
    public var written: String { keyed ? "\(record)(\"ID\").\(field)" : "\(record).\(field)" }
}

/// A single record of the world: `site`, `grid`.
public struct WorldRecord<Element>: WorldNameDeclaration, @unchecked Sendable {
    public let name: String
    public let doc: String
    public var record: RecordDeclaration<Element>
    let keyPath: WritableKeyPath<World, Element>
    let property: StoredProperty<World, Element>

    public init(_ name: String, _ keyPath: WritableKeyPath<World, Element>, doc: String, record: RecordDeclaration<Element>) {
        self.name = name; self.keyPath = keyPath; self.doc = doc; self.record = record
        property = StoredProperty(keyPath)
    }

    public var recordName: String { record.name }
    public var fieldNames: [String] { record.fields.map(\.name) }

    public func register(into vocabulary: inout Vocabulary, context: DeclarationContext) throws {
        try vocabulary.register(record.schema(in: context))
        try vocabulary.register(HostName(name, .record(record.name), doc: doc))
    }

    public func makeColumnStates() -> [ColumnState] { [] }

    public func value(of world: World, schema: RecordSchema, states: [ColumnState]) -> Value {
        .record(record.record(property.read(world), schema: schema))
    }

    public func check(_ world: inout World, _ quality: inout DataQuality) {
        // A clean record (the usual case) costs a test per bounded field, no copy.
        let element = property.read(world)
        guard record.fields.contains(where: { $0.refuses(element) }) else { return }
        var one = [element]
        var refused = false
        for field in record.fields where field.check(&one, record: record.name, owner: nil, &quality) { refused = true }
        if refused { world[keyPath: keyPath] = one[0] }
    }

    func path(_ field: FieldDeclaration<Element>) -> String { "\(name).\(field.name)" }

    public var historyReaders: [HistoryReader] {
        let property = self.property
        return record.fields.filter(\.history).map { field in HistoryReader(path: path(field)) { field.number(of: property.read($0)) } }
    }

    /// The history paths' values of one element (seeding a history from a cluster's series).
    public func historyValues(of element: Element) -> [(path: String, value: Double?)] {
        record.fields.filter(\.history).map { (path($0), $0.number(of: element)) }
    }

    public func historyPaths(context: DeclarationContext) -> [(path: String, type: WattType)] {
        record.fields.filter(\.history).map { (path($0), $0.type(in: context)) }
    }

    public func exportedValues(of world: World) -> [(metric: ExportedMetric, path: String, value: Double?)] {
        let element = property.read(world)
        return record.fields.compactMap { f in f.exported.map { ($0, path(f), f.number(of: element)) } }
    }

    public var settableFields: [SettableField] {
        record.fields.filter(\.settable).map { field in
            let keyPath = self.keyPath
            return SettableField(record: name, field: field.name, keyed: false, ids: { _ in [] }) { world, _, value in
                field.set(&world[keyPath: keyPath], to: value)
            }
        }
    }
}

/// A collection of the world, handed to programs as a table: `pools`, `nodes`, `jobs`.
public struct WorldCollection<Element>: WorldNameDeclaration, @unchecked Sendable {
    public let name: String
    public let doc: String
    public var record: RecordDeclaration<Element>
    let keyPath: WritableKeyPath<World, [Element]>
    let property: StoredProperty<World, [Element]>
    /// How an element is named in examples and by `given` (`node("a-001")`).
    let id: KeyPath<Element, String>
    /// The elements policies see (jobs: those not done); nil: every element.
    let includes: ElementFilter<Element>?
    /// The static cost estimate's expected count.
    let sizeHint: @Sendable (DeclarationContext) -> Int

    public init(_ name: String, _ keyPath: WritableKeyPath<World, [Element]>, doc: String, id: KeyPath<Element, String>,
                includes: ElementFilter<Element>? = nil, sizeHint: @escaping @Sendable (DeclarationContext) -> Int,
                record: RecordDeclaration<Element>) {
        self.name = name; self.keyPath = keyPath; self.doc = doc; self.id = id; self.includes = includes
        self.sizeHint = sizeHint; self.record = record
        property = StoredProperty(keyPath)
    }

    public var recordName: String { record.name }
    public var fieldNames: [String] { record.fields.map(\.name) }

    public func register(into vocabulary: inout Vocabulary, context: DeclarationContext) throws {
        try vocabulary.register(record.schema(in: context))
        try vocabulary.register(HostName(name, .list(.record(record.name)), doc: doc, sizeHint: sizeHint(context)))
    }

    public func makeColumnStates() -> [ColumnState] { record.fields.map { _ in ColumnState() } }

    public func value(of world: World, schema: RecordSchema, states: [ColumnState]) -> Value {
        let elements = property.read(world)
        let rows: RowSelection
        if let includes {
            rows = .rows(includes.indices(elements))
        } else {
            rows = .all
        }
        let columns = zip(record.fields, states).map { field, state in field.column(elements, rows, state) }
        // One column per field of the schema made from the same declaration, each as long
        // as the selection: `Table` cannot refuse it.
        return .rows(Rows(try! Table(schema: schema, count: rows.count(of: elements), columns: columns)))
    }

    public func check(_ world: inout World, _ quality: inout DataQuality) {
        guard record.fields.contains(where: { $0.bounds != nil }) else { return }
        let id = self.id
        var elements = property.read(world)
        var refused = false
        for field in record.fields where field.check(&elements, record: record.name, owner: { $0[keyPath: id] }, &quality) {
            refused = true
        }
        // Copy on write: a clean snapshot (the usual case) keeps its arrays.
        if refused { world[keyPath: keyPath] = elements }
    }

    public var historyReaders: [HistoryReader] { [] }
    public func historyPaths(context: DeclarationContext) -> [(path: String, type: WattType)] { [] }
    public func exportedValues(of world: World) -> [(metric: ExportedMetric, path: String, value: Double?)] { [] }

    public var settableFields: [SettableField] {
        let keyPath = self.keyPath, id = self.id
        return record.fields.filter(\.settable).map { field in
            SettableField(record: record.name, field: field.name, keyed: true, ids: { $0[keyPath: keyPath].map { $0[keyPath: id] } }) { world, wanted, value in
                guard let i = world[keyPath: keyPath].firstIndex(where: { $0[keyPath: id] == wanted }) else { return false }
                return field.set(&world[keyPath: keyPath][i], to: value)
            }
        }
    }
}

/// Which elements of a collection policies see, by one stored property read in place
/// (copying each element, as `filter` does, cost more than building the columns).
public struct ElementFilter<Element>: @unchecked Sendable {
    let indices: ([Element]) -> [Int]

    /// The elements whose enumeration case passes `test`.
    public static func `where`<Case: CaseIterable & Equatable>(_ keyPath: WritableKeyPath<Element, Case>,
                                                              _ test: @escaping (Case) -> Bool) -> Self {
        let property = StoredProperty(keyPath)
        let all = Array(Case.allCases)
        // A case without payload is one byte, its tag: a table of the test's answers per tag.
        let table = CaseTags.table(all, missing: false) { test(all[$0]) }
        return Self { elements in
            if let table, let rows = property.raw(elements, { $0.selected(table) }) { return rows }
            return elements.indices.filter { test(elements[$0][keyPath: keyPath]) }
        }
    }
}
