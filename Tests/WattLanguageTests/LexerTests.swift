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
