/// Collections are never materialised between stages: `count(jobs where gpus > 0)` is one
/// loop over `jobs` with the predicate inlined, and `sum(nodes.power)` reads the field in
/// place. Per-element conditions treat a missing value as false (the element is left out).
extension Compiler {
    func forEach(_ e: TypedExpr) -> ForEachFn {
        switch e.kind {
        case .filter(let collection, let predicate, let depth):
            let base = forEach(collection)
            let keep = perElement.bool(predicate)
            return { ctx, body throws(EvalError) in
                try base(ctx) { (element: Value) throws(EvalError) -> Bool in
                    ctx.elements[depth] = element
                    let matched: Bool
                    do throws(EvalError) { matched = try keep(ctx) } catch {
                        guard case .missing = error else { throw error }
                        matched = false
                    }
                    return matched ? try body(element) : true
                }
            }
        case .top(let count, let collection, let key, let depth, let descending):
            let n = number(count)
            let items = value(collection)
            let collectionText = text(collection.range)
            let keyFn = perElement.value(key)
            return { ctx, body throws(EvalError) in
                let limit = try n(ctx)
                guard case .list(let elements) = try items(ctx) else { throw .missing(collection.range, collectionText) }
                try ctx.step(elements.count)
                var keyed: [(key: Value, index: Int)] = []
                keyed.reserveCapacity(elements.count)
                for (i, element) in elements.enumerated() {
                    ctx.elements[depth] = element
                    let k: Value
                    do throws(EvalError) { k = try keyFn(ctx) } catch {
                        guard case .missing = error else { throw error }
                        continue
                    }
                    if !k.isMissing { keyed.append((k, i)) }
                }
                // Stable: equal keys keep collection order, so results are deterministic.
                keyed.sort { a, b in
                    let ordered = Compiler.less(a.key, b.key)
                    let reversed = Compiler.less(b.key, a.key)
                    if !ordered && !reversed { return a.index < b.index }
                    return descending ? reversed : ordered
                }
                let take = limit.isFinite ? max(0, min(Int(min(limit, Double(Int32.max))), keyed.count)) : keyed.count
                for entry in keyed.prefix(take) where !(try body(elements[entry.index])) { return }
            }
        default:
            let items = value(e)
            let what = text(e.range)
            let r = e.range
            return { ctx, body throws(EvalError) in
                guard case .list(let elements) = try items(ctx) else { throw .missing(r, what) }
                for element in elements {
                    try ctx.step()
                    if !(try body(element)) { return }
                }
            }
        }
    }

    static func less(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)), (.instant(let x), .instant(let y)): return x < y
        case (.string(let x), .string(let y)): return x < y
        default: return false
        }
    }

    /// How to read the value of one element: the per-element expression, a projected
    /// field, or the element itself.
    private func elementReader(_ collection: TypedExpr, _ perElement: TypedExpr?, _ depth: Int)
        -> (ForEachFn, (EvalContext, Value) throws(EvalError) -> Double) {
        if let perElementExpr = perElement {
            let f = self.perElement.number(perElementExpr)
            return (forEach(collection), { ctx, element throws(EvalError) in
                ctx.elements[depth] = element
                return try f(ctx)
            })
        }
        if case .project(let base, let index, _) = collection.kind {
            let what = text(collection.range)
            let r = collection.range
            return (forEach(base), { _, element throws(EvalError) in
                guard case .record(let rec) = element else { throw .missing(r, what) }
                return try Compiler.number(rec.fields[index], r, what)
            })
        }
        let what = text(collection.range)
        let r = collection.range
        return (forEach(collection), { _, element throws(EvalError) in try Compiler.number(element, r, what) })
    }

    func numericAggregate(_ kind: Builtins.Aggregate, _ collection: TypedExpr, _ perElement: TypedExpr?, _ depth: Int,
                          _ r: SourceRange) -> NumberFn {
        let what = text(r)
        if kind == .count {
            let condition = perElement.map(self.perElement.bool)
            let each = forEach(collection)
            return { ctx throws(EvalError) in
                var n = 0.0
                try each(ctx) { (element: Value) throws(EvalError) -> Bool in
                    if let condition {
                        ctx.elements[depth] = element
                        do throws(EvalError) { if try condition(ctx) { n += 1 } } catch {
                            guard case .missing = error else { throw error }
                        }
                    } else {
                        n += 1
                    }
                    return true
                }
                return n
            }
        }
        let (each, read) = elementReader(collection, perElement, depth)
        switch kind {
        case .sum:
            return { ctx throws(EvalError) in
                var total = 0.0
                try each(ctx) { (element: Value) throws(EvalError) -> Bool in total += try read(ctx, element); return true }
                return total
            }
        case .avg:
            return { ctx throws(EvalError) in
                var total = 0.0
                var n = 0
                try each(ctx) { (element: Value) throws(EvalError) -> Bool in
                    total += try read(ctx, element)
                    n += 1
                    return true
                }
                if n == 0 { throw .missing(r, "\(what) of no elements") }
                return total / Double(n)
            }
        default:
            let isMin = kind == .min
            return { ctx throws(EvalError) in
                var best: Double?
                try each(ctx) { (element: Value) throws(EvalError) -> Bool in
                    let v = try read(ctx, element)
                    if let b = best { if isMin ? v < b : v > b { best = v } } else { best = v }
                    return true
                }
                guard let best else { throw .missing(r, "\(what) of no elements") }
                return best
            }
        }
    }

    func boolAggregate(_ kind: Builtins.Aggregate, _ collection: TypedExpr, _ perElement: TypedExpr?, _ depth: Int,
                       _ r: SourceRange) -> BoolFn {
        let wantAny = kind == .any
        let each = forEach(collection)
        let condition: (EvalContext, Value) throws(EvalError) -> Bool
        if let perElementExpr = perElement {
            let f = self.perElement.bool(perElementExpr)
            condition = { ctx, element throws(EvalError) in
                ctx.elements[depth] = element
                do throws(EvalError) { return try f(ctx) } catch {
                    guard case .missing = error else { throw error }
                    return false
                }
            }
        } else {
            let what = text(collection.range)
            condition = { _, element throws(EvalError) in
                if case .missing = element { return false }
                return try Compiler.bool(element, r, what)
            }
        }
        return { ctx throws(EvalError) in
            var result = !wantAny
            try each(ctx) { (element: Value) throws(EvalError) -> Bool in
                let holds = try condition(ctx, element)
                if wantAny && holds { result = true; return false }
                if !wantAny && !holds { result = false; return false }
                return true
            }
            return result
        }
    }
}
