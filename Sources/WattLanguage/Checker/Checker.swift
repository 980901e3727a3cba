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
    // The checker's state is only touched by its own methods, one at a time (a checker is
    // not shared between threads, and no access overlaps another): `@exclusivity(unchecked)`
    // drops the run-time exclusivity check on each access (`swift_beginAccess`), about 5 % of
    // checking a large policy (docs/performance.md).
    @exclusivity(unchecked) var diagnostics: [Diagnostic] = []
    /// What `report` has seen (duplicates are dropped) and errors per file (capped).
    @exclusivity(unchecked) var reported: Set<ReportedKey> = []
    @exclusivity(unchecked) var errorCounts: [ObjectIdentifier?: Int] = [:]
    @exclusivity(unchecked) var currentSource: SourceFile?

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
        /// What a reference to the definition is (`.letRef` or `.constant`), made once
        /// when it is checked: see `elementKinds`.
        var referenceKind: TypedExprKind?
        var name: String { binding.name.name }
    }
    /// The definitions in the order written (the first of each name), and where each name
    /// is in it: a reference hashes its name once, then works with the index.
    @exclusivity(unchecked) var definitions: [Definition] = []
    @exclusivity(unchecked) var definitionIndex = NameTable<Int>()
    /// Definitions and host names that some record's field spells the same: inside a filter
    /// over such records the field wins, silently, so each such use is a warning (W0303).
    @exclusivity(unchecked) var namesFieldsHide: Set<String> = []
    /// The vocabulary's names, functions and record fields in `NameTable`s (cheaper to
    /// look up than its dictionaries).
    let hostNames: NameTable<HostName>
    let hostFunctions: NameTable<HostFunction>
    @exclusivity(unchecked) var fieldTables: [(schema: RecordSchema, fields: NameTable<Int>)] = []
    @exclusivity(unchecked) var hostSizeHints: [Int] = []
    /// Recent number constants by bit pattern (a direct-mapped cache): a policy writes the
    /// same few numbers again and again, and each new constant is a box (`elementKinds`).
    @exclusivity(unchecked) var numberKinds: [(bits: UInt64, kind: TypedExprKind)?] = Array(repeating: nil, count: 256)
    @exclusivity(unchecked) var lets: [TypedLet] = []
    @exclusivity(unchecked) var letSizes: [Int] = []
    @exclusivity(unchecked) var letCosts: [Int] = []
    /// How deep evaluating each `let` nests, counting the lets it reads (`evaluationDepth`).
    @exclusivity(unchecked) var letDepths: [Int] = []
    /// The lets each `let` reads directly (`visitLets`, in its order): the reads of let `i`
    /// are `letReads[letReadStarts[i]..<letReadStarts[i + 1]]`. A rule's cost adds the lets
    /// it reads through others without walking their trees again.
    @exclusivity(unchecked) var letReads: [Int] = []
    @exclusivity(unchecked) var letReadStarts: [Int] = [0]
    /// For each let, the last rule (`ruleStamp`) whose cost counted it.
    @exclusivity(unchecked) var letStamps: [Int] = []
    @exclusivity(unchecked) var ruleStamp = 0
    /// `check` calls in progress, across the definitions being checked on first use.
    @exclusivity(unchecked) var nesting = 0

    /// Evaluating an expression recurses over its tree and into the `let`s it reads. A
    /// `let` or rule nesting deeper than this, counting those lets, is error E0206, like
    /// an expression nested deeper than `Parser.maxDepth`: no chain of definitions can
    /// overflow the stack of the checker, the cost estimate or the evaluator.
    public static let maxEvaluationDepth = 512

    /// Element scopes opened by `where`, aggregates and `top`, innermost last.
    struct ElementScope {
        var elementType: WattType
        var depth: Int
        /// The element's schema when it is a record (looked up once, when the scope opens).
        var schema: RecordSchema?
    }
    @exclusivity(unchecked) var scopes: [ElementScope] = []
    @exclusivity(unchecked) var maxDepth = 0
    /// Leaves of the typed tree that many nodes share: the element at each scope depth
    /// and each host name (a definition's reference is in `Definition.referenceKind`).
    /// `TypedExprKind` keeps each case in a box, so a new leaf is an allocation and a copy
    /// of a made one a retain.
    @exclusivity(unchecked) var elementKinds: [TypedExprKind] = []
    @exclusivity(unchecked) var hostNameKinds: [TypedExprKind?] = []
    /// The schema looked up last: lookups come in runs of one record type (the fields of
    /// one element), and comparing a name is cheaper than hashing it.
    @exclusivity(unchecked) var lastSchema: RecordSchema?
    /// Set while checking a `const`: only constant things may be referenced.
    @exclusivity(unchecked) var constContext: String?
    /// Chain of definitions being checked (indices into `definitions`), for cycle diagnostics.
    @exclusivity(unchecked) var definitionStack: [Int] = []
    /// Definitions that did not parse; their uses are not reported again.
    @exclusivity(unchecked) var brokenNames: Set<String> = []

    public init(vocabulary: Vocabulary, options: Options = Options()) {
        self.vocabulary = vocabulary
        self.options = options
        hostNames = NameTable(vocabulary.names.map { ($0.key, $0.value) })
        hostFunctions = NameTable(vocabulary.functions.map { ($0.key, $0.value) })
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
                diagnostics.append(DiagnosticBag.tooManyErrors(after: d))
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
        let declarations = units.reduce(0) { $0 + $1.declarations.count }
        if definitionIndex.count == 0 { definitionIndex = NameTable(minimumCapacity: declarations) }
        definitions.reserveCapacity(declarations)
        for unit in units {
            currentSource = unit.source
            for case .binding(let binding) in unit.declarations {
                if let index = definitionIndex[binding.name.name] {
                    let existing = definitions[index]
                    error(.duplicateDefinition, "`\(binding.name.name)` is defined twice", at: binding.name.range,
                          labels: [.init(range: existing.binding.name.range, message: "first definition here",
                                         source: existing.source)])
                    continue
                }
                if hostNames[binding.name.name] != nil || binding.name.name == "now" {
                    warning(.shadowedName, "`\(binding.name.name)` hides the host's name of the same spelling",
                            at: binding.name.range, help: "rename the definition to keep the host's `\(binding.name.name)` reachable")
                }
                definitionIndex[binding.name.name] = definitions.count
                definitions.append(Definition(binding: binding, source: unit.source))
            }
        }
        let globals = Set(definitions.map(\.name)).union(vocabulary.names.keys).union(["now"])
        for schema in vocabulary.schemas.values {
            for field in schema.fields where globals.contains(field.name) { namesFieldsHide.insert(field.name) }
        }
        for index in definitions.indices { _ = resolveDefinition(index) }

        var rules: [TypedRule] = []
        var ruleNames: [String: (SourceRange, SourceFile)] = [:]
        ruleNames.reserveCapacity(max(0, declarations - definitions.count))
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
        for d in definitions where !d.used {
            currentSource = d.source
            warning(.unusedDefinition, "`\(d.name)` is never used", at: d.binding.name.range,
                    help: "remove it, or use it in a rule")
        }
        var consts: [String: (value: Value, type: WattType, displayUnit: String?)] = [:]
        for d in definitions {
            if case .checkedConst(let v, let t, let u) = d.state { consts[d.name] = (v, t, u) }
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

    /// Looks up (checking on first use) the `let` or `const` at `index` in `definitions`.
    /// `usedAt` is the reference being checked, if any.
    func resolveDefinition(_ index: Int, usedAt: SourceRange? = nil) -> DefinitionState {
        let state = definitions[index].state
        switch state {
        case .checking:
            return reportCycle(index)
        case .unchecked:
            // Checking a definition on first use recurses: a chain of definitions, each
            // using the next, is checked on one stack. Past the evaluation depth limit
            // the chain would be rejected anyway (its evaluation nests at least this deep).
            if nesting > Checker.maxEvaluationDepth, let usedAt { return reportTooDeep(definitions[index].name, usedAt) }
            return checkDefinition(index)
        default:
            return state
        }
    }

    @inline(never)
    private func reportCycle(_ index: Int) -> DefinitionState {
        let name = definitions[index].name
        let cycle = definitionStack.drop(while: { $0 != index }).map { "`\(definitions[$0].name)`" } + ["`\(name)`"]
        error(.cyclicDefinition, "`\(name)` is defined in terms of itself: \(cycle.joined(separator: " → "))",
              at: definitions[index].binding.name.range, help: "definitions may not depend on themselves; break the cycle")
        definitions[index].state = .failed
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

    private func checkDefinition(_ index: Int) -> DefinitionState {
        let context = enterDefinition(index)
        let typed = check(definitions[index].binding.value)
        return finishDefinition(index, typed, context)
    }

    @inline(never)
    private func enterDefinition(_ index: Int) -> DefinitionContext {
        definitions[index].state = .checking
        definitionStack.append(index)
        let context = DefinitionContext(source: currentSource, scopes: scopes, constContext: constContext)
        currentSource = definitions[index].source
        scopes = []
        if definitions[index].binding.isConst { constContext = definitions[index].name }
        return context
    }

    @inline(never)
    private func finishDefinition(_ index: Int, _ typed: TypedExpr, _ context: DefinitionContext) -> DefinitionState {
        var definition = definitions[index]
        let name = definition.name
        constContext = context.constContext
        scopes = context.scopes
        definitionStack.removeLast()

        if typed.type.isError {
            definition.state = .failed
        } else if definition.binding.isConst {
            switch ConstEvaluator.evaluate(typed, maxDepth: maxDepth + 1) {
            case .success(let value):
                definition.state = .checkedConst(value: value, type: typed.type, displayUnit: typed.displayUnit)
                definition.referenceKind = .constant(value)
            case .failure(let message):
                error(.constEvaluationFailed, "`\(name)` cannot be computed: \(message)", at: definition.binding.value.range)
                definition.state = .failed
            }
        } else {
            // Its depth, cost and the lets it reads, in one walk (`facts`).
            let readsStart = letReads.count
            let facts = facts(typed) { letReads.append($0) }
            if facts.depth > Checker.maxEvaluationDepth {
                letReads.removeSubrange(readsStart...)
                error(.nestingTooDeep, "`\(name)` nests \(facts.depth) levels deep, counting the definitions it uses, over the limit of \(Checker.maxEvaluationDepth)",
                      at: definition.binding.name.range, help: "compute it from fewer nested definitions")
                definition.state = .failed
            } else {
                let letIndex = lets.count
                lets.append(TypedLet(name: name, value: typed, range: definition.binding.range, source: definition.source))
                letSizes.append(estimatedSize(typed))
                letCosts.append(facts.cost)
                letDepths.append(facts.depth)
                letReadStarts.append(letReads.count)
                letStamps.append(0)
                definition.state = .checkedLet(index: letIndex, type: typed.type, displayUnit: typed.displayUnit)
                definition.referenceKind = .letRef(index: letIndex)
            }
        }
        currentSource = context.source
        definition.used = definitions[index].used
        definitions[index] = definition
        return definition.state
    }

    // MARK: Element scopes

    /// `vocabulary.schemas[name]`, remembering the last one found.
    func schema(named name: String) -> RecordSchema? {
        if let last = lastSchema, last.name == name { return last }
        let schema = vocabulary.schemas[name]
        if schema != nil { lastSchema = schema }
        return schema
    }

    /// `vocabulary.schema(of:)`: the schema of a record type (optional or not), else nil.
    func schema(of type: WattType) -> RecordSchema? {
        if case .record(let name) = type.unwrapped { return schema(named: name) }
        return nil
    }

    /// `vocabulary.names[vocabulary.nameOrder[slot]]?.sizeHint`, kept by slot.
    func hostSizeHint(_ slot: Int) -> Int {
        if hostSizeHints.isEmpty {
            hostSizeHints = vocabulary.nameOrder.map { vocabulary.names[$0]?.sizeHint ?? Checker.defaultCollectionSize }
        }
        return hostSizeHints[slot]
    }

    /// `schema.fieldIndex(name)`, from a `NameTable` of the schema's fields.
    func fieldIndex(_ schema: RecordSchema, _ name: String) -> Int? {
        for entry in fieldTables where entry.schema === schema { return entry.fields[name] }
        var fields = NameTable<Int>(minimumCapacity: schema.fields.count)
        for (index, field) in schema.fields.enumerated() where fields[field.name] == nil { fields[field.name] = index }
        fieldTables.append((schema, fields))
        return fields[name]
    }

    /// `.constant(.number(value))`, shared with earlier constants of the same bits.
    func numberKind(_ value: Double) -> TypedExprKind {
        let bits = value.bitPattern
        let slot = Int(truncatingIfNeeded: (bits &* 0x9E37_79B9_7F4A_7C15) >> 56)
        if let entry = numberKinds[slot], entry.bits == bits { return entry.kind }
        let kind = TypedExprKind.constant(.number(value))
        numberKinds[slot] = (bits, kind)
        return kind
    }

    func elementKind(_ depth: Int) -> TypedExprKind {
        while elementKinds.count <= depth { elementKinds.append(.element(depth: elementKinds.count)) }
        return elementKinds[depth]
    }

    func hostNameKind(_ slot: Int) -> TypedExprKind {
        if slot >= hostNameKinds.count { hostNameKinds.append(contentsOf: repeatElement(nil, count: slot + 1 - hostNameKinds.count)) }
        if let kind = hostNameKinds[slot] { return kind }
        let kind = TypedExprKind.hostName(slot: slot)
        hostNameKinds[slot] = kind
        return kind
    }

    func withElementScope<T>(_ elementType: WattType, _ body: (Int) -> T) -> T {
        let depth = scopes.count
        maxDepth = max(maxDepth, depth)
        scopes.append(ElementScope(elementType: elementType, depth: depth, schema: schema(of: elementType)))
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
            if let schema = scope.schema {
                names.append(contentsOf: schema.fields.map(\.name))
                names.append(schema.name)
            }
        }
        names.append(contentsOf: vocabulary.nameOrder)
        names.append("now")
        names.append(contentsOf: definitions.prefix(Checker.maxSuggestedDefinitions).map(\.name))
        return names
    }

    static let maxSuggestedDefinitions = 1_000

    /// The source text of `range` in the file being checked, shortened for messages.
    func text(_ range: SourceRange) -> String { currentSource?.excerpt(range) ?? "value" }

    /// `power (kW)`, `time (h)`, `number`: how a typed operand is named in messages.
    func describe(_ e: TypedExpr) -> String {
        guard case .quantity(let d) = e.type.unwrapped, !d.isDimensionless else { return e.type.description }
        let unit = e.displayUnit ?? UnitTable.typicalSymbol(for: d) ?? QuantityFormatter.canonicalSymbol(d)
        // `currency (USD)` and `price (EUR/energy)` already name their unit: one parenthesis.
        let name = d.name.range(of: " (").map { String(d.name[..<$0.lowerBound]) } ?? d.name
        return "\(name) (\(unit))"
    }
}
