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
        if diagnostics.contains(where: { $0.code == d.code && $0.range == d.range && $0.source === d.source }) { return }
        diagnostics.append(d)
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

    /// Looks up (checking on first use) a `let` or `const`.
    func resolveDefinition(_ name: String) -> DefinitionState? {
        guard var definition = definitions[name] else { return nil }
        switch definition.state {
        case .checking:
            let cycle = definitionStack.drop(while: { $0 != name }).map { "`\($0)`" } + ["`\(name)`"]
            error(.cyclicDefinition, "`\(name)` is defined in terms of itself: \(cycle.joined(separator: " → "))",
                  at: definition.binding.name.range, help: "definitions may not depend on themselves; break the cycle")
            definitions[name]!.state = .failed
            return .failed
        case .unchecked:
            break
        default:
            return definition.state
        }
        definitions[name]!.state = .checking
        definitionStack.append(name)
        let savedSource = currentSource
        let savedScopes = scopes
        let savedConst = constContext
        currentSource = definition.source
        scopes = []
        if definition.binding.isConst { constContext = name }
        let typed = check(definition.binding.value)
        constContext = savedConst
        scopes = savedScopes
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
        } else {
            let index = lets.count
            lets.append(TypedLet(name: name, value: typed, range: definition.binding.range, source: definition.source))
            letSizes.append(estimatedSize(typed))
            letCosts.append(estimateCost(typed))
            definition.state = .checkedLet(index: index, type: typed.type, displayUnit: typed.displayUnit)
        }
        currentSource = savedSource
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

    /// Every name visible here, for "did you mean" suggestions.
    func visibleNames() -> [String] {
        var names: [String] = []
        for scope in scopes {
            if let schema = vocabulary.schema(of: scope.elementType) {
                names.append(contentsOf: schema.fields.map(\.name))
                names.append(schema.name)
            }
        }
        names.append(contentsOf: definitionOrder)
        names.append(contentsOf: vocabulary.nameOrder)
        names.append("now")
        return names
    }

    /// `power (kW)`, `time (h)`, `number`: how a typed operand is named in messages.
    func describe(_ e: TypedExpr) -> String {
        guard case .quantity(let d) = e.type.unwrapped, !d.isDimensionless else { return e.type.description }
        let unit = e.displayUnit ?? UnitTable.typicalSymbol(for: d) ?? QuantityFormatter.canonicalSymbol(d)
        return "\(d.name) (\(unit))"
    }
}
