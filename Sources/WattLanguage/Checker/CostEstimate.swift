/// Static cost: an upper estimate of evaluation steps, where iterating a collection costs
/// its expected size times the cost of the work per element. Host names give size hints.
extension Checker {
    static let defaultCollectionSize = 1000
    static let nestedCollectionSize = 100

    /// A rule's cost: its expressions, plus each `let` it uses once (lets are computed at
    /// most once per evaluation, however often they are read). The checker computes it
    /// with `facts(rule)`, in one walk with the depth; this is the definition it is tested
    /// against.
    func estimateCost(_ rule: TypedRule) -> Int {
        // Every let the rule reads, directly or through other lets: a worklist, not
        // recursion, since chains of lets may be long.
        var lets = Set<Int>()
        var pending: [Int] = []
        func collect(_ e: TypedExpr) { visitLets(e) { index in
            if lets.insert(index).inserted, index < self.lets.count { pending.append(index) }
        } }
        collect(rule.condition)
        if let clear = rule.clearCondition { collect(clear) }
        for action in rule.thenActions + rule.elseActions {
            action.target.map(collect)
            action.slots.forEach { collect($0.value) }
        }
        while let index = pending.popLast() { collect(self.lets[index].value) }
        var total = lets.reduce(estimateCost(rule.condition)) { add($0, $1 < letCosts.count ? letCosts[$1] : 0) }
        if let clear = rule.clearCondition { total = add(total, estimateCost(clear)) }
        for action in rule.thenActions + rule.elseActions {
            total = add(total, action.target.map(estimateCost) ?? 0)
            for slot in action.slots { total = add(total, estimateCost(slot.value)) }
        }
        return total
    }

    /// The rule's `then` actions, then its `else` actions (without concatenating the arrays).
    func forEachAction(of rule: TypedRule, _ body: (TypedAction) -> Void) {
        for action in rule.thenActions { body(action) }
        for action in rule.elseActions { body(action) }
    }

    func estimatedSize(_ e: TypedExpr) -> Int {
        switch e.kind {
        case .hostName(let slot):
            return hostSizeHint(slot)
        case .letRef(let index): return index < letSizes.count ? letSizes[index] : Checker.defaultCollectionSize
        case .constant(.list(let items)): return items.count
        case .list(let items): return items.count
        case .filter(let c, _, _), .project(let c, _, _): return estimatedSize(c)
        case .top(let n, let c, _, _, _):
            if case .constant(.number(let v)) = n.kind, v >= 0, v < Double(Int.max / 2) { return min(Int(v), estimatedSize(c)) }
            return estimatedSize(c)
        case .field: return Checker.nestedCollectionSize
        case .conditional(_, let a, let b): return max(estimatedSize(a), estimatedSize(b))
        case .coalesce(let a, let b): return max(estimatedSize(a), estimatedSize(b))
        default: return Checker.defaultCollectionSize
        }
    }

    func estimateCost(_ e: TypedExpr) -> Int {
        switch e.kind {
        case .constant, .now, .hostName, .element: return 0
        case .letRef: return 1  // memoised: its own cost is counted once per rule
        case .field(let b, _), .timeComponent(let b, _), .negate(let b), .not(let b):
            return add(1, estimateCost(b))
        case .project(let b, _, _): return add(estimateCost(b), estimatedSize(b))
        case .arithmetic(_, let a, let b), .concat(let a, let b), .compare(_, let a, let b), .and(let a, let b),
             .or(let a, let b), .coalesce(let a, let b):
            return add(1, add(estimateCost(a), estimateCost(b)))
        case .member(let a, let b, _): return add(add(estimateCost(a), estimateCost(b)), estimatedSize(b))
        case .conditional(let c, let a, let b): return add(1, add(estimateCost(c), max(estimateCost(a), estimateCost(b))))
        case .list(let items), .scalar(_, let items), .minMax(_, let items):
            return items.reduce(1) { add($0, estimateCost($1)) }
        case .filter(let c, let p, _):
            return add(estimateCost(c), multiply(estimatedSize(c), add(1, estimateCost(p))))
        case .aggregate(_, let c, let p, _):
            return add(estimateCost(c), multiply(estimatedSize(c), add(1, p.map(estimateCost) ?? 0)))
        case .top(let n, let c, let k, _, _):
            let size = estimatedSize(c)
            let sort = multiply(size, max(1, Int.bitWidth - size.leadingZeroBitCount))
            return add(add(estimateCost(n), estimateCost(c)), add(multiply(size, add(1, estimateCost(k))), sort))
        case .hostCall(_, let overload, let args):
            return args.reduce(overload.cost) { add($0, estimateCost($1)) }
        }
    }

    func add(_ a: Int, _ b: Int) -> Int { a.addingReportingOverflow(b).overflow ? Int.max : a + b }
    func multiply(_ a: Int, _ b: Int) -> Int { a.multipliedReportingOverflow(by: b).overflow ? Int.max : a * b }
}

extension Checker {
    /// Calls `body` with the index of every `let` an expression reads directly.
    func visitLets(_ e: TypedExpr, _ body: (Int) -> Void) {
        switch e.kind {
        case .letRef(let index): body(index)
        case .constant, .now, .hostName, .element: break
        case .field(let b, _), .project(let b, _, _), .timeComponent(let b, _), .negate(let b), .not(let b):
            visitLets(b, body)
        case .arithmetic(_, let a, let b), .concat(let a, let b), .compare(_, let a, let b), .and(let a, let b),
             .or(let a, let b), .member(let a, let b, _), .coalesce(let a, let b), .filter(let a, let b, _):
            visitLets(a, body); visitLets(b, body)
        case .conditional(let c, let a, let b): visitLets(c, body); visitLets(a, body); visitLets(b, body)
        case .list(let items), .scalar(_, let items), .minMax(_, let items), .hostCall(_, _, let items):
            items.forEach { visitLets($0, body) }
        case .top(let n, let c, let k, _, _): visitLets(n, body); visitLets(c, body); visitLets(k, body)
        case .aggregate(_, let c, let p, _): visitLets(c, body); p.map { visitLets($0, body) }
        }
    }
}
