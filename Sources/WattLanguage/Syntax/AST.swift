/// The syntax tree of one source file, as written (before names and types are resolved).

public struct Identifier: Sendable, Hashable {
    public var name: String
    public var range: SourceRange
    public init(_ name: String, _ range: SourceRange) { self.name = name; self.range = range }
}

public struct SourceUnit: Sendable {
    public var source: SourceFile
    public var declarations: [Declaration]
    public var comments: [Comment]
    /// Names of `let`/`const` definitions that did not parse: the checker treats uses of
    /// them as already reported instead of as unknown names.
    public var brokenNames: Set<String> = []
}

public enum Declaration: Sendable {
    case binding(Binding)
    case rule(Rule)
    case test(TestDecl)

    public var range: SourceRange {
        switch self {
        case .binding(let b): return b.range
        case .rule(let r): return r.range
        case .test(let t): return t.range
        }
    }
}

/// `let name = expr` (recomputed each tick) or `const name = expr` (evaluated once).
public struct Binding: Sendable {
    public var isConst: Bool
    public var name: Identifier
    public var value: Expr
    public var range: SourceRange
}

/// A named rule block, or the one-line `if ... then ...` form (an anonymous rule).
public struct Rule: Sendable {
    public var name: Identifier?
    public var priority: Expr?
    public var isOneLine: Bool
    public var condition: Expr
    /// `for DURATION` after the condition: it must hold that long before the rule fires.
    public var holdFor: Expr?
    /// `until CONDITION [for DURATION]`: hysteresis. Once firing, the rule stays firing until
    /// this clear condition holds (for its duration), whatever `when` says meanwhile.
    public var clearCondition: Expr?
    public var clearFor: Expr?
    /// `limit N per tick|hour`: at most N targets acted on per window.
    public var limit: RuleLimit?
    /// `per target`: `for` and `cooldown` hold per element of the actions' targets (the
    /// clause's range), not for the rule as a whole.
    public var perTarget: SourceRange?
    public var thenActions: [Action]
    public var elseActions: [Action]
    public var cooldown: Expr?
    public var range: SourceRange
    /// Where the `if`/`rule` keyword is; anonymous rules are named after their line.
    public var headerRange: SourceRange
}

/// `VERB [target] {slot}`: a generic action statement; the host registers verbs and slots.
public struct Action: Sendable {
    public var verb: Identifier
    public var target: Expr?
    public var slots: [Slot]
    public var range: SourceRange
}

/// `to pool "efficient"`, `at 500 W`, `for 2 h`: a preposition, an optional qualifier, a value.
public struct Slot: Sendable {
    public var preposition: Keyword
    public var prepositionRange: SourceRange
    public var qualifier: Identifier?
    public var value: Expr
    public var range: SourceRange

    /// The slot's key as the host registers it, e.g. `to pool` or `at`.
    public var key: String { qualifier.map { "\(preposition.rawValue) \($0.name)" } ?? preposition.rawValue }
}

public enum UnaryOperator: String, Sendable {
    case negate = "-"
    case not = "not"
}

public enum BinaryOperator: String, Sendable, CaseIterable {
    case add = "+", subtract = "-", multiply = "*", divide = "/"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case and = "and", or = "or", `in` = "in", notIn = "not in", coalesce = "??"

    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .in, .notIn: return true
        default: return false
        }
    }
}

public struct Expr: Sendable {
    public var kind: ExprKind
    public var range: SourceRange
    public init(_ kind: ExprKind, _ range: SourceRange) { self.kind = kind; self.range = range }
}

/// Names, strings, bools and lists are stored in the node itself; the other cases in a box
/// of their own (`indirect`): the nodes with subexpressions must be, and a number's or a
/// call's payload (40 bytes) would make every node that large. A name in a box of its own
/// was one allocation per name in a policy (docs/performance.md).
public enum ExprKind: Sendable {
    /// A number as written (`1_000`, `0.9`) and its optional unit symbol (`kW`, `g/kWh`, `%`).
    indirect case number(text: String, value: Double, unit: String?)
    case string(String)
    case bool(Bool)
    case name(String)
    case list([Expr])
    indirect case unary(UnaryOperator, Expr)
    indirect case binary(BinaryOperator, Expr, Expr)
    indirect case member(Expr, Identifier)
    indirect case call(Identifier, [Expr])
    indirect case conditional(Expr, Expr, Expr)
    /// `collection where predicate`; the element's fields are in scope in the predicate.
    indirect case filter(Expr, Expr)
    /// `top N of collection by key [asc|desc]`; descending (largest first) unless `asc`.
    indirect case top(count: Expr, collection: Expr, key: Expr, order: TopOrder?)
    /// Placeholder left by parser recovery; never reaches the checker's output.
    case error
}

/// `asc` or `desc` after `top ... by KEY` (contextual words, not reserved).
public enum TopOrder: String, Sendable {
    case asc, desc
}

/// `limit COUNT per WINDOW` in a rule block.
public struct RuleLimit: Sendable {
    public var count: Expr
    /// `tick` or `hour`.
    public var window: Identifier
}
