/// How deep evaluation recurses, so that no chain of definitions can overflow a stack.
/// The parser bounds one expression (`Parser.maxDepth`); a `let` is evaluated where it
/// is first read, inside the expression reading it, so chains of lets add up.
extension Checker {
    /// One level per node on the deepest path of `e`; reading a `let` adds the depth of
    /// the let's value. Recursion here follows one tree, which the parser bounded.
    func evaluationDepth(_ e: TypedExpr) -> Int {
        switch e.kind {
        case .constant, .now, .hostName, .element:
            return 1
        case .letRef(let index):
            return 1 + (index < letDepths.count ? letDepths[index] : 0)
        case .field(let b, _), .project(let b, _, _), .timeComponent(let b, _), .negate(let b), .not(let b):
            return 1 + evaluationDepth(b)
        case .arithmetic(_, let a, let b), .concat(let a, let b), .compare(_, let a, let b), .and(let a, let b),
             .or(let a, let b), .member(let a, let b, _), .coalesce(let a, let b), .filter(let a, let b, _):
            return 1 + max(evaluationDepth(a), evaluationDepth(b))
        case .conditional(let c, let a, let b):
            return 1 + max(evaluationDepth(c), evaluationDepth(a), evaluationDepth(b))
        case .list(let items), .scalar(_, let items), .minMax(_, let items), .hostCall(_, _, let items):
            return 1 + items.reduce(0) { max($0, evaluationDepth($1)) }
        case .top(let n, let c, let k, _, _):
            return 1 + max(evaluationDepth(n), evaluationDepth(c), evaluationDepth(k))
        case .aggregate(_, let c, let p, _):
            return 1 + max(evaluationDepth(c), p.map(evaluationDepth) ?? 0)
        }
    }

    /// The deepest of a rule's condition, `until` condition, action targets and slots.
    func evaluationDepth(_ rule: TypedRule) -> Int {
        var depth = evaluationDepth(rule.condition)
        if let clear = rule.clearCondition { depth = max(depth, evaluationDepth(clear)) }
        forEachAction(of: rule) { action in
            if let target = action.target { depth = max(depth, evaluationDepth(target)) }
            for slot in action.slots { depth = max(depth, evaluationDepth(slot.value)) }
        }
        return depth
    }
}
