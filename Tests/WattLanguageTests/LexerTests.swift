import Testing
@testable import WattLanguage

@Suite struct LexerTests {
    func kinds(_ text: String) -> [TokenKind] {
        Lexer.tokenize(SourceFile(name: "t", text: text)).tokens.map(\.kind)
    }

    @Test func punctuationAndKeywords() {
        #expect(kinds("rule x { when a >= 1 then b }") == [
            .keyword(.rule), .identifier, .leftBrace, .keyword(.when), .identifier, .greaterEqual, .number,
            .keyword(.then), .identifier, .rightBrace, .endOfFile,
        ])
        #expect(kinds("a ?? b != c == d <= e < f") == [
            .identifier, .questionQuestion, .identifier, .bangEqual, .identifier, .equalEqual, .identifier,
            .lessEqual, .identifier, .less, .identifier, .endOfFile,
        ])
    }

    @Test func numbersWithSeparatorsAndExponents() {
        let tokens = Lexer.tokenize(SourceFile(name: "t", text: "1_000 2.5 3e3 4.5E-1 1.x 2e")).tokens
        #expect(tokens.filter { $0.kind == .number }.map(\.number) == [1000, 2.5, 3000, 0.45, 1, 2])
        // `1.x` is the number 1 then a member access; `2e` is 2 followed by a name.
        #expect(tokens[5].kind == .dot)
        #expect(tokens[8].kind == .identifier && tokens[8].text == "e")
    }

    /// The lexer finds keywords by their bytes (`KeywordTable`): every keyword, and no
    /// name that only shares a prefix, a length or a packed prefix with one.
    @Test func everyKeywordAndNoOtherName() {
        for keyword in Keyword.allCases {
            let tokens = Lexer.tokenize(SourceFile(name: "t", text: keyword.rawValue)).tokens
            #expect(tokens[0].kind == .keyword(keyword))
            #expect(tokens[0].text == keyword.rawValue)
        }
        let names = ["i", "iff", "rul", "rules", "Rule", "RULE", "cooldow", "cooldowns", "cooldown_", "_if", "if1",
                     "whe", "wherever", "constant", "not_", "a", "z", "tops", "x_y_z_w_", "cooldownx", "priority", "limit"]
        for name in names {
            let tokens = Lexer.tokenize(SourceFile(name: "t", text: name)).tokens
            #expect(tokens[0].kind == .identifier, "\(name)")
            #expect(tokens[0].text == name)
        }
        #expect(kinds("if x then y else z") == [.keyword(.if), .identifier, .keyword(.then), .identifier, .keyword(.else),
                                               .identifier, .endOfFile])
    }

    /// A number's text is what it was written as, without `_` and with `e` for `E`; whole
    /// numbers of up to 15 digits are read without `Double(String)`, the others with it.
    @Test func numberTextsAndValues() {
        let tokens = Lexer.tokenize(SourceFile(name: "t", text: "0 007 1_000 123456789012345 1234567890123456789 2.50 1E3 1_0.2_5e+0_1 9e-1"))
            .tokens.filter { $0.kind == .number }
        #expect(tokens.map(\.text) == ["0", "007", "1000", "123456789012345", "1234567890123456789", "2.50", "1e3", "10.25e+01", "9e-1"])
        #expect(tokens.map(\.number) == [0, 7, 1000, 123456789012345, 1234567890123456789, 2.5, 1000, 102.5, 0.9])
    }

    /// Plain strings take a shorter path than strings with escapes; both give the same
    /// values, and the length limit counts the quotes either way.
    @Test func plainAndEscapedStrings() {
        let tokens = Lexer.tokenize(SourceFile(name: "t", text: "\"\" \"a\tb\" \"caf\u{E9}\" \"x\\\"y\"")).tokens
        #expect(tokens.map(\.kind) == [.string, .string, .string, .string, .endOfFile])
        #expect(tokens.map(\.text) == ["", "a\tb", "café", "x\"y", ""])
        #expect(tokens[3].range == SourceRange(17, 23))
        for (contentLength, tooLong) in [(Lexer.maxTokenLength - 2, false), (Lexer.maxTokenLength - 1, true)] {
            let text = "\"" + String(repeating: "a", count: contentLength) + "\""
            let result = Lexer.tokenize(SourceFile(name: "t", text: text))
            #expect(result.diagnostics.map(\.code) == (tooLong ? [.tokenTooLong] : []), "\(contentLength)")
            #expect(result.tokens[0].text.utf8.count == (tooLong ? 35 : contentLength))
        }
        let invalid = Lexer.tokenize(SourceFile(name: "t", bytes: Array("\"a".utf8) + [0xFF] + Array("b\"".utf8)))
        #expect(invalid.diagnostics.map(\.code) == [.invalidUTF8])
        #expect(invalid.tokens[0].text == "a\u{FFFD}b")
    }

    @Test func numberGluedToUnit() {
        let tokens = Lexer.tokenize(SourceFile(name: "t", text: "1.5kWh")).tokens
        #expect(tokens.map(\.kind) == [.number, .identifier, .endOfFile])
        #expect(tokens[1].text == "kWh")
        #expect(tokens[1].spaceBefore == false)
    }

    @Test func stringEscapes() {
        let tokens = Lexer.tokenize(SourceFile(name: "t", text: #""a\"b\\c\n\t\u{1F600}""#)).tokens
        #expect(tokens[0].text == "a\"b\\c\n\t😀")
    }

    @Test func commentsAreKeptWithTrailingFlag() {
        let result = Lexer.tokenize(SourceFile(name: "t", text: "# lead\nlet x = 1 # tail\n"))
        #expect(result.comments.map(\.text) == ["# lead", "# tail"])
        #expect(result.comments.map(\.trailing) == [false, true])
    }

    @Test(arguments: [
        ("\"open", DiagnosticCode.unterminatedString, "\"open"),
        ("\"bad \\q\"", .invalidEscape, "\\q"),
        ("a ! b", .invalidCharacter, "!"),
        ("a && b", .invalidCharacter, "&&"),
        ("75 °C", .invalidCharacter, "°"),
        ("\"\\u{110000}\"", .invalidEscape, "\\u{110000}"),
    ])
    func lexicalErrors(_ input: String, _ code: DiagnosticCode, _ underlined: String) {
        let result = Lexer.tokenize(SourceFile(name: "t", text: input))
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.code == code)
        #expect(result.diagnostics.first?.underlined == underlined)
    }

    @Test func invalidUTF8AndNulBytesAreDiagnosed() {
        let source = SourceFile(name: "t", bytes: [0x61, 0x20, 0xFF, 0x20, 0x00, 0x62])
        let result = Lexer.tokenize(source)
        #expect(result.diagnostics.map(\.code) == [.invalidUTF8, .invalidCharacter])
        #expect(result.tokens.filter { $0.kind == .identifier }.map(\.text) == ["a", "b"])
    }

    @Test func hugeNumberIsAnErrorNotACrash() {
        let result = Lexer.tokenize(SourceFile(name: "t", text: String(repeating: "9", count: 400)))
        #expect(result.diagnostics.first?.code == .malformedNumber)
    }
}
