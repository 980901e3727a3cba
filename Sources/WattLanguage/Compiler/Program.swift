/// A checked and compiled program, ready to evaluate on any number of snapshots.
/// Every rule sees the same inputs; outcomes do not depend on rule order.
public final class Program: @unchecked Sendable {
    public struct Limits: Sendable {
        /// Steps one rule may take in one evaluation (elements visited, calls made).
        public var stepsPerRule: Int = 10_000_000
        /// Steps all rules together may take in one evaluation.
        public var stepsPerTick: Int = 100_000_000
        public init(stepsPerRule: Int = 10_000_000, stepsPerTick: Int = 100_000_000) {
            self.stepsPerRule = stepsPerRule
            self.stepsPerTick = stepsPerTick
        }
    }

    struct CompiledAction {
        var typed: TypedAction
        var target: ValueFn?
        var slots: [(key: String, fn: ValueFn, type: WattType, unit: String?)]
    }
    struct CompiledRule {
        var typed: TypedRule
        var condition: BoolFn
        var clearCondition: BoolFn?
        var thenActions: [CompiledAction]
        var elseActions: [CompiledAction]
    }

    public let vocabulary: Vocabulary
    public let checked: CheckedProgram
    let letFunctions: [ValueFn]
    let rules: [CompiledRule]

    init(vocabulary: Vocabulary, checked: CheckedProgram) {
        self.vocabulary = vocabulary
        self.checked = checked
        let letValue: @Sendable (EvalContext, Int) throws(EvalError) -> Value = { ctx, index throws(EvalError) in
            try Program.evaluateLet(ctx, index)
        }
        letFunctions = checked.lets.map { Compiler(source: $0.source, letValue: letValue).value($0.value) }
        rules = checked.rules.map { rule in
            let compiler = Compiler(source: rule.source, letValue: letValue)
            func compile(_ action: TypedAction) -> CompiledAction {
                CompiledAction(typed: action, target: action.target.map(compiler.value),
                               slots: action.slots.map { ($0.key, compiler.value($0.value), $0.value.type, $0.value.displayUnit) })
            }
            return CompiledRule(typed: rule, condition: compiler.bool(rule.condition),
                                clearCondition: rule.clearCondition.map { compiler.perElement.bool($0) },
                                thenActions: rule.thenActions.map(compile), elseActions: rule.elseActions.map(compile))
        }
    }

    /// `let` values are computed on first use in an evaluation and kept for the others.
    static func evaluateLet(_ ctx: EvalContext, _ index: Int) throws(EvalError) -> Value {
        switch ctx.letCache[index] {
        case .done(let v): return v
        case .failed(let e): throw e
        case .computing: throw .host(SourceRange.none, "definition depends on itself")
        case .pending:
            ctx.letCache[index] = .computing
            guard let program = ctx.program else { throw .host(SourceRange.none, "no program") }
            // A `let` is evaluated outside any element scope.
            let savedElements = ctx.elements, savedTables = ctx.rowTables, savedRows = ctx.rowIndices
            defer { ctx.elements = savedElements; ctx.rowTables = savedTables; ctx.rowIndices = savedRows }
            do {
                let v = try program.letFunctions[index](ctx)
                ctx.letCache[index] = .done(v)
                return v
            } catch {
                if case .budgetExceeded = error { ctx.letCache[index] = .pending } else { ctx.letCache[index] = .failed(error) }
                throw error
            }
        }
    }

    func makeContext(_ inputs: Inputs, now: Double, stepLimit: Int) -> EvalContext {
        let ctx = EvalContext(inputs: inputs.values, now: now, elementDepth: checked.maxElementDepth,
                              letCount: letFunctions.count, stepLimit: stepLimit)
        ctx.program = self
        return ctx
    }

    public var ruleNames: [String] { checked.rules.map(\.name) }

    /// - Parameter latched: rules held on by hysteresis (their `until` has not cleared):
    ///   their `then` actions are proposed whatever their condition says now.
    /// - Parameter explainAll: also explain rules that did not fire (the values that made
    ///   the condition false), at the cost of evaluating their conditions twice.
    public func evaluate(_ inputs: Inputs, now: Double, limits: Limits = Limits(), latched: Set<String> = [],
                         explainAll: Bool = false) -> Evaluation {
        let ctx = makeContext(inputs, now: now, stepLimit: limits.stepsPerRule)
        var outcomes: [RuleOutcome] = []
        outcomes.reserveCapacity(rules.count)
        var used = 0
        for rule in rules {
            ctx.steps = 0
            ctx.stepLimit = max(0, min(limits.stepsPerRule, limits.stepsPerTick - used))
            outcomes.append(evaluate(rule, ctx, latched: latched.contains(rule.typed.name), explainAll: explainAll))
            used += ctx.steps
        }
        return Evaluation(now: now, outcomes: outcomes, steps: used)
    }

    private func evaluate(_ rule: CompiledRule, _ ctx: EvalContext, latched: Bool, explainAll: Bool) -> RuleOutcome {
        let typed = rule.typed
        var outcome = RuleOutcome(rule: typed.name, priority: typed.priority, status: .notFired, actions: [],
                                  explanation: [], diagnostic: nil, steps: 0, range: typed.range, source: typed.source,
                                  holdFor: typed.holdFor, cooldown: typed.cooldown)
        outcome.hasClearCondition = rule.clearCondition != nil
        outcome.perTarget = typed.perTarget
        outcome.limitCount = typed.limit?.count
        outcome.limitWindow = typed.limit?.window
        outcome.limitShare = typed.limitShare
        outcome.clearFor = typed.clearFor
        if let clear = rule.clearCondition {
            // Evaluated every tick, independently: a gap in it means "not cleared".
            outcome.clearHolds = try? clear(ctx)
        }
        do throws(EvalError) {
            var holds: Bool
            do throws(EvalError) {
                holds = try rule.condition(ctx)
                outcome.conditionHolds = holds
            } catch {
                // A latched rule keeps acting through a gap in its condition.
                guard latched, error.isGap else { throw error }
                holds = false
            }
            if holds || explainAll {
                ctx.trace = []
                _ = try? rule.condition(ctx)
                outcome.explanation = ctx.trace ?? []
                ctx.trace = nil
            }
            let acts = holds || latched
            let actions = acts ? rule.thenActions : rule.elseActions
            outcome.status = acts ? .fired : .notFired
            for action in actions {
                if let proposed = try evaluate(action, rule: typed, explanation: outcome.explanation, ctx) {
                    outcome.actions.append(proposed)
                }
            }
        } catch {
            ctx.trace = nil
            outcome.actions = []
            outcome.explanation = []
            let (status, diagnostic) = describe(error, rule: typed, ctx: ctx)
            outcome.status = status
            outcome.diagnostic = diagnostic
        }
        outcome.steps = ctx.steps
        return outcome
    }

    private func evaluate(_ action: CompiledAction, rule: TypedRule, explanation: [ExplanationTerm],
                          _ ctx: EvalContext) throws(EvalError) -> ProposedAction? {
        var target: Value?
        if let f = action.target {
            let v = try f(ctx)
            if v.isMissing { throw .missing(action.typed.target!.range, rule.source.text(action.typed.target!.range)) }
            // An action on no elements is no action.
            if v.elementCount == 0 { return nil }
            target = v
        }
        var slots: [ProposedAction.Slot] = []
        for slot in action.slots {
            slots.append(ProposedAction.Slot(key: slot.key, value: try slot.fn(ctx), type: slot.type, unit: slot.unit))
        }
        return ProposedAction(verb: action.typed.verb, target: target, targetType: action.typed.target?.type,
                              slots: slots, rule: rule.name, priority: rule.priority, range: action.typed.range,
                              source: rule.source, explanation: explanation)
    }

    private func describe(_ error: EvalError, rule: TypedRule, ctx: EvalContext) -> (RuleOutcome.Status, Diagnostic) {
        var d: Diagnostic
        let status: RuleOutcome.Status
        switch error {
        case .missing(let range, let what):
            let message = "rule `\(rule.name)` did not run: `\(what)` has no value"
            status = .missing(what)
            d = Diagnostic(.warning, .missingValue, message, at: range.isEmpty ? rule.range : range,
                           help: "use `\(what) ?? DEFAULT` or `present(\(what))` to decide what a gap means")
        case .budgetExceeded(let limit):
            status = .failed("step budget of \(limit) exceeded")
            d = Diagnostic(.error, .budgetExceeded, "rule `\(rule.name)` stopped after \(limit) steps, its budget for this tick",
                           at: rule.range, help: "filter large collections before iterating them, or raise the budget")
        case .interrupted:
            status = .failed("interrupted")
            d = Diagnostic(.error, .budgetExceeded, "rule `\(rule.name)` was interrupted", at: rule.range)
        case .arithmetic(let range, let message):
            status = .failed(message)
            d = Diagnostic(.error, .arithmeticError, "rule `\(rule.name)` failed: \(message)", at: range)
        case .host(let range, let message):
            status = .failed(message)
            d = Diagnostic(.error, .arithmeticError, "rule `\(rule.name)` failed: \(message)", at: range.isEmpty ? rule.range : range)
        }
        d.source = rule.source
        return (status, d)
    }
}

extension Program {
    /// Every `let` definition's value on these inputs, in definition order (for the REPL,
    /// `watt eval --file` and golden tests). Failures are returned as diagnostics.
    public func evaluateDefinitions(_ inputs: Inputs, now: Double, limits: Limits = Limits())
        -> [(name: String, result: Result<String, EvalError>)] {
        let ctx = makeContext(inputs, now: now, stepLimit: limits.stepsPerRule)
        return checked.lets.enumerated().map { index, definition in
            ctx.steps = 0
            do throws(EvalError) {
                let v = try Program.evaluateLet(ctx, index)
                return (definition.name, .success(ValueFormatter.format(v, definition.value.type, unit: definition.value.displayUnit,
                                                                        vocabulary: vocabulary)))
            } catch {
                return (definition.name, .failure(error))
            }
        }
    }
}
