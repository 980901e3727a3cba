/// Collections. A collection evaluates to `Items`: rows of a host table (a selection of
/// row numbers, never copied records) or boxed elements. A filter over rows narrows the
/// selection one condition at a time with typed column scans (RowFilter.swift); anything
/// it cannot scan is evaluated per row with the row bound, still unboxed. Per-element
/// conditions treat a missing value as false (the element is left out).
enum Items {
    case rows(Rows)
    case list([Value])

    var count: Int {
        switch self {
        case .rows(let rows): return rows.count
        case .list(let elements): return elements.count
        }
    }
}
typealias ItemsFn = (EvalContext) throws(EvalError) -> Items

extension Compiler {
    func items(_ e: TypedExpr) -> ItemsFn {
        switch e.kind {
        case .filter(let collection, let predicate, let depth):
            let base = items(collection)
            let keep = perElement.bool(predicate)
            let scan = RowFilter(compiler: self, predicate: predicate, depth: depth)
            return { ctx throws(EvalError) in
                switch try base(ctx) {
                case .rows(let rows):
                    try ctx.step(rows.count)
                    return .rows(try scan.apply(ctx, rows))
                case .list(let elements):
                    try ctx.step(elements.count)
                    var out: [Value] = []
                    for element in elements {
                        ctx.bind(depth, element)
                        if try Compiler.holds(keep, ctx) { out.append(element) }
                    }
                    return .list(out)
                }
            }
        case .top(let count, let collection, let key, let depth, let descending):
            let n = number(count)
            let base = items(collection)
            let keyFn = perElement.value(key)
            return { ctx throws(EvalError) in
                let limit = try n(ctx)
                guard limit >= 0 else { throw .arithmetic(count.range, "`top` with a negative count") }
                let all = try base(ctx)
                try ctx.step(all.count)
                var keyed: [(key: Value, index: Int)] = []
                keyed.reserveCapacity(all.count)
                for i in 0..<all.count {
                    switch all {
                    case .rows(let rows): ctx.rowTables[depth] = rows.table; ctx.rowIndices[depth] = rows.row(i)
                    case .list(let elements): ctx.bind(depth, elements[i])
                    }
                    let k: Value
                    do throws(EvalError) { k = try keyFn(ctx) } catch {
                        guard error.isGap else { throw error }
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
                let chosen = keyed.prefix(take)
                switch all {
                case .rows(let rows): return .rows(Rows(rows.table, selection: chosen.map { Int32(rows.row($0.index)) }))
                case .list(let elements): return .list(chosen.map { elements[$0.index] })
                }
            }
        default:
            let items = value(e)
            let what = text(e.range)
            let r = e.range
            return { ctx throws(EvalError) in
                switch try items(ctx) {
                case .rows(let rows): return .rows(rows)
                case .list(let elements): return .list(elements)
                default: throw .missing(r, what)
                }
            }
        }
    }

    /// A per-element condition: missing counts as false.
    @inline(__always)
    static func holds(_ condition: BoolFn, _ ctx: EvalContext) throws(EvalError) -> Bool {
        do throws(EvalError) { return try condition(ctx) } catch {
            guard error.isGap else { throw error }
            return false
        }
    }

    static func less(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)), (.instant(let x), .instant(let y)): return x < y
        case (.string(let x), .string(let y)): return x < y
        default: return false
        }
    }

    /// Calls `body` with each element bound at `depth` (a row of a table, or a boxed value).
    @inline(__always)
    static func forEach(_ all: Items, _ depth: Int, _ ctx: EvalContext,
                        _ body: () throws(EvalError) -> Bool) throws(EvalError) {
        switch all {
        case .rows(let rows):
            ctx.rowTables[depth] = rows.table
            if let selection = rows.selection {
                for row in selection {
                    ctx.rowIndices[depth] = Int(row)
                    if !(try body()) { return }
                }
            } else {
                for row in 0..<rows.table.count {
                    ctx.rowIndices[depth] = row
                    if !(try body()) { return }
                }
            }
        case .list(let elements):
            for element in elements {
                ctx.bind(depth, element)
                if !(try body()) { return }
            }
        }
    }

    /// How to read the number of each element: a per-element expression (evaluated with
    /// the element bound at `depth`), or a projected field (`sum(nodes.power)`).
    private func numbers(_ collection: TypedExpr, _ perElement: TypedExpr?, _ depth: Int, _ r: SourceRange)
        -> (EvalContext, (Double) -> Bool) throws(EvalError) -> Void {
        if let perElementExpr = perElement {
            let f = self.perElement.number(perElementExpr)
            let base = items(collection)
            return { ctx, body throws(EvalError) in
                let all = try base(ctx)
                try ctx.step(all.count)
                try Compiler.forEach(all, depth, ctx) { () throws(EvalError) -> Bool in body(try f(ctx)) }
            }
        }
        if case .project(let base, let index, _) = collection.kind {
            let what = text(collection.range)
            let r = collection.range
            let elements = items(base)
            return { ctx, body throws(EvalError) in
                let all = try elements(ctx)
                try ctx.step(all.count)
                switch all {
                case .rows(let rows):
                    if case .number(let column) = rows.table.columns[index] {
                        for i in 0..<rows.count {
                            let d = column[rows.row(i)]
                            if d.isNaN { throw .missing(r, what) }
                            if !body(d) { return }
                        }
                        return
                    }
                    for i in 0..<rows.count {
                        if !body(try Compiler.number(rows.table.value(row: rows.row(i), field: index), r, what)) { return }
                    }
                case .list(let list):
                    for element in list {
                        guard case .record(let rec) = element else { throw .missing(r, what) }
                        if !body(try Compiler.number(rec.fields[index], r, what)) { return }
                    }
                }
            }
        }
        let what = text(collection.range)
        let each = value(collection)
        let r = collection.range
        return { ctx, body throws(EvalError) in
            guard let list = try each(ctx).elements else { throw .missing(r, what) }
            try ctx.step(list.count)
            for element in list where !body(try Compiler.number(element, r, what)) { return }
        }
    }

    func numericAggregate(_ kind: Builtins.Aggregate, _ collection: TypedExpr, _ perElement: TypedExpr?, _ depth: Int,
                          _ r: SourceRange) -> NumberFn {
        let what = text(r)
        if kind == .count {
            let base = items(collection)
            guard let perElementExpr = perElement else {
                return { ctx throws(EvalError) in Double(try base(ctx).count) }
            }
            // `count(xs, cond)` is `count(xs where cond)`: over rows, a selection scan.
            let condition = self.perElement.bool(perElementExpr)
            let scan = RowFilter(compiler: self, predicate: perElementExpr, depth: depth)
            return { ctx throws(EvalError) in
                let all = try base(ctx)
                try ctx.step(all.count)
                if case .rows(let rows) = all { return Double(try scan.apply(ctx, rows).count) }
                var n = 0
                try Compiler.forEach(all, depth, ctx) { () throws(EvalError) -> Bool in
                    if try Compiler.holds(condition, ctx) { n += 1 }
                    return true
                }
                return Double(n)
            }
        }
        let each = numbers(collection, perElement, depth, r)
        switch kind {
        case .sum:
            return { ctx throws(EvalError) in
                var total = 0.0
                try each(ctx) { total += $0; return true }
                return total
            }
        case .avg:
            return { ctx throws(EvalError) in
                var total = 0.0
                var n = 0
                try each(ctx) { total += $0; n += 1; return true }
                if n == 0 { throw .missing(r, "\(what) of no elements") }
                return total / Double(n)
            }
        default:
            let isMin = kind == .min
            return { ctx throws(EvalError) in
                var best: Double?
                try each(ctx) { v in
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
        let base = items(collection)
        let condition: (EvalContext, Items, Int) throws(EvalError) -> Bool
        if let perElementExpr = perElement {
            let f = self.perElement.bool(perElementExpr)
            condition = { ctx, _, _ throws(EvalError) in try Compiler.holds(f, ctx) }
        } else {
            let what = text(collection.range)
            condition = { ctx, all, i throws(EvalError) in
                let element: Value
                switch all {
                case .rows(let rows): element = .record(rows.table.record(at: rows.row(i)))
                case .list(let elements): element = elements[i]
                }
                if case .missing = element { return false }
                return try Compiler.bool(element, r, what)
            }
        }
        return { ctx throws(EvalError) in
            let all = try base(ctx)
            try ctx.step(all.count)
            var result = !wantAny
            var i = 0
            try Compiler.forEach(all, depth, ctx) { () throws(EvalError) -> Bool in
                let holds = try condition(ctx, all, i)
                i += 1
                if wantAny && holds { result = true; return false }
                if !wantAny && !holds { result = false; return false }
                return true
            }
            return result
        }
    }
}
