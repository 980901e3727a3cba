/// The named, ordered stages from source text to a runnable program:
/// lex → parse → check (names, types, units, cost) → compile (closures).
/// Each stage reports diagnostics; compilation stops after a stage with errors.
public enum Stage: String, Sendable, CaseIterable {
    case parse, check, compile
}

public struct CompilationResult: Sendable {
    public var units: [SourceUnit]
    public var program: Program?
    public var diagnostics: [Diagnostic]
    /// The last stage that ran.
    public var stage: Stage
    public var hasErrors: Bool { diagnostics.hasErrors }
}

public enum Compilation {
    public static func compile(_ sources: [SourceFile], vocabulary: Vocabulary,
                               options: Checker.Options = Checker.Options(), stopAfter: Stage = .compile) -> CompilationResult {
        var diagnostics: [Diagnostic] = []
        var units: [SourceUnit] = []
        for source in sources {
            let parsed = Parser.parse(source)
            units.append(parsed.unit)
            diagnostics.append(contentsOf: parsed.diagnostics)
        }
        if stopAfter == .parse {
            return CompilationResult(units: units, program: nil, diagnostics: diagnostics, stage: .parse)
        }
        // The checker also runs on the declarations that did parse, so one run reports
        // syntax and type errors together.
        let (checked, checkDiagnostics) = Checker(vocabulary: vocabulary, options: options).check(units)
        diagnostics.append(contentsOf: checkDiagnostics)
        // The host's whole-program analyses see only programs that checked cleanly.
        if !diagnostics.hasErrors {
            for analysis in vocabulary.analyses { diagnostics.append(contentsOf: analysis.run(checked, vocabulary)) }
        }
        diagnostics.sort { a, b in
            let fa = sources.firstIndex { $0 === a.source } ?? 0, fb = sources.firstIndex { $0 === b.source } ?? 0
            return (fa, a.range.start) < (fb, b.range.start)
        }
        diagnostics = capErrors(diagnostics)
        if diagnostics.hasErrors || stopAfter == .check {
            return CompilationResult(units: units, program: nil, diagnostics: diagnostics, stage: .check)
        }
        let program = Program(vocabulary: vocabulary, checked: checked)
        return CompilationResult(units: units, program: program, diagnostics: diagnostics, stage: .compile)
    }
}

extension Compilation {
    /// At most `DiagnosticBag.maxErrors` errors per file, then one E0208, counting the
    /// parser's and the checker's together (each caps its own already).
    static func capErrors(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var counts: [ObjectIdentifier?: Int] = [:]
        var kept: [Diagnostic] = []
        kept.reserveCapacity(diagnostics.count)
        for d in diagnostics {
            guard d.severity == .error else { kept.append(d); continue }
            let file = d.source.map(ObjectIdentifier.init)
            let count = counts[file, default: 0]
            // The stages' own E0208s are replaced by the one added here.
            if count >= DiagnosticBag.maxErrors || d.code == .inputTooLarge { continue }
            kept.append(d)
            counts[file] = count + 1
            if count + 1 == DiagnosticBag.maxErrors { kept.append(DiagnosticBag.tooManyErrors(after: d)) }
        }
        return kept
    }
}

/// Evaluates a single expression (`watt eval`, the REPL) against a vocabulary, inputs and,
/// optionally, the definitions of a program.
public struct ExpressionResult: Sendable {
    public var value: Value
    public var type: WattType
    public var displayUnit: String?
    public var formatted: String

    /// The value as a temperature reading where a host expects one and this is kelvin
    /// (`given node("a").temperature = 353.15 K` is 80 degC); nil when it is below 0 K.
    /// Any other value is returned as it is.
    public func asReading(where expected: WattType) -> ExpressionResult? {
        guard expected.unwrapped == .quantity(.temperature), type.unwrapped == .quantity(.kelvin) else { return self }
        guard case .number(let kelvin) = value else { return self }
        guard kelvin >= 0 else { return nil }
        var reading = self
        reading.value = .number(kelvin + UnitTable.absoluteZeroCelsius)
        reading.type = WattType.quantity(.temperature).optional(if: type.isOptional)
        return reading
    }
}

public enum ExpressionEvaluator {
    public enum Failure: Error {
        case diagnostics([Diagnostic])
        case evaluation(Diagnostic)
    }

    public static func evaluate(_ source: SourceFile, vocabulary: Vocabulary, inputs: Inputs, now: Double,
                                definitions: [SourceUnit] = [], limits: Program.Limits = Program.Limits(),
                                interrupted: (() -> Bool)? = nil)
        -> Result<ExpressionResult, Failure> {
        let (parsed, parseDiagnostics) = Parser.parseExpression(source)
        guard let expr = parsed, !parseDiagnostics.hasErrors else { return .failure(.diagnostics(parseDiagnostics)) }
        let checker = Checker(vocabulary: vocabulary)
        let (checkedDefinitions, definitionDiagnostics) = checker.check(definitions)
        if definitionDiagnostics.hasErrors { return .failure(.diagnostics(definitionDiagnostics)) }
        let (typed, diagnostics) = checker.checkExpression(expr, source: source)
        let errors = diagnostics.filter { $0.source === source && $0.severity == .error }
        if !errors.isEmpty || typed.type.isError { return .failure(.diagnostics(errors)) }
        var checked = checkedDefinitions
        checked.maxElementDepth = max(checked.maxElementDepth, checker.maxDepth + 1)
        checked.lets = checker.lets
        let program = Program(vocabulary: vocabulary, checked: checked)
        let f = Compiler(source: source, letValue: { ctx, i throws(EvalError) in try Program.evaluateLet(ctx, i) }).value(typed)
        let ctx = program.makeContext(inputs, now: now, stepLimit: limits.stepsPerRule)
        ctx.interrupted = interrupted
        do {
            let v = try f(ctx)
            let formatted = ValueFormatter.format(v, typed.type, unit: typed.displayUnit, vocabulary: vocabulary)
            return .success(ExpressionResult(value: v, type: typed.type, displayUnit: typed.displayUnit, formatted: formatted))
        } catch {
            var d: Diagnostic
            switch error {
            case .missing(let range, let what):
                d = Diagnostic(.error, .missingValue, "`\(what)` has no value", at: range,
                               help: "use `?? DEFAULT` to give gaps a value")
            case .budgetExceeded(let limit):
                d = Diagnostic(.error, .budgetExceeded, "evaluation stopped after \(limit) steps", at: typed.range)
            case .interrupted:
                d = Diagnostic(.error, .budgetExceeded, "evaluation interrupted", at: typed.range)
            case .arithmetic(let range, let message), .host(let range, let message):
                d = Diagnostic(.error, .arithmeticError, message, at: range)
            }
            d.source = source
            return .failure(.evaluation(d))
        }
    }
}
