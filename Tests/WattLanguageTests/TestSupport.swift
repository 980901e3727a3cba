import Foundation
import Testing
import WattTestSupport
import WattDemoVocabulary
@testable import WattLanguage

/// Helpers shared by the language tests. The demo vocabulary and world are the ones
/// `watt eval` uses, so tests and the CLI agree.
enum TestWorld {
    static let vocabulary = DemoVocabulary.make()
    static let now = TimeCalendar.parseISO8601("2026-11-29T18:00:00Z")!

    static func inputs() -> Inputs {
        try! JSONWorld.inputs(from: Data(DemoVocabulary.worldJSON.utf8), vocabulary: vocabulary).0
    }

    static func parse(_ text: String, name: String = "test.watt") -> Parser.Result {
        Parser.parse(SourceFile(name: name, text: text))
    }

    static func compile(_ text: String) -> CompilationResult {
        Compilation.compile([SourceFile(name: "test.watt", text: text)], vocabulary: vocabulary)
    }

    /// Errors of compiling `text`, as (code, underlined text) pairs.
    static func errors(_ text: String) -> [(String, String)] {
        compile(text).diagnostics.filter { $0.severity == .error }.map { ($0.code.rawValue, $0.underlined) }
    }

    /// Evaluates an expression in the demo world and returns its printed value, or the
    /// first diagnostic's message.
    static func eval(_ text: String, tables: Bool = false) -> String {
        let source = SourceFile(name: "<expr>", text: text)
        switch ExpressionEvaluator.evaluate(source, vocabulary: vocabulary, inputs: tables ? inputs().tabulated() : inputs(), now: now) {
        case .success(let r): return r.formatted
        case .failure(.diagnostics(let d)): return "error: " + (d.first.map { "\($0.code.rawValue) \($0.message)" } ?? "?")
        case .failure(.evaluation(let d)): return "error: \(d.code.rawValue) \(d.message)"
        }
    }

    static func evaluate(_ text: String) -> Evaluation {
        let result = compile(text)
        guard let program = result.program else {
            Issue.record("does not compile:\n\(DiagnosticRenderer.text(result.diagnostics))")
            return Evaluation(now: now, outcomes: [], steps: 0)
        }
        return program.evaluate(inputs(), now: now)
    }
}

/// The repository root, found from this file's path (tests read the corpus in place so
/// record mode can rewrite goldens).
enum Repository {
    static let root: URL = RepositoryRoot.url
}
