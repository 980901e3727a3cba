import Foundation
import Testing
@testable import WattLanguage

@Suite struct FormatterTests {
    static let parsable: [CorpusFile] = CorpusFile.all.filter { file in
        guard let data = try? Data(contentsOf: file.url) else { return false }
        return !Parser.parse(SourceFile(name: file.relativePath, bytes: Array(data))).diagnostics.hasErrors
    }

    func format(_ text: String) -> String {
        Formatter.format(Parser.parse(SourceFile(name: "f.watt", text: text)).unit)
    }

    /// parse → print → parse gives the same tree, for every corpus file that parses.
    @Test(arguments: parsable)
    func roundTripAndIdempotence(_ file: CorpusFile) throws {
        let first = Parser.parse(SourceFile(name: "a", bytes: Array(try Data(contentsOf: file.url))))
        let formatted = Formatter.format(first.unit)
        let second = Parser.parse(SourceFile(name: "b", text: formatted))
        #expect(second.diagnostics.isEmpty, "formatted output does not parse:\n\(formatted)")
        #expect(ASTDump.dump(first.unit) == ASTDump.dump(second.unit))
        #expect(Formatter.format(second.unit) == formatted, "fmt is not idempotent")
        // Every comment survives.
        for comment in first.unit.comments {
            #expect(formatted.contains(comment.text), "lost comment \(comment.text)")
        }
    }

    @Test func canonicalLayoutGolden() throws {
        let input = CorpusFile.directory.appendingPathComponent("format/messy.watt")
        let expectedURL = CorpusFile.directory.appendingPathComponent("format/messy.formatted")
        let actual = format(try String(contentsOf: input, encoding: .utf8))
        if ProcessInfo.processInfo.environment["WATT_RECORD"] == "1" {
            try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
        }
        #expect(actual == (try String(contentsOf: expectedURL, encoding: .utf8)))
    }

    @Test func minimalParentheses() {
        #expect(format("let x = ((1 + 2)) * (3)") == "let x = (1 + 2) * 3\n")
        #expect(format("let x = 1 - (2 - 3)") == "let x = 1 - (2 - 3)\n")
        #expect(format("let x = (1 - 2) - 3") == "let x = 1 - 2 - 3\n")
        #expect(format("let x = - (-1)") == "let x = - -1\n")
        #expect(format("let x = (a ?? b) ?? c") == "let x = a ?? b ?? c\n")
        #expect(format("let x = (jobs where a) where b") == "let x = jobs where a where b\n")
        #expect(format("let x = jobs where (a where b)") == "let x = jobs where (a where b)\n")
        #expect(format("let x = (if a then 1 else 2) + 1") == "let x = (if a then 1 else 2) + 1\n")
        #expect(format("let x = not (a and b)") == "let x = not (a and b)\n")
        #expect(format("let x = (not a) and b") == "let x = not a and b\n")
        #expect(format("let x = \"tab\\there\\u{1}\"") == "let x = \"tab\\there\\u{1}\"\n")
        // A negative reading before a field keeps its parentheses (the property test's seed
        // 1765190471810019000 found `-75 degC.priority` reading back as `-(75 degC.priority)`).
        #expect(format("let x = (-75 degC).priority") == "let x = (-75 degC).priority\n")
        #expect(format("let x = -(75 degC.priority)") == "let x = -75 degC.priority\n")
    }

    @Test func blankLinesBetweenDeclarationsAreKeptOnce() {
        #expect(format("let a = 1\n\n\n\nlet b = 2\nlet c = 3") == "let a = 1\n\nlet b = 2\nlet c = 3\n")
    }
}
