/// Runtime values. Quantities are plain `Double`s in canonical units (the dimension is
/// static), so arithmetic at run time carries no unit bookkeeping.
public enum Value: Sendable, Hashable {
    case bool(Bool)
    case number(Double)
    case string(String)
    case instant(Double)
    case list([Value])
    case record(Record)
    /// A value the host could not supply (a telemetry gap).
    case missing

    public var isMissing: Bool { if case .missing = self { return true } else { return false } }
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
    case arithmetic(SourceRange, String)
    case host(SourceRange, String)
}
