extension Checker {
    func checkRule(_ rule: Rule, source: SourceFile) -> TypedRule? {
        currentSource = source
        scopes = []
        let ruleName = rule.name?.name ?? "line \(source.location(of: rule.headerRange.start).line)"
        let condition = check(rule.condition)
        var ok = !condition.type.isError
        if ok && condition.type.unwrapped != .bool {
            error(.conditionNotBool, "a rule condition must be a bool, found \(describe(condition))", at: rule.condition.range,
                  help: condition.type.dimension != nil ? "compare it with a threshold, e.g. `> 900 kW`" : nil)
            ok = false
        }
        if case .constant(.bool(let b)) = condition.kind {
            warning(.alwaysTrue, "this condition is always \(b)", at: rule.condition.range)
        }
        let holdFor = rule.holdFor.flatMap { constantQuantity($0, .time, what: "`for`") }
        var clearCondition: TypedExpr?
        if let clear = rule.clearCondition {
            let c = check(clear)
            if c.type.isError {
                ok = false
            } else if c.type.unwrapped != .bool {
                error(.conditionNotBool, "an `until` condition must be a bool, found \(describe(c))", at: clear.range)
                ok = false
            } else {
                clearCondition = c
            }
        }
        let clearFor = rule.clearFor.flatMap { constantQuantity($0, .time, what: "`until ... for`") }
        var limit: (count: Int, window: Double)?
        var limitShare: Double?
        if let l = rule.limit, case .number(_, let value, "%") = l.count.kind {
            // A share of the fleet: `limit 5 % per hour`.
            if value > 0, value <= 100 {
                limit = (0, l.window.name == "hour" ? 3600 : 0)
                limitShare = value / 100
            } else {
                error(.typeMismatch, "a share `limit` must be more than 0 % and at most 100 %", at: l.count.range)
                ok = false
            }
        } else if let l = rule.limit {
            if let n = constantQuantity(l.count, .dimensionless, what: "`limit`") {
                if n >= 1, n == n.rounded(), n < 1e9 {
                    limit = (Int(n), l.window.name == "hour" ? 3600 : 0)
                } else {
                    error(.typeMismatch, "`limit` needs a whole number of targets, at least 1", at: l.count.range)
                    ok = false
                }
            } else {
                ok = false
            }
        }
        if rule.clearFor != nil && clearFor == nil { ok = false }
        let cooldown = rule.cooldown.flatMap { constantQuantity($0, .time, what: "`cooldown`") }
        var priority = 0.0
        if let p = rule.priority { priority = constantQuantity(p, .dimensionless, what: "`priority`") ?? 0 }
        if rule.holdFor != nil && holdFor == nil || rule.cooldown != nil && cooldown == nil { ok = false }

        let thenActions = rule.thenActions.compactMap(checkAction)
        let elseActions = rule.elseActions.compactMap(checkAction)
        if let perTarget = rule.perTarget {
            // Hysteresis latches the whole rule; per-target latching is not built (yet).
            if let clear = rule.clearCondition {
                error(.perTargetWithUntil, "`until` cannot be combined with `per target`", at: perTarget,
                      labels: [.init(range: clear.range, message: "`until` here")],
                      help: "drop `until` and write the release as its own rule with `per target` (e.g. `uncap` when cool `for 30 min`)")
                ok = false
            }
        }
        guard ok, thenActions.count == rule.thenActions.count, elseActions.count == rule.elseActions.count else { return nil }
        // The elements timed are records (a node, a job) or lists of them; a message is not one.
        if let perTarget = rule.perTarget, !thenActions.contains(where: { $0.target.map { Self.isElementTarget($0.type) } ?? false }) {
            error(.perTargetWithoutTarget, "`per target` needs a `then` action on nodes or jobs, such as `cap nodes where ...`", at: perTarget,
                  help: "give an action a target, or remove `per target` to time the rule as a whole")
            return nil
        }

        var typed = TypedRule(name: ruleName, isAnonymous: rule.name == nil, priority: priority, condition: condition,
                              holdFor: holdFor, clearCondition: clearCondition, clearFor: clearFor, limit: limit, limitShare: limitShare, cooldown: cooldown, thenActions: thenActions, elseActions: elseActions,
                              range: rule.range, source: source, estimatedCost: 0)
        typed.perTarget = rule.perTarget != nil
        let anchor = rule.name?.range ?? rule.headerRange
        // Depth and cost in one walk (`facts`; `evaluationDepth` and `estimateCost` define them).
        let facts = facts(typed)
        let depth = facts.depth
        if depth > Checker.maxEvaluationDepth {
            error(.nestingTooDeep, "rule `\(ruleName)` nests \(depth) levels deep, counting the definitions it uses, over the limit of \(Checker.maxEvaluationDepth)",
                  at: anchor, help: "compute its values from fewer nested definitions")
            return nil
        }
        typed.estimatedCost = facts.cost
        if typed.estimatedCost > options.maxRuleCost {
            error(.costTooHigh, "rule `\(ruleName)` may take about \(typed.estimatedCost) steps per tick, over the limit of \(options.maxRuleCost)",
                  at: anchor, help: "filter collections before combining them, or precompute with `let`")
            return nil
        } else if typed.estimatedCost > options.warnRuleCost {
            warning(.costHigh, "rule `\(ruleName)` may take about \(typed.estimatedCost) steps per tick", at: anchor,
                    help: "nested iteration over large collections is slow; filter first")
        }
        return typed
    }

    /// Whether a target type is one or more records (nodes, jobs): what `per target` times.
    static func isElementTarget(_ type: WattType) -> Bool {
        switch type.unwrapped {
        case .record: return true
        case .list(let element): return isElementTarget(element)
        default: return false
        }
    }

    /// `for`, `cooldown` and `priority` take constants of a known dimension.
    private func constantQuantity(_ expr: Expr, _ dimension: Dimension, what: String) -> Double? {
        let saved = constContext
        constContext = what
        defer { constContext = saved }
        let e = check(expr)
        if e.type.isError { return nil }
        guard e.type.unwrapped == .quantity(dimension) else {
            let wanted = dimension == .time ? "a duration such as `10 min`" : "a plain number"
            error(.typeMismatch, "\(what) needs \(wanted), found \(describe(e))", at: expr.range)
            return nil
        }
        guard case .success(.number(let v)) = ConstEvaluator.evaluate(e, maxDepth: maxDepth + 1) else {
            error(.constEvaluationFailed, "\(what) must be a constant", at: expr.range)
            return nil
        }
        if dimension == .time && v < 0 {
            error(.typeMismatch, "\(what) cannot be negative", at: expr.range)
            return nil
        }
        return v
    }

    func checkAction(_ action: Action) -> TypedAction? {
        guard let verb = vocabulary.verbs[action.verb.name] else {
            let known = vocabulary.verbs.keys.sorted()
            error(.unknownVerb, "unknown action `\(action.verb.name)`", at: action.verb.range,
                  help: Suggestions.didYouMean(action.verb.name, in: known)
                    ?? (known.isEmpty ? "this host registers no actions" : "actions: " + known.map { "`\($0)`" }.joined(separator: ", ")))
            action.target.map { _ = check($0) }
            action.slots.forEach { _ = check($0.value) }
            return nil
        }
        var ok = true
        var target: TypedExpr?
        if let targetExpr = action.target {
            let t = check(targetExpr)
            if t.type.isError {
                ok = false
            } else if verb.targets.isEmpty {
                error(.invalidTarget, "`\(verb.name)` takes no target", at: targetExpr.range,
                      help: slotHelp(verb))
                ok = false
            } else {
                var bindings = PatternBindings()
                if verb.targets.contains(where: { match(t.type.unwrapped, $0, &bindings) }) {
                    target = t
                } else {
                    let wanted = verb.targets.map(describePattern).joined(separator: " or ")
                    error(.invalidTarget, "`\(verb.name)` cannot act on \(describe(t)); it takes \(wanted)", at: targetExpr.range)
                    ok = false
                }
            }
        } else if verb.targetRequired && !verb.targets.isEmpty {
            let wanted = verb.targets.map(describePattern).joined(separator: " or ")
            error(.invalidTarget, "`\(verb.name)` needs a target (\(wanted))", at: action.verb.range)
            ok = false
        }

        var slots: [TypedSlot] = []
        // The slots given so far and where (a verb has a few: a list, not a dictionary).
        var seen: [(key: String, range: SourceRange)] = []
        func given(_ key: String) -> SourceRange? { seen.first { $0.key == key }?.range }
        var unknownSlot = false
        for slot in action.slots {
            var value = check(slot.value)
            let key = slot.key
            guard let signature = verb.slots.first(where: { $0.key == key }) else {
                let keyRange = slot.prepositionRange.union(slot.qualifier?.range ?? slot.prepositionRange)
                error(.unknownSlot, "`\(verb.name)` has no `\(slot.key)` part", at: keyRange,
                      help: Suggestions.didYouMean(slot.key, in: verb.slots.map(\.key)) ?? slotHelp(verb))
                ok = false
                unknownSlot = true
                continue
            }
            if let earlier = given(key) {
                error(.duplicateSlot, "`\(slot.key)` is given twice", at: slot.range,
                      labels: [.init(range: earlier, message: "first given here")])
                ok = false
                continue
            }
            seen.append((key, slot.range))
            if value.type.isError { ok = false; continue }
            var bindings = PatternBindings()
            var type = isOptionalPattern(signature.type) ? value.type : value.type.unwrapped
            if !match(type, signature.type, &bindings) {
                value = coerced(value)
                type = isOptionalPattern(signature.type) ? value.type : value.type.unwrapped
            }
            guard match(type, signature.type, &bindings) else {
                error(.typeMismatch, "`\(verb.name) ... \(slot.key)` needs \(describePattern(signature.type)), found \(describe(value))",
                      at: slot.value.range)
                ok = false
                continue
            }
            if signature.allowedValues != nil {
                checkAllowed(value, signature.allowedValues, what: signature.key.split(separator: " ").last.map(String.init) ?? signature.key)
            }
            slots.append(TypedSlot(key: key, value: value, range: slot.range))
        }
        // A misspelt slot is one error, not also a missing one.
        if unknownSlot { return nil }
        for signature in verb.slots where signature.required && given(signature.key) == nil {
            error(.missingSlot, "`\(verb.name)` needs `\(signature.key) ...`", at: action.range,
                  help: "e.g. `\(verb.name) ... \(signature.key) \(example(signature.type))`")
            ok = false
        }
        for group in verb.exactlyOneOf {
            let present = group.filter { given($0) != nil }
            if present.count != 1 {
                let options = group.map { "`\($0) ...`" }.joined(separator: " or ")
                error(.missingSlot, present.isEmpty ? "`\(verb.name)` needs \(options)" : "`\(verb.name)` takes only one of \(options)",
                      at: action.range)
                ok = false
            }
        }
        return ok ? TypedAction(verb: verb.name, target: target, slots: slots, range: action.range) : nil
    }

    private func slotHelp(_ verb: VerbSignature) -> String {
        verb.slots.isEmpty ? "`\(verb.name)` takes no parts" : "`\(verb.name)` takes " + verb.slots.map { "`\($0.key)`" }.joined(separator: ", ")
    }

    private func example(_ pattern: TypePattern) -> String {
        switch pattern {
        case .exact(.string): return "\"name\""
        case .exact(.quantity(let d)): return "1 " + (UnitTable.displaySymbol(for: d) ?? "")
        case .exact(.instant): return "now + 1 h"
        default: return "VALUE"
        }
    }
}
