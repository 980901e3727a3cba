/// Resolves names, types and physical units once ("plan time"), producing a typed tree
/// the compiler turns into closures. Reports every error it finds and keeps going:
/// an expression with an error gets type `error`, which silences follow-on errors.
public final class Checker {
    public struct Options: Sendable {
        /// A rule whose static cost estimate exceeds this is rejected (E0601).
        public var maxRuleCost: Int = 1_000_000_000
        /// Above this the checker warns (W0601).
        public var warnRuleCost: Int = 50_000_000
        public init() {}
    }

    let vocabulary: Vocabulary
    let options: Options
    var diagnostics: [Diagnostic] = []
    /// What `report` has seen (duplicates are dropped) and errors per file (capped).
    var reported: Set<ReportedKey> = []
    var errorCounts: [ObjectIdentifier?: Int] = [:]
    var currentSource: SourceFile?

    // Definitions (`let`/`const`) across all files of a program.
    enum DefinitionState {
        case unchecked
        case checking
        case checkedLet(index: Int, type: WattType, displayUnit: String?)
        case checkedConst(value: Value, type: WattType, displayUnit: String?)
        case failed
    }
    struct Definition {
        var binding: Binding
        var source: SourceFile
        var state: DefinitionState = .unchecked
        var used = false
    }
    var definitions: [String: Definition] = [:]
    var definitionOrder: [String] = []
    var lets: [TypedLet] = []
    var letSizes: [Int] = []
    var letCosts: [Int] = []
    /// How deep evaluating each `let` nests, counting the lets it reads (`evaluationDepth`).
    var letDepths: [Int] = []
    /// `check` calls in progress, across the definitions being checked on first use.
    var nesting = 0

    /// Evaluating an expression recurses over its tree and into the `let`s it reads. A
    /// `let` or rule nesting deeper than this, counting those lets, is error E0206, like
    /// an expression nested deeper than `Parser.maxDepth`: no chain of definitions can
    /// overflow the stack of the checker, the cost estimate or the evaluator.
    public static let maxEvaluationDepth = 512

    /// Element scopes opened by `where`, aggregates and `top`, innermost last.
    struct ElementScope {
        var elementType: WattType
        var depth: Int
    }
    var scopes: [ElementScope] = []
    var maxDepth = 0
    /// Set while checking a `const`: only constant things may be referenced.
    var constContext: String?
    /// Chain of definitions being checked, for cycle diagnostics.
    var definitionStack: [String] = []
    /// Definitions that did not parse; their uses are not reported again.
    var brokenNames: Set<String> = []

    public init(vocabulary: Vocabulary, options: Options = Options()) {
        self.vocabulary = vocabulary
        self.options = options
    }

    // MARK: Diagnostics (the one place that files them)

    func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange,
               labels: [Diagnostic.Label] = [], help: String? = nil) {
        report(Diagnostic(.error, code, message, at: range, labels: labels, help: help))
    }
    func warning(_ code: DiagnosticCode, _ message: String, at range: SourceRange, help: String? = nil) {
        report(Diagnostic(.warning, code, message, at: range, help: help))
    }
    func report(_ diagnostic: Diagnostic) {
        var d = diagnostic
        if d.source == nil { d.source = currentSource }
        let file = d.source.map(ObjectIdentifier.init)
        guard reported.insert(ReportedKey(code: d.code, range: d.range, file: file)).inserted else { return }
        // Like `DiagnosticBag`: after `maxErrors` errors in one file the rest are dropped,
        // so a file of a million bad lines costs a million checks, not a million messages.
        if d.severity == .error {
            let count = errorCounts[file, default: 0] + 1
            errorCounts[file] = count
            if count > DiagnosticBag.maxErrors { return }
            if count == DiagnosticBag.maxErrors {
                diagnostics.append(d)
                var stop = Diagnostic(.error, .inputTooLarge, "too many errors; stopped after \(DiagnosticBag.maxErrors)",
                                      at: d.range, help: "is this a policy file?")
                stop.source = d.source
                diagnostics.append(stop)
                return
            }
        }
        diagnostics.append(d)
    }

    /// False once the current file has `DiagnosticBag.maxErrors` errors: later errors
    /// are dropped, so the checker skips the work of their messages ("did you mean"
    /// searches over every name, which would make a file of bad lines quadratic).
    var canReportErrors: Bool {
        errorCounts[currentSource.map(ObjectIdentifier.init), default: 0] < DiagnosticBag.maxErrors
    }

    struct ReportedKey: Hashable {
        var code: DiagnosticCode
        var range: SourceRange
        var file: ObjectIdentifier?
    }

    // MARK: Programs

    /// Checks the declarations of several files as one program (names are shared).
    public func check(_ units: [SourceUnit]) -> (CheckedProgram, [Diagnostic]) {
        for unit in units { brokenNames.formUnion(unit.brokenNames) }
        for unit in units {
            currentSource = unit.source
            for case .binding(let binding) in unit.declarations {
                if let existing = definitions[binding.name.name] {
                    error(.duplicateDefinition, "`\(binding.name.name)` is defined twice", at: binding.name.range,
                          labels: [.init(range: existing.binding.name.range, message: "first definition here",
                                         source: existing.source)])
                    continue
                }
                if vocabulary.names[binding.name.name] != nil || binding.name.name == "now" {
                    warning(.shadowedName, "`\(binding.name.name)` hides the host's name of the same spelling",
                            at: binding.name.range, help: "rename the definition to keep the host's `\(binding.name.name)` reachable")
                }
                definitions[binding.name.name] = Definition(binding: binding, source: unit.source)
                definitionOrder.append(binding.name.name)
            }
        }
        for name in definitionOrder { _ = resolveDefinition(name) }

        var rules: [TypedRule] = []
        var ruleNames: [String: (SourceRange, SourceFile)] = [:]
        for unit in units {
            currentSource = unit.source
            for case .rule(let rule) in unit.declarations {
                if let name = rule.name {
                    if let (earlier, file) = ruleNames[name.name] {
                        error(.duplicateDefinition, "rule `\(name.name)` is defined twice", at: name.range,
                              labels: [.init(range: earlier, message: "first definition here", source: file)])
                    }
                    ruleNames[name.name] = (name.range, unit.source)
                }
                if let typed = checkRule(rule, source: unit.source) { rules.append(typed) }
            }
        }
        for name in definitionOrder {
            guard let d = definitions[name], !d.used else { continue }
            currentSource = d.source
            warning(.unusedDefinition, "`\(name)` is never used", at: d.binding.name.range,
                    help: "remove it, or use it in a rule")
        }
        var consts: [String: (value: Value, type: WattType, displayUnit: String?)] = [:]
        for (name, d) in definitions {
            if case .checkedConst(let v, let t, let u) = d.state { consts[name] = (v, t, u) }
        }
        let program = CheckedProgram(lets: lets, consts: consts, rules: rules, maxElementDepth: maxDepth + 1)
        return (program, diagnostics)
    }

    /// Checks one expression against the vocabulary and, optionally, the definitions of a
    /// program checked before (for `watt eval` and the REPL).
    public func checkExpression(_ expr: Expr, source: SourceFile) -> (TypedExpr, [Diagnostic]) {
        currentSource = source
        let typed = check(expr)
        return (typed, diagnostics)
    }

    /// Looks up (checking on first use) a `let` or `const`. `usedAt` is the reference
    /// being checked, if any.
    func resolveDefinition(_ name: String, usedAt: SourceRange? = nil) -> DefinitionState? {
        guard let state = definitions[name]?.state else { return nil }
        switch state {
        case .checking:
            return reportCycle(name)
        case .unchecked:
            // Checking a definition on first use recurses: a chain of definitions, each
            // using the next, is checked on one stack. Past the evaluation depth limit
            // the chain would be rejected anyway (its evaluation nests at least this deep).
            if nesting > Checker.maxEvaluationDepth, let usedAt { return reportTooDeep(name, usedAt) }
            return checkDefinition(name)
        default:
            return state
        }
    }

    @inline(never)
    private func reportCycle(_ name: String) -> DefinitionState {
        let cycle = definitionStack.drop(while: { $0 != name }).map { "`\($0)`" } + ["`\(name)`"]
        error(.cyclicDefinition, "`\(name)` is defined in terms of itself: \(cycle.joined(separator: " → "))",
              at: definitions[name]!.binding.name.range, help: "definitions may not depend on themselves; break the cycle")
        definitions[name]!.state = .failed
        return .failed
    }

    /// The use is an error; the definition stays unchecked (checked later on its own).
    @inline(never)
    private func reportTooDeep(_ name: String, _ usedAt: SourceRange) -> DefinitionState {
        error(.nestingTooDeep, "`\(name)` is used more than \(Checker.maxEvaluationDepth) levels deep, counting the definitions on the way",
              at: usedAt, help: "compute the value from fewer nested definitions")
        return .failed
    }

    /// What checking a definition saves and restores.
    private struct DefinitionContext {
        var source: SourceFile?
        var scopes: [ElementScope]
        var constContext: String?
    }

    private func checkDefinition(_ name: String) -> DefinitionState {
        let context = enterDefinition(name)
        let typed = check(definitions[name]!.binding.value)
        return finishDefinition(name, typed, context)
    }

    @inline(never)
    private func enterDefinition(_ name: String) -> DefinitionContext {
        let definition = definitions[name]!
        definitions[name]!.state = .checking
        definitionStack.append(name)
        let context = DefinitionContext(source: currentSource, scopes: scopes, constContext: constContext)
        currentSource = definition.source
        scopes = []
        if definition.binding.isConst { constContext = name }
        return context
    }

    @inline(never)
    private func finishDefinition(_ name: String, _ typed: TypedExpr, _ context: DefinitionContext) -> DefinitionState {
        var definition = definitions[name]!
        constContext = context.constContext
        scopes = context.scopes
        definitionStack.removeLast()

        if typed.type.isError {
            definition.state = .failed
        } else if definition.binding.isConst {
            switch ConstEvaluator.evaluate(typed, maxDepth: maxDepth + 1) {
            case .success(let value):
                definition.state = .checkedConst(value: value, type: typed.type, displayUnit: typed.displayUnit)
            case .failure(let message):
                error(.constEvaluationFailed, "`\(name)` cannot be computed: \(message)", at: definition.binding.value.range)
                definition.state = .failed
            }
        } else if case let depth = evaluationDepth(typed), depth > Checker.maxEvaluationDepth {
            error(.nestingTooDeep, "`\(name)` nests \(depth) levels deep, counting the definitions it uses, over the limit of \(Checker.maxEvaluationDepth)",
                  at: definition.binding.name.range, help: "compute it from fewer nested definitions")
            definition.state = .failed
        } else {
            let index = lets.count
            lets.append(TypedLet(name: name, value: typed, range: definition.binding.range, source: definition.source))
            letSizes.append(estimatedSize(typed))
            letCosts.append(estimateCost(typed))
            letDepths.append(evaluationDepth(typed))
            definition.state = .checkedLet(index: index, type: typed.type, displayUnit: typed.displayUnit)
        }
        currentSource = context.source
        definition.used = definitions[name]!.used
        definitions[name] = definition
        return definition.state
    }

    // MARK: Element scopes

    func withElementScope<T>(_ elementType: WattType, _ body: (Int) -> T) -> T {
        let depth = scopes.count
        maxDepth = max(maxDepth, depth)
        scopes.append(ElementScope(elementType: elementType, depth: depth))
        defer { scopes.removeLast() }
        return body(depth)
    }

    /// Every name visible here, for "did you mean" suggestions: fields in scope and the
    /// host's names first, then at most `maxSuggestedDefinitions` definitions (in a file
    /// of 100,000 definitions, each unknown name would otherwise cost 100,000 edit
    /// distances).
    func visibleNames() -> [String] {
        var names: [String] = []
        for scope in scopes {
            if let schema = vocabulary.schema(of: scope.elementType) {
                names.append(contentsOf: schema.fields.map(\.name))
                names.append(schema.name)
            }
        }
        names.append(contentsOf: vocabulary.nameOrder)
        names.append("now")
        names.append(contentsOf: definitionOrder.prefix(Checker.maxSuggestedDefinitions))
        return names
    }

    static let maxSuggestedDefinitions = 1_000

    /// `power (kW)`, `time (h)`, `number`: how a typed operand is named in messages.
    func describe(_ e: TypedExpr) -> String {
        guard case .quantity(let d) = e.type.unwrapped, !d.isDimensionless else { return e.type.description }
        let unit = e.displayUnit ?? UnitTable.typicalSymbol(for: d) ?? QuantityFormatter.canonicalSymbol(d)
        return "\(d.name) (\(unit))"
    }
}
