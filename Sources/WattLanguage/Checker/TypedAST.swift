/// The checked tree: every name resolved to a slot, field index or function, every
/// operator to the operation for its operand types. Evaluation does no lookups by name.
public struct TypedExpr: Sendable {
    public var kind: TypedExprKind
    public var type: WattType
    public var range: SourceRange
    /// The unit a literal was written in, kept for printing (`80 %`).
    public var displayUnit: String?

    init(_ kind: TypedExprKind, _ type: WattType, _ range: SourceRange, displayUnit: String? = nil) {
        self.kind = kind; self.type = type; self.range = range; self.displayUnit = displayUnit
    }
}

public enum ArithmeticOp: Sendable { case add, subtract, multiply, divide }
public enum CompareOp: String, Sendable { case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">=" }

public indirect enum TypedExprKind: Sendable {
    case constant(Value)
    case now
    case hostName(slot: Int)
    case letRef(index: Int)
    /// The element bound at this scope depth (`job` inside `jobs where ...`).
    case element(depth: Int)
    case field(TypedExpr, index: Int)
    /// `nodes.power`: a field of every element.
    case project(TypedExpr, index: Int, depth: Int)
    case timeComponent(TypedExpr, Builtins.TimeComponent)
    case negate(TypedExpr)
    case not(TypedExpr)
    case arithmetic(ArithmeticOp, TypedExpr, TypedExpr)
    case concat(TypedExpr, TypedExpr)
    case compare(CompareOp, TypedExpr, TypedExpr)
    case and(TypedExpr, TypedExpr)
    case or(TypedExpr, TypedExpr)
    case member(TypedExpr, TypedExpr, negated: Bool)
    case coalesce(TypedExpr, TypedExpr)
    case conditional(TypedExpr, TypedExpr, TypedExpr)
    case list([TypedExpr])
    case filter(TypedExpr, predicate: TypedExpr, depth: Int)
    case top(count: TypedExpr, collection: TypedExpr, key: TypedExpr, depth: Int, descending: Bool)
    /// An aggregate over a collection, optionally of a per-element expression at `depth`.
    case aggregate(Builtins.Aggregate, TypedExpr, perElement: TypedExpr?, depth: Int)
    case scalar(Builtins.Scalar, [TypedExpr])
    case minMax(isMin: Bool, [TypedExpr])
    case hostCall(name: String, overload: FunctionOverload, [TypedExpr])
}

public struct TypedSlot: Sendable {
    public var key: String
    public var value: TypedExpr
    public var range: SourceRange
}

public struct TypedAction: Sendable {
    public var verb: String
    public var target: TypedExpr?
    public var slots: [TypedSlot]
    public var range: SourceRange
}

public struct TypedRule: Sendable {
    public var name: String
    public var isAnonymous: Bool
    public var priority: Double
    public var condition: TypedExpr
    public var holdFor: Double?
    /// The hysteresis clear condition (`until`) and how long it must hold.
    public var clearCondition: TypedExpr?
    public var clearFor: Double?
    /// At most `count` targets per window (0 s: per tick; 3600 s: per hour), or, for
    /// `limit N % per ...`, at most that share of the host's targets of the kind acted on
    /// (`share` in (0, 1]; `count` is then 0).
    public var limit: (count: Int, window: Double)?
    public var limitShare: Double?
    public var cooldown: Double?
    /// `per target`: `for` and `cooldown` hold per element of the `then` actions' targets.
    public var perTarget = false
    public var thenActions: [TypedAction]
    public var elseActions: [TypedAction]
    public var range: SourceRange
    public var source: SourceFile
    /// Static estimate of evaluation steps for one tick.
    public var estimatedCost: Int
}

public struct TypedLet: Sendable {
    public var name: String
    public var value: TypedExpr
    public var range: SourceRange
    public var source: SourceFile
}

/// The result of checking: what the compiler turns into closures.
public struct CheckedProgram: Sendable {
    public var lets: [TypedLet]
    public var consts: [String: (value: Value, type: WattType, displayUnit: String?)]
    public var rules: [TypedRule]
    public var maxElementDepth: Int
}

extension TypedExpr {
    /// The direct subexpressions.
    var children: [TypedExpr] {
        switch kind {
        case .constant, .now, .hostName, .letRef, .element: return []
        case .field(let a, _), .project(let a, _, _), .timeComponent(let a, _), .negate(let a), .not(let a): return [a]
        case .arithmetic(_, let a, let b), .concat(let a, let b), .compare(_, let a, let b), .and(let a, let b),
             .or(let a, let b), .member(let a, let b, _), .coalesce(let a, let b): return [a, b]
        case .conditional(let a, let b, let c): return [a, b, c]
        case .list(let items), .scalar(_, let items), .minMax(_, let items), .hostCall(_, _, let items): return items
        case .filter(let a, let p, _): return [a, p]
        case .top(let n, let c, let k, _, _): return [n, c, k]
        case .aggregate(_, let c, let p, _): return p.map { [c, $0] } ?? [c]
        }
    }

    /// Whether the expression reads an element bound at `depth` or deeper. One that does
    /// not is invariant inside a `where` at that depth: computed once, not per element.
    /// (A `let` is evaluated outside element scope, so a reference to one is invariant.)
    func references(depthAtLeast depth: Int) -> Bool {
        if case .element(let d) = kind { return d >= depth }
        return children.contains { $0.references(depthAtLeast: depth) }
    }
}
