/// What a host program registers so policies can talk about its world: record schemas,
/// names (with a value supplied each evaluation), functions and action verbs.
/// The language core gives none of these a meaning of its own.
public struct FieldSchema: Sendable {
    public var name: String
    public var type: WattType
    public var doc: String
    /// For string fields naming things in the host's inventory (pools, profiles): the
    /// known values. Comparing the field with a literal outside them is an error with a
    /// suggestion (a misspelt pool would otherwise make a rule silently never match).
    public var allowedValues: [String]?
    public init(_ name: String, _ type: WattType, doc: String = "", allowedValues: [String]? = nil) {
        self.name = name; self.type = type; self.doc = doc; self.allowedValues = allowedValues
    }
}

public final class RecordSchema: Sendable {
    public let name: String
    public let fields: [FieldSchema]
    public let doc: String
    /// A record that stands for one of its fields where a value is expected: a forecast
    /// compared with `900 kW` means its `mean`. Nil for ordinary records.
    public let valueField: String?
    private let indexByName: [String: Int]

    public init(name: String, fields: [FieldSchema], doc: String = "", valueField: String? = nil) {
        self.name = name
        self.fields = fields
        self.doc = doc
        self.valueField = valueField
        var index: [String: Int] = [:]
        for (i, f) in fields.enumerated() where index[f.name] == nil { index[f.name] = i }
        self.indexByName = index
    }
    public func fieldIndex(_ name: String) -> Int? { indexByName[name] }
}

/// A name whose value the host supplies per evaluation (e.g. `site`, `jobs`).
public struct HostName: Sendable {
    public var name: String
    public var type: WattType
    public var doc: String
    /// For lists: the expected number of elements, used by the static cost estimate.
    public var sizeHint: Int
    /// Index into `Inputs` (assigned at registration).
    public internal(set) var slot: Int = 0
    public init(_ name: String, _ type: WattType, doc: String = "", sizeHint: Int = 1000) {
        self.name = name; self.type = type; self.doc = doc; self.sizeHint = sizeHint
    }
}

/// A parameter or result type in a signature; `quantity(n)` matches any quantity and binds
/// its dimension to variable `n`, so `forecast(x, horizon)` can return the dimension of `x`.
public indirect enum TypePattern: Sendable, Hashable {
    case exact(WattType)
    case anyQuantity(Int)
    case any(Int)
    case list(TypePattern)
    case optional(TypePattern)
    /// A telemetry path written in the policy (`site.power`, `grid.carbon_intensity`): a
    /// quantity-typed chain of fields from a host name. The function receives the path as a
    /// string (to look up its history), and `n` is bound to the quantity's dimension.
    case path(Int)
    /// A telemetry path whose value has this dimension (for per-dimension overloads).
    case pathOf(Dimension)
}

/// The range a numeric parameter must lie in (`forecast`'s horizon: above 0, at most 30 d).
/// A constant argument outside is a check-time error (E0409); the host still guards the
/// value at run time, where an argument may be computed.
public struct ArgumentBounds: Sendable, Equatable {
    /// Exclusive lower bound.
    public var above: Double
    /// Inclusive upper bound.
    public var atMost: Double
    public init(above: Double, atMost: Double) { self.above = above; self.atMost = atMost }
    public func contains(_ value: Double) -> Bool { value > above && value <= atMost }
}

public struct FunctionOverload: Sendable {
    public var parameters: [TypePattern]
    public var parameterNames: [String]
    public var result: TypePattern
    /// Static cost of one call, in evaluation steps.
    public var cost: Int
    /// Pure functions of their arguments may be used in `const` definitions.
    public var isPure: Bool
    /// Known values for string parameters, by parameter index (`profile("h100-sxm")`).
    public var allowedValues: [Int: [String]]
    /// Ranges of numeric parameters, by parameter index.
    public var bounds: [Int: ArgumentBounds]
    public var implementation: @Sendable ([Value]) throws -> Value

    public init(parameters: [TypePattern], parameterNames: [String] = [], result: TypePattern, cost: Int = 1,
                isPure: Bool = false, allowedValues: [Int: [String]] = [:], bounds: [Int: ArgumentBounds] = [:],
                implementation: @escaping @Sendable ([Value]) throws -> Value) {
        self.allowedValues = allowedValues
        self.bounds = bounds
        self.parameters = parameters
        self.parameterNames = parameterNames.count == parameters.count ? parameterNames : parameters.indices.map { "arg\($0 + 1)" }
        self.result = result
        self.cost = cost
        self.isPure = isPure
        self.implementation = implementation
    }
}

public struct HostFunction: Sendable {
    public var name: String
    public var doc: String
    public var overloads: [FunctionOverload]
    public init(_ name: String, doc: String = "", overloads: [FunctionOverload]) {
        self.name = name; self.doc = doc; self.overloads = overloads
    }
}

public struct SlotSignature: Sendable {
    /// `to pool`, `at`, `for`: a preposition and an optional qualifier.
    public var key: String
    public var type: TypePattern
    public var required: Bool
    public var doc: String
    /// Known values for a string slot (`to pool "efficient"`); a literal outside is an error.
    public var allowedValues: [String]?
    public init(_ key: String, _ type: TypePattern, required: Bool = false, doc: String = "", allowedValues: [String]? = nil) {
        self.key = key; self.type = type; self.required = required; self.doc = doc; self.allowedValues = allowedValues
    }
}

public struct VerbSignature: Sendable {
    public var name: String
    public var doc: String
    /// Accepted target types; empty means the verb takes no target.
    public var targets: [TypePattern]
    public var targetRequired: Bool
    public var slots: [SlotSignature]
    /// Each group needs exactly one of its slots (e.g. `to pool` or `to node`).
    public var exactlyOneOf: [[String]]

    public init(_ name: String, doc: String = "", targets: [TypePattern], targetRequired: Bool = true,
                slots: [SlotSignature] = [], exactlyOneOf: [[String]] = []) {
        self.name = name; self.doc = doc; self.targets = targets; self.targetRequired = targetRequired
        self.slots = slots; self.exactlyOneOf = exactlyOneOf
    }
}

public enum VocabularyError: Error, CustomStringConvertible, Equatable {
    case duplicate(kind: String, name: String)
    case unknownSchema(String, usedBy: String)
    case reservedName(String)

    public var description: String {
        switch self {
        case .duplicate(let kind, let name): return "\(kind) `\(name)` is registered twice"
        case .unknownSchema(let schema, let user): return "`\(user)` uses record type `\(schema)`, which is not registered"
        case .reservedName(let name): return "`\(name)` is a keyword or built-in and cannot be registered"
        }
    }
}

public struct Vocabulary: Sendable {
    public private(set) var schemas: [String: RecordSchema] = [:]
    public private(set) var names: [String: HostName] = [:]
    public private(set) var functions: [String: HostFunction] = [:]
    public private(set) var verbs: [String: VerbSignature] = [:]
    public private(set) var nameOrder: [String] = []
    /// Whole-program checks run by every compilation against this vocabulary.
    public private(set) var analyses: [ProgramAnalysis] = []

    public init() {}

    public mutating func register(_ schema: RecordSchema) throws {
        guard schemas[schema.name] == nil else { throw VocabularyError.duplicate(kind: "record type", name: schema.name) }
        schemas[schema.name] = schema
    }

    public mutating func register(_ name: HostName) throws {
        guard names[name.name] == nil else { throw VocabularyError.duplicate(kind: "name", name: name.name) }
        guard Keyword(rawValue: name.name) == nil, Builtins.all[name.name] == nil, name.name != "now" else {
            throw VocabularyError.reservedName(name.name)
        }
        var n = name
        n.slot = nameOrder.count
        names[n.name] = n
        nameOrder.append(n.name)
    }

    public mutating func register(_ function: HostFunction) throws {
        guard functions[function.name] == nil else { throw VocabularyError.duplicate(kind: "function", name: function.name) }
        guard Builtins.all[function.name] == nil, Keyword(rawValue: function.name) == nil else {
            throw VocabularyError.reservedName(function.name)
        }
        functions[function.name] = function
    }

    public mutating func register(_ verb: VerbSignature) throws {
        guard verbs[verb.name] == nil else { throw VocabularyError.duplicate(kind: "verb", name: verb.name) }
        verbs[verb.name] = verb
    }

    public mutating func register(_ analysis: ProgramAnalysis) throws {
        guard !analyses.contains(where: { $0.name == analysis.name }) else {
            throw VocabularyError.duplicate(kind: "analysis", name: analysis.name)
        }
        analyses.append(analysis)
    }

    /// Checks that every record type used by a name or field is registered.
    public func validate() throws {
        func check(_ type: WattType, _ user: String) throws {
            switch type {
            case .record(let s): if schemas[s] == nil { throw VocabularyError.unknownSchema(s, usedBy: user) }
            case .list(let e), .optional(let e): try check(e, user)
            default: break
            }
        }
        for n in names.values { try check(n.type, n.name) }
        for s in schemas.values {
            for f in s.fields { try check(f.type, "\(s.name).\(f.name)") }
            if let v = s.valueField, s.fieldIndex(v) == nil { throw VocabularyError.unknownSchema(v, usedBy: "\(s.name).valueField") }
        }
    }

    /// Schema for record types; `nil` for anything else.
    public func schema(of type: WattType) -> RecordSchema? {
        if case .record(let name) = type.unwrapped { return schemas[name] }
        return nil
    }
}
