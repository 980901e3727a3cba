public enum Keyword: String, Sendable, CaseIterable {

    case rule, `if`, then, `else`, when, `for`, cooldown, `let`, const
    case and, or, not, `in`, `where`, top, of, by, `true`, `false`
    case to, at, until, with, from

    /// Words with a meaning only in one place, which stay usable as names elsewhere
    /// (a job may have a field `priority`): `priority` after a rule's name, `asc`/`desc`
    /// after a `top ... by` key.
    public static let contextual: Set<String> = ["priority", "asc", "desc", "limit", "per", "tick", "hour", "target", "test",
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

/// The keywords for the lexer, looked up by the identifier's bytes before any `String` is
/// made: a name of at most 8 bytes packed into a `UInt64` (little-endian, so distinct
/// names give distinct keys: name bytes are never 0), then an open-addressing table with
/// one multiply and a probe or two. `Keyword(rawValue:)` compares the text with every
/// case in turn, and a `[String: Keyword]` lookup hashes it, about 400 instructions per
/// identifier, 30 % of lexing (docs/performance.md).
struct KeywordTable: Sendable {
    private var keys: [UInt64]
    private var values: [Keyword]
    /// Keywords longer than 8 bytes (none today), by name.
    private var long: [String: Keyword] = [:]
    private static let bits = 7

    static let shared = KeywordTable()

    init() {
        keys = Array(repeating: 0, count: 1 << KeywordTable.bits)
        values = Array(repeating: .rule, count: 1 << KeywordTable.bits)
        for keyword in Keyword.allCases {
            let utf8 = Array(keyword.rawValue.utf8)
            guard utf8.count <= 8 else { long[keyword.rawValue] = keyword; continue }
            let key = utf8.withUnsafeBufferPointer { KeywordTable.pack($0, 0, $0.count) }
            var slot = KeywordTable.slot(key)
            while keys[slot] != 0 { slot = (slot + 1) & (keys.count - 1) }
            keys[slot] = key
            values[slot] = keyword
        }
    }

    @inline(__always)
    static func pack(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt64 {
        var key: UInt64 = 0
        var index = end
        while index > start {
            index -= 1
            key = key << 8 | UInt64(bytes[index])
        }
        return key
    }

    @inline(__always)
    private static func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> (64 - UInt64(bits))) }

    /// The keyword spelled by `bytes[start..<end]`, if any.
    @inline(__always)
    func keyword(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Keyword? {
        guard end - start <= 8 else {
            return long.isEmpty ? nil : long[String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)]
        }
        let key = KeywordTable.pack(bytes, start, end)
        var slot = KeywordTable.slot(key)
        return keys.withUnsafeBufferPointer { keys in
            while true {
                let found = keys[slot]
                if found == key { return values[slot] }
                if found == 0 { return nil }
                slot = (slot + 1) & (keys.count - 1)
            }
        }
    }
}
