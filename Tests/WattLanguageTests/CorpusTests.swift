import Foundation
import Testing
@testable import WattLanguage

/// The conformance corpus: every `.watt` file under `Corpus/` is one test. Its first line
/// says what must happen (`# expect: ok`, `# expect: syntax-error`, `# expect: error E0401 ...`);
/// its `.golden` file holds the exact diagnostics and, for programs that compile, the
/// values of its `let`s and the outcome of each rule in the demo world.
/// Refresh goldens with `WATT_RECORD=1 swift test --filter CorpusTests`.
struct CorpusFile: CustomTestStringConvertible, Sendable {
    let url: URL
    let relativePath: String
    var testDescription: String { relativePath }

    static let directory = Repository.root.appendingPathComponent("Tests/WattLanguageTests/Corpus")

    /// Files skipped on purpose, each with a reason (`path # reason`).
    static let skipped: [String: String] = {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("skip.txt"), encoding: .utf8) else { return [:] }
        var table: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "#", maxSplits: 1)
            guard parts.count == 2 else { continue }
            table[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        return table
    }()

    static let all: [CorpusFile] = {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
        return enumerator.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "watt" }
            .map { url in
                CorpusFile(url: url, relativePath: String(url.path.dropFirst(directory.path.count + 1)))
            }
            .filter { skipped[$0.relativePath] == nil }
            .sorted { $0.relativePath < $1.relativePath }
    }()
}

enum Expectation: Equatable {
    case ok
    case syntaxError
    case errors(Set<String>)

    static func read(_ text: String) -> Expectation? {
        guard let first = text.split(separator: "\n", omittingEmptySubsequences: false).first,
              first.hasPrefix("# expect:") else { return nil }
        let words = first.dropFirst("# expect:".count).split(separator: " ").map(String.init)
        switch words.first {
        case "ok": return .ok
        case "syntax-error": return .syntaxError
        case "error": return .errors(Set(words.dropFirst()))
        default: return nil
        }
    }
}

@Suite struct CorpusTests {
    @Test func corpusIsNotEmpty() {
        #expect(CorpusFile.all.count >= 60, "the corpus should cover the language; found \(CorpusFile.all.count) files")
    }

    @Test(arguments: CorpusFile.all)
    func conformance(_ file: CorpusFile) throws {
        let data = try Data(contentsOf: file.url)
        let source = SourceFile(name: file.relativePath, bytes: Array(data))
        let text = String(decoding: data, as: UTF8.self)
        let expectation = try #require(Expectation.read(text), "\(file.relativePath) needs a `# expect:` first line")
        let result = Compilation.compile([source], vocabulary: TestWorld.vocabulary)
        let parseErrors = Parser.parse(source).diagnostics.errors
        let errorCodes = Set(result.diagnostics.errors.map(\.code.rawValue))
        switch expectation {
        case .ok:
            #expect(errorCodes.isEmpty, "expected no errors:\n\(DiagnosticRenderer.text(result.diagnostics))")
        case .syntaxError:
            #expect(!parseErrors.isEmpty, "expected the parser to reject the file")
        case .errors(let codes):
            #expect(parseErrors.isEmpty, "expected a parse without errors:\n\(DiagnosticRenderer.text(parseErrors))")
            #expect(errorCodes == codes, "expected \(codes.sorted()), got:\n\(DiagnosticRenderer.text(result.diagnostics))")
        }
        try compareGolden(file, render(result))
    }

    /// Hosts may hand collections of records as tables (column scans, selections) or as
    /// boxed lists; every corpus file must evaluate to the same output either way.
    @Test(arguments: CorpusFile.all)
    func tablesAndListsAgree(_ file: CorpusFile) throws {
        let data = try Data(contentsOf: file.url)
        let source = SourceFile(name: file.relativePath, bytes: Array(data))
        let result = Compilation.compile([source], vocabulary: TestWorld.vocabulary)
        guard result.program != nil else { return }
        #expect(render(result, tables: true) == render(result, tables: false))
    }

    func render(_ result: CompilationResult, tables: Bool = false) -> String {
        var out = "# diagnostics\n" + DiagnosticRenderer.text(result.diagnostics)
        guard let program = result.program else { return out }
        let inputs = tables ? TestWorld.inputs().tabulated() : TestWorld.inputs()
        let definitions = program.evaluateDefinitions(inputs, now: TestWorld.now)
        if !definitions.isEmpty {
            out += "# lets\n"
            for (name, value) in definitions {
                switch value {
                case .success(let text): out += "\(name) = \(text)\n"
                case .failure(let error): out += "\(name) failed: \(error)\n"
                }
            }
        }
        let evaluation = program.evaluate(inputs, now: TestWorld.now)
        if !evaluation.outcomes.isEmpty { out += "# rules\n" }
        for outcome in evaluation.outcomes {
            out += "rule \(outcome.rule): \(outcome.status)\n"
            for action in outcome.actions { out += "  \(action.describe(vocabulary: TestWorld.vocabulary))\n" }
            for term in outcome.explanation { out += "  because \(term.rendered)\n" }
            if let d = outcome.diagnostic { out += "  \(d.code.rawValue) \(d.message)\n" }
        }
        return out
    }

    func compareGolden(_ file: CorpusFile, _ actual: String) throws {
        let golden = file.url.deletingPathExtension().appendingPathExtension("golden")
        if ProcessInfo.processInfo.environment["WATT_RECORD"] == "1" {
            try actual.write(to: golden, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: golden, encoding: .utf8) else {
            Issue.record("\(file.relativePath) has no golden file; run `WATT_RECORD=1 swift test --filter CorpusTests` and review it")
            return
        }
        #expect(actual == expected, "golden mismatch for \(file.relativePath)")
    }
}
