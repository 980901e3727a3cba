/// Runtime values. Quantities are plain `Double`s in canonical units (the dimension is
/// static), so arithmetic at run time carries no unit bookkeeping.
public enum Value: Sendable, Hashable {
    case bool(Bool)
    case number(Double)
    case string(String)
    case instant(Double)
    case list([Value])
    case record(Record)
    /// A list of records stored as a table (or some of its rows): the same value as the
    /// `.list` of those records, without boxing them.
    case rows(Rows)
    /// A value the host could not supply (a telemetry gap).
    case missing

    public var isMissing: Bool { if case .missing = self { return true } else { return false } }

    /// The elements of a list (rows as records); nil for anything else.
    public var elements: [Value]? {
        switch self {
        case .list(let items): return items
        case .rows(let rows): return rows.records
        default: return nil
        }
    }

    /// The number of elements of a list, without materialising rows.
    public var elementCount: Int? {
        switch self {
        case .list(let items): return items.count
        case .rows(let rows): return rows.count
        default: return nil
        }
    }

    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)), (.instant(let x), .instant(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)): return x == y
        case (.record(let x), .record(let y)): return x == y
        case (.rows(let x), .rows(let y)): return x == y
        case (.rows, .list), (.list, .rows): return a.elements == b.elements
        case (.missing, .missing): return true
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .bool(let b): hasher.combine(0); hasher.combine(b)
        case .number(let d): hasher.combine(1); hasher.combine(d)
        case .string(let s): hasher.combine(2); hasher.combine(s)
        case .instant(let d): hasher.combine(3); hasher.combine(d)
        // Rows equal the list of their records, so both hash as lists (by length).
        case .list(let items): hasher.combine(4); hasher.combine(items.count)
        case .rows(let rows): hasher.combine(4); hasher.combine(rows.count)
        case .record(let r): hasher.combine(5); hasher.combine(r)
        case .missing: hasher.combine(6)
        }
    }
}

/// A record value: fields in schema order, addressed by index (resolved at check time).
public final class Record: Sendable, Hashable {
    public let schema: RecordSchema
    public let fields: [Value]

    public init(schema: RecordSchema, fields: [Value]) {
        precondition(fields.count == schema.fields.count, "record `\(schema.name)` needs \(schema.fields.count) fields")
        self.schema = schema
        self.fields = fields
    }

    /// Builds a record from named values; absent fields are `missing`.
    public convenience init(schema: RecordSchema, values: [String: Value]) {
        self.init(schema: schema, fields: schema.fields.map { values[$0.name] ?? .missing })
    }

    public subscript(name: String) -> Value? {
        schema.fieldIndex(name).map { fields[$0] }
    }

    public static func == (a: Record, b: Record) -> Bool { a === b || (a.schema === b.schema && a.fields == b.fields) }
    public func hash(into hasher: inout Hasher) { hasher.combine(schema.name); hasher.combine(fields) }
}

/// Why an evaluation stopped. Typed so the hot path needs no existential boxing.
public enum EvalError: Error, Sendable, Equatable {
    /// A value was missing; carries where and what, for the rule's report.
    case missing(SourceRange, String)
    case budgetExceeded(limit: Int)
    /// The host asked the evaluation to stop (the REPL's Ctrl-C).
    case interrupted
    /// An undefined operation (division by zero, `clamp` bounds out of order) or a result
    /// beyond the range of numbers (overflow, `inf - inf`).
    case arithmetic(SourceRange, String)
    case host(SourceRange, String)

    /// A gap in the data: a missing value or an undefined result. Gaps follow three-valued
    /// logic (`false and gap` is false, `x ?? y` takes `y`); a gap that reaches a rule's
    /// condition is reported with its reason (E0702 missing, E0703 arithmetic).
    @inline(__always) public var isGap: Bool {
        switch self {
        case .missing, .arithmetic: return true
        case .budgetExceeded, .host, .interrupted: return false
        }
    }
}
