/// Turns source bytes into tokens. Never fails: bad input becomes a diagnostic and the
/// lexer continues, so the parser can report every problem in the file.
public struct Lexer {
    public struct Result: Sendable {
        public var tokens: [Token]
        public var comments: [Comment]
        public var diagnostics: [Diagnostic]
    }

    private let source: SourceFile
    /// The source's bytes while `run` lexes (`withUnsafeBufferPointer`): no bounds check
    /// or array access on every byte.
    private var bytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    /// Names, numbers and plain strings seen before, by their bytes: a policy repeats a
    /// few hundred spellings, and a `String` made once is shared after (docs/performance.md).
    private var spellings = SpellingTable()
    private var position = 0
    private var tokens: [Token] = []
    private var comments: [Comment] = []
    private var bag: DiagnosticBag
    private var sawSpace = false
    private var sawNewline = true
    private let keywords = KeywordTable.shared

    /// The longest name, number or string, in bytes (E0107). Longer tokens keep their
    /// range but carry a shortened text, so no message quotes megabytes.
    public static let maxTokenLength = 4096

    public init(source: SourceFile) {
        self.source = source
        // A policy has about one new spelling per 200 bytes (the generated 1 MB policy:
        // about 5,000), capped so that a huge file does not start with a huge table.
        self.spellings = SpellingTable(expected: min(source.bytes.count / 128, 1 << 16))
        self.bag = DiagnosticBag(source: source)
    }

    public static func tokenize(_ source: SourceFile) -> Result {
        var lexer = Lexer(source: source)
        return lexer.run()
    }

    mutating func run() -> Result {
        source.bytes.withUnsafeBufferPointer { buffer in
            bytes = buffer
            lexAll()
        }
        bytes = UnsafeBufferPointer(start: nil, count: 0)
        return Result(tokens: tokens, comments: comments, diagnostics: bag.items)
    }

    private mutating func lexAll() {
        tokens.reserveCapacity(bytes.count / 4 + 16)
        // A UTF-8 byte order mark at the start is allowed and skipped (`SourceFile` does
        // not count it in line 1's columns); anywhere else it is an unexpected character.
        position = source.byteOrderMarkLength
        while true {
            skipTrivia()
            guard position < bytes.count else { break }
            // After `DiagnosticBag.maxErrors` errors the file is not a policy: stop here
            // rather than walk the rest of (say) 10 MB of binary one byte at a time.
            if bag.isFull { break }
            lexToken()
        }
        tokens.append(Token(kind: .endOfFile, range: SourceRange(bytes.count, bytes.count),
                            spaceBefore: true, newlineBefore: true))
    }

    private mutating func skipTrivia() {
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                position += 1
                sawSpace = true
            case UInt8(ascii: "\n"):
                position += 1
                sawSpace = true
                sawNewline = true
            case UInt8(ascii: "#"):
                let start = position
                while position < bytes.count, bytes[position] != UInt8(ascii: "\n") { position += 1 }
                let text = String(decoding: bytes[start..<position], as: UTF8.self)
                comments.append(Comment(range: SourceRange(start, position), text: text, trailing: !sawNewline))
                sawSpace = true
            default:
                return
            }
        }
    }

    /// Operators from other languages (`&&`, `||`, `!`) already reported, read as the keyword
    /// meant; only the first few, so ten megabytes of `!` do not become ten million tokens.
    private mutating func recover(_ keyword: TokenKind, from start: Int) {
        guard recoveries < Lexer.maxRecoveries, case .keyword(let k) = keyword else { return }
        recoveries += 1
        emit(keyword, from: start, text: k.rawValue)
    }
    private var recoveries = 0
    static let maxRecoveries = 100

    private mutating func emit(_ kind: TokenKind, from start: Int, text: String = "", number: Double = 0) {
        tokens.append(Token(kind: kind, range: SourceRange(start, position), text: text, number: number,
                            spaceBefore: sawSpace, newlineBefore: sawNewline))
        sawSpace = false
        sawNewline = false
    }

    private func peek(_ offset: Int = 0) -> UInt8 {
        let index = position + offset
        return index < bytes.count ? bytes[index] : 0
    }

    private mutating func lexToken() {
        let start = position
        let byte = bytes[position]
        if isIdentifierStart(byte) {
            var end = start + 1
            while end < bytes.count, isIdentifierContinue(bytes[end]) { end += 1 }
            position = end
            if end - start > Lexer.maxTokenLength {
                reportTooLong("name", from: start)
                emit(.identifier, from: start, text: shortened(start))
                return
            }
            if let keyword = keywords.keyword(bytes, start, end) {
                emit(.keyword(keyword), from: start, text: keyword.rawValue)
            } else {
                emit(.identifier, from: start, text: spellings.string(bytes, start, end))
            }
            return
        }
        if isDigit(byte) { lexNumber(); return }
        if byte == UInt8(ascii: "\"") { lexString(); return }
        position += 1
        let kind: TokenKind?
        switch byte {
        case UInt8(ascii: "("): kind = .leftParen
        case UInt8(ascii: ")"): kind = .rightParen
        case UInt8(ascii: "["): kind = .leftBracket
        case UInt8(ascii: "]"): kind = .rightBracket
        case UInt8(ascii: "{"): kind = .leftBrace
        case UInt8(ascii: "}"): kind = .rightBrace
        case UInt8(ascii: ","): kind = .comma
        case UInt8(ascii: "."): kind = .dot
        case UInt8(ascii: ";"): kind = .semicolon
        case UInt8(ascii: ":"): kind = .colon
        case UInt8(ascii: "+"): kind = .plus
        case UInt8(ascii: "-"): kind = .minus
        case UInt8(ascii: "*"): kind = .star
        case UInt8(ascii: "/"): kind = .slash
        case UInt8(ascii: "%"): kind = .percent
        case UInt8(ascii: "="):
            if peek() == UInt8(ascii: "=") { position += 1; kind = .equalEqual } else { kind = .equal }
        case UInt8(ascii: "!"):
            if peek() == UInt8(ascii: "=") { position += 1; kind = .bangEqual } else {
                bag.error(.invalidCharacter, "unexpected character `!`", at: SourceRange(start, position),
                          help: "write `not` for negation and `!=` for inequality")
                recover(.keyword(.not), from: start)
                return
            }
        case UInt8(ascii: "<"):
            if peek() == UInt8(ascii: "=") { position += 1; kind = .lessEqual } else { kind = .less }
        case UInt8(ascii: ">"):
            if peek() == UInt8(ascii: "=") { position += 1; kind = .greaterEqual } else { kind = .greater }
        case UInt8(ascii: "?"):
            if peek() == UInt8(ascii: "?") { position += 1; kind = .questionQuestion } else { kind = nil }
        case UInt8(ascii: "&"), UInt8(ascii: "|"):
            if peek() == byte { position += 1 }
            let word: Keyword = byte == UInt8(ascii: "&") ? .and : .or
            bag.error(.invalidCharacter, "unexpected `\(source.text(SourceRange(start, position)))`",
                      at: SourceRange(start, position), help: "write `\(word.rawValue)`")
            // Read as the keyword meant, so the parser goes on without follow-on errors.
            recover(.keyword(word), from: start)
            return
        default:
            kind = nil
        }
        if let kind {
            emit(kind, from: start)
        } else {
            reportInvalidCharacter(at: start)
        }
    }

    private mutating func reportInvalidCharacter(at start: Int) {
        // Skip the whole UTF-8 sequence so one bad character gives one diagnostic.
        let lead = bytes[start]
        var length = 1
        if lead >= 0xC0 && lead < 0xE0 { length = 2 } else if lead >= 0xE0 && lead < 0xF0 { length = 3 } else if lead >= 0xF0 && lead < 0xF8 { length = 4 }
        let end = min(bytes.count, start + length)
        let slice = Array(bytes[start..<end])
        position = end
        let range = SourceRange(start, end)
        if slice == [0xEF, 0xBB, 0xBF] {
            bag.error(.invalidCharacter, "unexpected byte order mark (U+FEFF)", at: range,
                      help: "a byte order mark may only start the file; remove this one")
        } else if lead >= 0x80, let scalar = String(validating: slice, as: UTF8.self), lead >= 0xC0 {
            let help: String? = scalar == "°" ? "write temperatures as `75 degC`" : scalar == "µ" || scalar == "μ" ? "write `u` for micro" : nil
            bag.error(.invalidCharacter, "unexpected character `\(scalar)`", at: range, help: help)
        } else if lead >= 0x80 {
            position = start + 1
            bag.error(.invalidUTF8, "invalid UTF-8 byte 0x\(String(lead, radix: 16))", at: SourceRange(start, start + 1))
        } else if lead == 0 {
            bag.error(.invalidCharacter, "unexpected NUL byte", at: range)
        } else if lead < 0x20 || lead == 0x7F {
            bag.error(.invalidCharacter, "unexpected control character 0x\(String(lead, radix: 16))", at: range)
        } else {
            bag.error(.invalidCharacter, "unexpected character `\(Character(Unicode.Scalar(lead)))`", at: range)
        }
    }

    private mutating func lexNumber() {
        let start = position
        // The text is the number's bytes without `_` separators; a number without them
        // (nearly all) is its bytes as written, and a whole number of at most 15 digits is
        // exact in a `Double`, so only the others go through `Double(String)`.
        var underscores = false
        var whole = true
        var digitCount = 0
        var wholeValue: UInt64 = 0
        func digitRun(_ lexer: inout Lexer, counting: Bool) -> Bool {
            var any = false
            while lexer.position < lexer.bytes.count {
                let b = lexer.bytes[lexer.position]
                if lexer.isDigit(b) {
                    if counting {
                        digitCount += 1
                        if digitCount <= 15 { wholeValue = wholeValue &* 10 &+ UInt64(b &- 48) }
                    }
                    any = true; lexer.position += 1
                } else if b == UInt8(ascii: "_"), any, lexer.isDigit(lexer.peek(1)) {
                    underscores = true
                    lexer.position += 1
                } else { break }
            }
            return any
        }
        _ = digitRun(&self, counting: true)
        if peek() == UInt8(ascii: "."), isDigit(peek(1)) {
            whole = false
            position += 1
            _ = digitRun(&self, counting: false)
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            let sign = peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-")
            if isDigit(peek(sign ? 2 : 1)) {
                whole = false
                position += sign ? 2 : 1
                _ = digitRun(&self, counting: false)
            }
        }
        if position - start > Lexer.maxTokenLength {
            reportTooLong("number", from: start)
            emit(.number, from: start, text: shortened(start), number: 0)
            return
        }
        let text: String
        if underscores {
            var digits: [UInt8] = []
            for index in start..<position where bytes[index] != UInt8(ascii: "_") {
                // `1E5` is written `1e5` in the text, as `Double` reads both.
                digits.append(bytes[index] == UInt8(ascii: "E") ? UInt8(ascii: "e") : bytes[index])
            }
            text = String(decoding: digits, as: UTF8.self)
        } else {
            let end = position
            let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
            // `1E5` is written `1e5` in the text.
            if !whole, slice.contains(UInt8(ascii: "E")) {
                text = String(decoding: slice.map { $0 == UInt8(ascii: "E") ? UInt8(ascii: "e") : $0 }, as: UTF8.self)
            } else {
                text = spellings.string(bytes, start, end)
            }
        }
        if whole && digitCount <= 15 {
            emit(.number, from: start, text: text, number: Double(wholeValue))
            return
        }
        // Digits glued to an identifier (`12abc`) other than a unit are left to the parser,
        // which knows about units; only numbers that do not parse are an error here.
        guard let value = Double(text), value.isFinite else {
            emit(.number, from: start, text: text, number: 0)
            bag.error(.malformedNumber, "number `\(text.prefix(40))` is out of range", at: SourceRange(start, position))
            return
        }
        emit(.number, from: start, text: text, number: value)
    }

    private mutating func lexString() {
        let start = position
        // Nearly every string is plain: no escape, no control character, closed on its
        // line. Its value is its bytes, without the copy the loop below makes.
        var end = start + 1
        var ascii = true
        while end < bytes.count, end + 1 - start <= Lexer.maxTokenLength {
            let b = bytes[end]
            if b >= 0x80 { ascii = false }
            if b == UInt8(ascii: "\""),
               let text = ascii ? spellings.string(bytes, start + 1, end)
                   : String(validating: UnsafeBufferPointer(rebasing: bytes[start + 1..<end]), as: UTF8.self) {
                position = end + 1
                emit(.string, from: start, text: text)
                return
            }
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || (b < 0x20 && b != 9) { break }
            end += 1
        }
        position += 1
        var value: [UInt8] = []
        while true {
            guard position < bytes.count, bytes[position] != UInt8(ascii: "\n") else {
                bag.error(.unterminatedString, "unterminated string", at: SourceRange(start, position),
                          help: "close the string with `\"` on the same line")
                break
            }
            let b = bytes[position]
            if b == UInt8(ascii: "\"") { position += 1; break }
            if b == UInt8(ascii: "\\") {
                let escapeStart = position
                position += 1
                let e = peek()
                position += 1
                switch e {
                case UInt8(ascii: "n"): value.append(10)
                case UInt8(ascii: "t"): value.append(9)
                case UInt8(ascii: "r"): value.append(13)
                case UInt8(ascii: "\""): value.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): value.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "u") where peek() == UInt8(ascii: "{"):
                    position += 1
                    var hex = ""
                    // 1 to 6 hex digits only: no sign, no padding beyond what a scalar needs.
                    while position < bytes.count, hex.count < 7, isHexDigit(bytes[position]) {
                        hex.append(Character(Unicode.Scalar(bytes[position]))); position += 1
                    }
                    if peek() == UInt8(ascii: "}"), (1...6).contains(hex.count), let code = UInt32(hex, radix: 16),
                       let scalar = Unicode.Scalar(code) {
                        position += 1
                        value.append(contentsOf: Array(String(Character(scalar)).utf8))
                    } else {
                        while position < bytes.count, bytes[position] != UInt8(ascii: "}"), bytes[position] != UInt8(ascii: "\""),
                              bytes[position] != UInt8(ascii: "\n") { position += 1 }
                        if peek() == UInt8(ascii: "}") { position += 1 }
                        bag.error(.invalidEscape, "invalid unicode escape", at: SourceRange(escapeStart, position),
                                  help: "write `\\u{HEX}` with 1 to 6 hex digits naming a unicode scalar")
                    }
                default:
                    if e == 0 || e == UInt8(ascii: "\n") { position -= 1 }
                    let shown = e >= 0x20 && e < 0x7F ? String(Character(Unicode.Scalar(e))) : "?"
                    bag.error(.invalidEscape, "invalid escape `\\\(shown)` in string", at: SourceRange(escapeStart, min(position, bytes.count)),
                              help: "valid escapes are `\\n`, `\\t`, `\\r`, `\\\"`, `\\\\` and `\\u{HEX}`")
                }
                continue
            }
            if b == 0 || (b < 0x20 && b != 9) {
                bag.error(.invalidCharacter, "control character 0x\(String(b, radix: 16)) in string", at: SourceRange(position, position + 1),
                          help: "write it as an escape, e.g. `\\t` or `\\u{0}`")
                position += 1
                continue
            }
            value.append(b)
            position += 1
        }
        if position - start > Lexer.maxTokenLength {
            reportTooLong("string", from: start)
            emit(.string, from: start, text: String(decoding: value.prefix(32), as: UTF8.self) + "…")
            return
        }
        let text: String
        if let valid = String(validating: value, as: UTF8.self) {
            text = valid
        } else {
            bag.error(.invalidUTF8, "string contains invalid UTF-8", at: SourceRange(start, position))
            text = String(decoding: value, as: UTF8.self)
        }
        emit(.string, from: start, text: text)
    }

    private mutating func reportTooLong(_ what: String, from start: Int) {
        bag.error(.tokenTooLong, "\(what) is \(position - start) bytes long, over the limit of \(Lexer.maxTokenLength)",
                  at: SourceRange(start, position), help: "a policy needs no \(what) this long; is this the right file?")
    }

    /// The first bytes of an over-long name or number, for messages that quote it.
    private func shortened(_ start: Int) -> String {
        String(decoding: bytes[start..<min(position, start + 32)], as: UTF8.self) + "…"
    }

    @inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    @inline(__always) func isHexDigit(_ b: UInt8) -> Bool { isDigit(b) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102) }
    @inline(__always) func isIdentifierStart(_ b: UInt8) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95
    }
    @inline(__always) func isIdentifierContinue(_ b: UInt8) -> Bool { isIdentifierStart(b) || isDigit(b) }
}

/// The strings the lexer made, by their bytes (`Lexer.spellings`): up to 16 ASCII bytes
/// packed into two `UInt64`s (little-endian, so distinct spellings give distinct keys:
/// the callers never pass a zero byte), open addressing. A hit costs a multiply and a compare or two
/// instead of a new `String` (UTF-8 validation, an ASCII scan and its creation).
/// Longer or non-ASCII spellings are made every time.
struct SpellingTable {
    private var low: [UInt64]
    private var high: [UInt64]
    private var strings: [String]
    private var count = 0
    /// 64 minus the table's size in bits: a slot is the top bits of the mixed key (the
    /// best mixed; the low bits of a product do not see the key's last bytes).
    private var shift: UInt64

    /// Room for about `expected` spellings without growing.
    init(expected: Int = 32) {
        var capacity = 64
        while capacity < expected * 2 { capacity *= 2 }
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        low = Array(repeating: 0, count: capacity)
        high = Array(repeating: 0, count: capacity)
        strings = Array(repeating: "", count: capacity)
    }

    @inline(__always)
    private func slot(_ a: UInt64, _ b: UInt64) -> Int {
        Int(truncatingIfNeeded: ((a ^ (b &* 0x94D0_49BB_1331_11EB)) &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// `bytes[start..<end]` as a `String` (the bytes are valid UTF-8: ASCII, or checked).
    @inline(__always)
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        guard end > start, end - start <= 16 else { return make(bytes, start, end) }
        let split = min(end, start + 8)
        let a = KeywordTable.pack(bytes, start, split)
        let b = split < end ? KeywordTable.pack(bytes, split, end) : 0
        // Only ASCII spellings are packed (names, numbers, strings without escapes or
        // control characters: never a zero byte, which would make a key ambiguous).
        guard (a | b) & 0x8080_8080_8080_8080 == 0 else { return make(bytes, start, end) }
        let mask = low.count - 1
        var slot = slot(a, b)
        while true {
            let found = low[slot]
            if found == 0 { break }
            if found == a && high[slot] == b { return strings[slot] }
            slot = (slot + 1) & mask
        }
        let string = make(bytes, start, end)
        if (count + 1) * 2 > low.count { grow(); return string }
        low[slot] = a
        high[slot] = b
        strings[slot] = string
        count += 1
        return string
    }

    @inline(never)
    private func make(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// Doubles the table, then inserts the entries again (the string just made is left
    /// out: it is made again on its next use).
    @inline(never)
    private mutating func grow() {
        let old = (low, high, strings)
        low = Array(repeating: 0, count: old.0.count * 2)
        high = Array(repeating: 0, count: old.0.count * 2)
        strings = Array(repeating: "", count: old.0.count * 2)
        shift -= 1
        let mask = low.count - 1
        for index in old.0.indices where old.0[index] != 0 {
            let a = old.0[index], b = old.1[index]
            var slot = slot(a, b)
            while low[slot] != 0 { slot = (slot + 1) & mask }
            low[slot] = a
            high[slot] = b
            strings[slot] = old.2[index]
        }
    }
}
