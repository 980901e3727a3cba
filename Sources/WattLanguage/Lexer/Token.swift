public enum Keyword: String, Sendable, CaseIterable {

    case rule, `if`, then, `else`, when, `for`, cooldown, `let`, const
    case and, or, not, `in`, `where`, top, of, by, `true`, `false`
    case to, at, until, with, from

    /// Words with a meaning only in one place, which stay usable as names elsewhere
    /// (a job may have a field `priority`): `priority` after a rule's name, `asc`/`desc`
    /// after a `top ... by` key.
    public static let contextual: Set<String> = ["priority", "asc", "desc", "limit", "per", "tick", "hour", "test",
                                                 "given", "after", "expect", "every", "no", "ticks", "node", "nodes", "job", "jobs"]

    /// Words that open an action slot (`to pool "x"`, `at 500 W`, `for 2 h`).
    public static let prepositions: Set<Keyword> = [.to, .at, .until, .for, .by, .with, .from]
}

public enum TokenKind: Sendable, Equatable {
    case identifier
    case number
    case string
    case keyword(Keyword)
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    case comma, dot, semicolon, colon
    case plus, minus, star, slash, percent
    case equal, equalEqual, bangEqual, less, lessEqual, greater, greaterEqual
    case questionQuestion
    case endOfFile

    public var description: String {
        switch self {
        case .identifier: return "name"
        case .number: return "number"
        case .string: return "string"
        case .keyword(let k): return "`\(k.rawValue)`"
        case .endOfFile: return "end of file"
        default: return "`\(TokenKind.spelling[self] ?? "?")`"
        }
    }

    static let spelling: [TokenKind: String] = [
        .leftParen: "(", .rightParen: ")", .leftBracket: "[", .rightBracket: "]",
        .leftBrace: "{", .rightBrace: "}", .comma: ",", .dot: ".", .semicolon: ";", .colon: ":",
        .plus: "+", .minus: "-", .star: "*", .slash: "/", .percent: "%", .equal: "=",
        .equalEqual: "==", .bangEqual: "!=", .less: "<", .lessEqual: "<=", .greater: ">",
        .greaterEqual: ">=", .questionQuestion: "??",
    ]
}

extension TokenKind: Hashable {}

public struct Token: Sendable, Equatable {
    public var kind: TokenKind
    public var range: SourceRange
    /// Identifier name, or the decoded value of a string literal.
    public var text: String
    public var number: Double
    /// Whether whitespace or a comment separates this token from the previous one.
    public var spaceBefore: Bool
    /// Whether a line break separates this token from the previous one.
    public var newlineBefore: Bool

    public init(kind: TokenKind, range: SourceRange, text: String = "", number: Double = 0,
                spaceBefore: Bool = false, newlineBefore: Bool = false) {
        self.kind = kind
        self.range = range
        self.text = text
        self.number = number
        self.spaceBefore = spaceBefore
        self.newlineBefore = newlineBefore
    }
}

/// A `#` comment, kept so that `watt fmt` can put it back.
public struct Comment: Sendable, Equatable {
    public var range: SourceRange
    public var text: String
    /// True when code precedes the comment on its line (a trailing comment).
    public var trailing: Bool
}

extension Keyword {
    /// One hash lookup per identifier: `Keyword(rawValue:)` compares the text with every case
    /// in turn, which was over a third of lexing (docs/performance.md).
    static let byName: [String: Keyword] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
}
