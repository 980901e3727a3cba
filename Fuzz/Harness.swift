import Foundation
@testable import WattLanguage

/// The libFuzzer entry point (`scripts/fuzz.sh` builds it with `-sanitize=fuzzer,address`).
/// Every input runs the whole front end and, when it compiles, the evaluator:
///
/// 1. lex, parse, check and compile as a policy file against the demo vocabulary, and
///    render every diagnostic as text and JSON;
/// 2. format and dump the tree; when the file parsed without errors, the formatted text
///    must parse to the same tree and format to itself (a broken oracle is a crash);
/// 3. evaluate the program in the demo world given as boxed lists and as tables, with
///    small step budgets, and require both to give the same outcomes;
/// 4. evaluate the bytes as one expression, as `watt eval` does.
///
/// A trap, a sanitizer report, a stack overflow or an input running over `-timeout` is a
/// finding; everything else (diagnostics, budgets exceeded) is the expected behaviour.
enum Fuzz {
    static let vocabulary = DemoVocabulary.make()
    static let now = TimeCalendar.parseISO8601("2026-11-29T18:00:00Z")!
    static let lists = try! JSONWorld.inputs(from: Data(DemoVocabulary.worldJSON.utf8), vocabulary: vocabulary).0
    static let tables = lists.tabulated()
    static let limits = Program.Limits(stepsPerRule: 20_000, stepsPerTick: 100_000)

    static func run(_ bytes: [UInt8]) {
        let source = SourceFile(name: "fuzz.watt", bytes: bytes)
        let result = Compilation.compile([source], vocabulary: vocabulary)
        _ = DiagnosticRenderer.text(result.diagnostics)
        _ = DiagnosticRenderer.json(result.diagnostics)

        let parsed = Parser.parse(source)
        let formatted = Formatter.format(parsed.unit)
        let dump = ASTDump.dump(parsed.unit)
        if !parsed.diagnostics.hasErrors {
            let again = Parser.parse(SourceFile(name: "formatted.watt", text: formatted))
            check(!again.diagnostics.hasErrors, "the formatted program does not parse:\n\(formatted)\n\(DiagnosticRenderer.text(again.diagnostics))")
            check(ASTDump.dump(again.unit) == dump, "formatting changed the tree:\n\(formatted)")
            check(Formatter.format(again.unit) == formatted, "formatting is not idempotent:\n\(formatted)")
        }

        if let program = result.program {
            let a = render(program.evaluate(lists, now: now, limits: limits, explainAll: true))
            let b = render(program.evaluate(tables, now: now, limits: limits, explainAll: true))
            check(a == b, "lists and tables disagree:\n\(a)\n---\n\(b)")
            for (_, value) in program.evaluateDefinitions(tables, now: now, limits: limits) { _ = value }
        }

        switch ExpressionEvaluator.evaluate(source, vocabulary: vocabulary, inputs: tables, now: now, limits: limits) {
        case .success(let r): _ = r.formatted
        case .failure(.diagnostics(let d)): _ = DiagnosticRenderer.text(d)
        case .failure(.evaluation(let d)): _ = DiagnosticRenderer.text(d)
        }
    }

    /// Outcomes as text. Budget failures are left out: lists and tables charge steps
    /// differently (a column scan is one step per row, a boxed filter more), so where a
    /// budget runs out may differ; everything else must agree.
    static func render(_ evaluation: Evaluation) -> String {
        var out = ""
        for outcome in evaluation.outcomes {
            if outcome.diagnostic?.code == .budgetExceeded { out += "rule \(outcome.rule): budget\n"; continue }
            out += "rule \(outcome.rule): \(outcome.status)\n"
            for action in outcome.actions { out += "  \(action.describe(vocabulary: vocabulary))\n" }
            for term in outcome.explanation { out += "  because \(term.rendered)\n" }
            if let d = outcome.diagnostic { out += "  \(d.code.rawValue) \(d.message)\n" + DiagnosticRenderer.text(d) }
        }
        return out
    }

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition {
            FileHandle.standardError.write(Data(("watt-fuzz: " + message() + "\n").utf8))
            abort()
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func wattFuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    Fuzz.run(bytes)
    return 0
}
