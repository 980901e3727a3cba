/// What the checker needs to know about a typed tree once it is built: how deep its
/// evaluation nests (`evaluationDepth`), its static cost (`estimateCost`) and the lets it
/// reads (`visitLets`), in one walk instead of three. Walking a tree copies each node out
/// of its parent's box, so the three walks were a seventh of checking a large policy
/// (docs/performance.md). The three functions stay the definition: `TreeFactsTests`
/// checks that this walk agrees with them.
extension Checker {
    struct TreeFacts {
        var depth: Int
        var cost: Int
    }

    /// `evaluationDepth(e)` and `estimateCost(e)`, calling `reads` with each let `e` reads
    /// directly, in `visitLets` order.
    func facts(_ e: TypedExpr, _ reads: (Int) -> Void) -> TreeFacts {
        switch e.kind {
        case .constant, .now, .hostName, .element:
            return TreeFacts(depth: 1, cost: 0)
        case .letRef(let index):
            reads(index)
            return TreeFacts(depth: 1 + (index < letDepths.count ? letDepths[index] : 0), cost: 1)
        case .field(let b, _), .timeComponent(let b, _), .negate(let b), .not(let b):
            let f = facts(b, reads)
            return TreeFacts(depth: 1 + f.depth, cost: add(1, f.cost))
        case .project(let b, _, _):
            let f = facts(b, reads)
            return TreeFacts(depth: 1 + f.depth, cost: add(f.cost, estimatedSize(b)))
        case .arithmetic(_, let a, let b), .concat(let a, let b), .compare(_, let a, let b), .and(let a, let b),
             .or(let a, let b), .coalesce(let a, let b):
            let fa = facts(a, reads), fb = facts(b, reads)
            return TreeFacts(depth: 1 + max(fa.depth, fb.depth), cost: add(1, add(fa.cost, fb.cost)))
        case .member(let a, let b, _):
            let fa = facts(a, reads), fb = facts(b, reads)
            return TreeFacts(depth: 1 + max(fa.depth, fb.depth), cost: add(add(fa.cost, fb.cost), estimatedSize(b)))
        case .filter(let c, let p, _):
            let fc = facts(c, reads), fp = facts(p, reads)
            return TreeFacts(depth: 1 + max(fc.depth, fp.depth),
                             cost: add(fc.cost, multiply(estimatedSize(c), add(1, fp.cost))))
        case .conditional(let c, let a, let b):
            let fc = facts(c, reads), fa = facts(a, reads), fb = facts(b, reads)
            return TreeFacts(depth: 1 + max(fc.depth, fa.depth, fb.depth), cost: add(1, add(fc.cost, max(fa.cost, fb.cost))))
        case .list(let items), .scalar(_, let items), .minMax(_, let items):
            var depth = 0
            var cost = 1
            for item in items {
                let f = facts(item, reads)
                depth = max(depth, f.depth)
                cost = add(cost, f.cost)
            }
            return TreeFacts(depth: 1 + depth, cost: cost)
        case .hostCall(_, let overload, let args):
            var depth = 0
            var cost = overload.cost
            for arg in args {
                let f = facts(arg, reads)
                depth = max(depth, f.depth)
                cost = add(cost, f.cost)
            }
            return TreeFacts(depth: 1 + depth, cost: cost)
        case .top(let n, let c, let k, _, _):
            let fn = facts(n, reads), fc = facts(c, reads), fk = facts(k, reads)
            let size = estimatedSize(c)
            let sort = multiply(size, max(1, Int.bitWidth - size.leadingZeroBitCount))
            return TreeFacts(depth: 1 + max(fn.depth, fc.depth, fk.depth),
                             cost: add(add(fn.cost, fc.cost), add(multiply(size, add(1, fk.cost)), sort)))
        case .aggregate(_, let c, let p, _):
            let fc = facts(c, reads)
            let fp = p.map { facts($0, reads) }
            return TreeFacts(depth: 1 + max(fc.depth, fp?.depth ?? 0),
                             cost: add(fc.cost, multiply(estimatedSize(c), add(1, fp?.cost ?? 0))))
        }
    }

    /// `evaluationDepth(rule)` and `estimateCost(rule)` in one walk of the rule's
    /// expressions (the lets it reads are not walked: their reads, costs and depths were
    /// recorded when they were checked).
    func facts(_ rule: TypedRule) -> TreeFacts {
        ruleStamp += 1
        let stamp = ruleStamp
        var pending: [Int] = []
        var letsCost = 0
        func reach(_ index: Int) {
            guard index < letStamps.count, letStamps[index] != stamp else { return }
            letStamps[index] = stamp
            letsCost = add(letsCost, index < letCosts.count ? letCosts[index] : 0)
            pending.append(index)
        }
        let condition = facts(rule.condition, reach)
        var depth = condition.depth
        // (The sum saturates at `Int.max` and every cost is non-negative, so the order
        // of the terms does not matter.)
        var cost = condition.cost
        if let clear = rule.clearCondition {
            let f = facts(clear, reach)
            depth = max(depth, f.depth)
            cost = add(cost, f.cost)
        }
        forEachAction(of: rule) { action in
            if let target = action.target {
                let f = facts(target, reach)
                depth = max(depth, f.depth)
                cost = add(cost, f.cost)
            }
            for slot in action.slots {
                let f = facts(slot.value, reach)
                depth = max(depth, f.depth)
                cost = add(cost, f.cost)
            }
        }
        while let index = pending.popLast() {
            for read in letReads[letReadStarts[index]..<letReadStarts[index + 1]] { reach(read) }
        }
        return TreeFacts(depth: depth, cost: add(cost, letsCost))
    }
}
