extension Compiler {
    func bool(_ e: TypedExpr) -> BoolFn {
        let f = boolCore(e)
        switch e.kind {
        case .and, .or, .not, .compare, .constant, .conditional, .coalesce:
            return f
        default:
            // A boolean leaf of a condition (`any(nodes, hot)`, a flag): explained by its value.
            return explains ? tracedLeaf(f, e) : f
        }
    }

    private func tracedLeaf(_ f: @escaping BoolFn, _ e: TypedExpr) -> BoolFn {
        let text = self.text(e.range)
        let range = e.range
        return { ctx throws(EvalError) in
            let result = try f(ctx)
            if ctx.trace != nil {
                ctx.trace!.append(ExplanationTerm(text: text, op: "", left: nil, right: nil, result: result, range: range))
            }
            return result
        }
    }

    private func boolCore(_ e: TypedExpr) -> BoolFn {
        let r = e.range
        switch e.kind {
        case .constant(.bool(let b)): return { _ in b }
        case .not(let a):
            let f = bool(a)
            return { ctx throws(EvalError) in !(try f(ctx)) }
        case .and(let a, let b):
            // Kleene logic: `missing and false` is false, so a gap on one side does not
            // hide a definite answer from the other.
            let l = bool(a), rr = bool(b)
            return { ctx throws(EvalError) in
                do throws(EvalError) {
                    if !(try l(ctx)) { return false }
                } catch {
                    guard error.isGap else { throw error }
                    if !(try rr(ctx)) { return false }
                    throw error
                }
                return try rr(ctx)
            }
        case .or(let a, let b):
            let l = bool(a), rr = bool(b)
            return { ctx throws(EvalError) in
                do throws(EvalError) {
                    if try l(ctx) { return true }
                } catch {
                    guard error.isGap else { throw error }
                    if try rr(ctx) { return true }
                    throw error
                }
                return try rr(ctx)
            }
        case .compare(let op, let a, let b):
            return explains ? traced(compare(op, a, b), e, a, b, op.rawValue) : compare(op, a, b)
        case .member(let needle, let haystack, let negated):
            let n = value(needle)
            let what = text(needle.range)
            if case .constant(.list(let items)) = haystack.kind {
                let set = Set(items)
                return { ctx throws(EvalError) in
                    let v = try n(ctx)
                    if v.isMissing { throw .missing(needle.range, what) }
                    return set.contains(v) != negated
                }
            }
            let h = value(haystack)
            let haystackText = text(haystack.range)
            return { ctx throws(EvalError) in
                let v = try n(ctx)
                if v.isMissing { throw .missing(needle.range, what) }
                let list = try h(ctx)
                if case .list(let items) = list {
                    try ctx.step(items.count)
                    return items.contains(v) != negated
                }
                guard let items = list.elements else { throw .missing(haystack.range, haystackText) }
                try ctx.step(items.count)
                return items.contains(v) != negated
            }
        case .conditional(let c, let a, let b):
            let cf = bool(c), af = bool(a), bf = bool(b)
            return { ctx throws(EvalError) in try cf(ctx) ? af(ctx) : bf(ctx) }
        case .coalesce(let a, let b):
            let af = bool(a), bf = bool(b)
            return { ctx throws(EvalError) in
                do throws(EvalError) { return try af(ctx) } catch {
                    if error.isGap { return try bf(ctx) }
                    throw error
                }
            }
        case .field(let base, let index):
            let what = text(r)
            if case .element(let depth) = base.kind {
                return { ctx throws(EvalError) in
                    guard let v = ctx.elementField(depth, index) else { throw .missing(r, what) }
                    return try Compiler.bool(v, r, what)
                }
            }
            let f = value(e)
            return { ctx throws(EvalError) in try Compiler.bool(f(ctx), r, what) }
        case .scalar(let scalar, let args):
            return boolScalar(scalar, args, r)
        case .aggregate(let kind, let collection, let perElement, let depth):
            return boolAggregate(kind, collection, perElement, depth, r)
        default:
            let f = value(e)
            let what = text(r)
            return { ctx throws(EvalError) in try Compiler.bool(f(ctx), r, what) }
        }
    }

    private func compare(_ op: CompareOp, _ a: TypedExpr, _ b: TypedExpr) -> BoolFn {
        switch a.type.unwrapped {
        case .quantity:
            let l = number(a), r = number(b)
            typealias Q = QuantityComparison
            switch op {
            case .eq: return { ctx throws(EvalError) in Q.equal(try l(ctx), try r(ctx)) }
            case .ne: return { ctx throws(EvalError) in !Q.equal(try l(ctx), try r(ctx)) }
            case .lt: return { ctx throws(EvalError) in Q.less(try l(ctx), try r(ctx)) }
            case .le: return { ctx throws(EvalError) in let x = try l(ctx), y = try r(ctx); return x <= y || Q.equal(x, y) }
            case .gt: return { ctx throws(EvalError) in Q.less(try r(ctx), try l(ctx)) }
            case .ge: return { ctx throws(EvalError) in let x = try l(ctx), y = try r(ctx); return x >= y || Q.equal(x, y) }
            }
        case .instant:
            let l = number(a), r = number(b)
            switch op {
            case .eq: return { ctx throws(EvalError) in try l(ctx) == r(ctx) }
            case .ne: return { ctx throws(EvalError) in try l(ctx) != r(ctx) }
            case .lt: return { ctx throws(EvalError) in try l(ctx) < r(ctx) }
            case .le: return { ctx throws(EvalError) in try l(ctx) <= r(ctx) }
            case .gt: return { ctx throws(EvalError) in try l(ctx) > r(ctx) }
            case .ge: return { ctx throws(EvalError) in try l(ctx) >= r(ctx) }
            }
        case .string:
            let l = string(a), r = string(b)
            switch op {
            case .eq: return { ctx throws(EvalError) in try l(ctx) == r(ctx) }
            case .ne: return { ctx throws(EvalError) in try l(ctx) != r(ctx) }
            case .lt: return { ctx throws(EvalError) in try l(ctx) < r(ctx) }
            case .le: return { ctx throws(EvalError) in try l(ctx) <= r(ctx) }
            case .gt: return { ctx throws(EvalError) in try l(ctx) > r(ctx) }
            case .ge: return { ctx throws(EvalError) in try l(ctx) >= r(ctx) }
            }
        default:
            let l = value(a), r = value(b)
            let lt = text(a.range), rt = text(b.range)
            return { ctx throws(EvalError) in
                let x = try l(ctx), y = try r(ctx)
                if x.isMissing { throw .missing(a.range, lt) }
                if y.isMissing { throw .missing(b.range, rt) }
                return (x == y) == (op == .eq)
            }
        }
    }

    /// Records both operands of a comparison while a rule's firing is being explained.
    private func traced(_ f: @escaping BoolFn, _ e: TypedExpr, _ a: TypedExpr, _ b: TypedExpr, _ op: String) -> BoolFn {
        let l = value(a), r = value(b)
        let text = self.text(e.range), leftText = self.text(a.range), rightText = self.text(b.range)
        let range = e.range
        return { ctx throws(EvalError) in
            let result = try f(ctx)
            if ctx.trace != nil {
                let saved = ctx.trace
                ctx.trace = nil
                let left = (try? l(ctx)) ?? .missing
                let right = (try? r(ctx)) ?? .missing
                ctx.trace = saved
                func operand(_ v: Value, _ t: TypedExpr, _ source: String) -> ExplanationTerm.Operand {
                    if case .constant = t.kind { return .init(value: v, type: t.type, unit: t.displayUnit, source: nil) }
                    return .init(value: v, type: t.type, unit: t.displayUnit, source: source)
                }
                ctx.trace!.append(ExplanationTerm(text: text, op: op, left: operand(left, a, leftText),
                                                  right: operand(right, b, rightText), result: result, range: range))
            }
            return result
        }
    }

    private func boolScalar(_ scalar: Builtins.Scalar, _ args: [TypedExpr], _ r: SourceRange) -> BoolFn {
        switch scalar {
        case .present:
            let f = value(args[0])
            return { ctx throws(EvalError) in
                do throws(EvalError) { return !(try f(ctx)).isMissing } catch {
                    if error.isGap { return false }
                    throw error
                }
            }
        case .contains, .starts_with, .ends_with:
            let s = string(args[0]), p = string(args[1])
            switch scalar {
            case .contains: return { ctx throws(EvalError) in let part = try p(ctx); let whole = try s(ctx); return part.isEmpty || whole.contains(part) }
            case .starts_with: return { ctx throws(EvalError) in (try s(ctx)).hasPrefix(try p(ctx)) }
            default: return { ctx throws(EvalError) in (try s(ctx)).hasSuffix(try p(ctx)) }
            }
        default:
            let what = text(r)
            return { _ throws(EvalError) in throw .host(r, "`\(what)` is not a bool") }
        }
    }

    func string(_ e: TypedExpr) -> StringFn {
        let r = e.range
        switch e.kind {
        case .constant(.string(let s)): return { _ in s }
        case .concat(let a, let b):
            let l = string(a), rr = string(b)
            return { ctx throws(EvalError) in try l(ctx) + rr(ctx) }
        case .field(let base, let index):
            let what = text(r)
            if case .element(let depth) = base.kind {
                return { ctx throws(EvalError) in
                    guard let v = ctx.elementField(depth, index) else { throw .missing(r, what) }
                    return try Compiler.string(v, r, what)
                }
            }
            let f = value(e)
            return { ctx throws(EvalError) in try Compiler.string(f(ctx), r, what) }
        case .conditional(let c, let a, let b):
            let cf = bool(c), af = string(a), bf = string(b)
            return { ctx throws(EvalError) in try cf(ctx) ? af(ctx) : bf(ctx) }
        case .coalesce(let a, let b):
            let af = string(a), bf = string(b)
            return { ctx throws(EvalError) in
                do throws(EvalError) { return try af(ctx) } catch {
                    if error.isGap { return try bf(ctx) }
                    throw error
                }
            }
        default:
            let f = value(e)
            let what = text(r)
            return { ctx throws(EvalError) in try Compiler.string(f(ctx), r, what) }
        }
    }
}
