/// Compiles checked expressions into Swift closures specialised by result type, so a
/// numeric expression is a chain of `(EvalContext) -> Double` calls: no enum boxing,
/// no name lookups and no allocation on the hot path. See docs/design.md.
typealias NumberFn = (EvalContext) throws(EvalError) -> Double
typealias BoolFn = (EvalContext) throws(EvalError) -> Bool
typealias StringFn = (EvalContext) throws(EvalError) -> String
typealias ValueFn = (EvalContext) throws(EvalError) -> Value
/// Visits the elements of a collection; the body returns false to stop early.
typealias ForEachFn = (EvalContext, (Value) throws(EvalError) -> Bool) throws(EvalError) -> Void

struct Compiler {
    /// Names source text for "missing value" reports.
    let source: SourceFile?
    /// Evaluates `let` definitions on demand (memoized per evaluation).
    let letValue: @Sendable (EvalContext, Int) throws(EvalError) -> Value
    /// Comparisons record their operands for explanations, except per element (inside
    /// `where`, aggregates and `top`), where that would record every element.
    var explains = true

    init(source: SourceFile?, letValue: @escaping @Sendable (EvalContext, Int) throws(EvalError) -> Value) {
        self.source = source
        self.letValue = letValue
    }

    /// The compiler for expressions evaluated once per element.
    var perElement: Compiler {
        var inner = self
        inner.explains = false
        return inner
    }

    @inline(never)
    static func nonFinite(_ r: SourceRange, _ what: String) -> EvalError {
        .arithmetic(r, "`\(what)` is out of range (beyond ±1.8e308)")
    }

    func text(_ range: SourceRange) -> String {
        guard let source else { return "value" }
        let t = source.text(range)
        return t.count > 60 ? String(t.prefix(57)) + "..." : t
    }

    // MARK: Value extraction

    @inline(__always)
    static func number(_ v: Value, _ range: SourceRange, _ what: @autoclosure () -> String) throws(EvalError) -> Double {
        switch v {
        case .number(let d), .instant(let d): return d
        case .missing: throw .missing(range, what())
        default: throw .host(range, "expected a number for `\(what())`")
        }
    }
    @inline(__always)
    static func bool(_ v: Value, _ range: SourceRange, _ what: @autoclosure () -> String) throws(EvalError) -> Bool {
        switch v {
        case .bool(let b): return b
        case .missing: throw .missing(range, what())
        default: throw .host(range, "expected a bool for `\(what())`")
        }
    }
    @inline(__always)
    static func string(_ v: Value, _ range: SourceRange, _ what: @autoclosure () -> String) throws(EvalError) -> String {
        switch v {
        case .string(let s): return s
        case .missing: throw .missing(range, what())
        default: throw .host(range, "expected a string for `\(what())`")
        }
    }
    @inline(__always)
    static func record(_ v: Value, _ range: SourceRange, _ what: @autoclosure () -> String) throws(EvalError) -> Record {
        switch v {
        case .record(let r): return r
        case .missing: throw .missing(range, what())
        default: throw .host(range, "expected a record for `\(what())`")
        }
    }

    // MARK: Generic values

    func value(_ e: TypedExpr) -> ValueFn {
        let r = e.range
        switch e.kind {
        case .constant(let v): return { _ in v }
        case .hostName(let slot): return { ctx in ctx.inputs[slot] }
        case .letRef(let index):
            let letValue = self.letValue
            return { ctx throws(EvalError) in try letValue(ctx, index) }
        case .element(let depth): return { ctx in ctx.element(depth) }
        case .field(let base, let index):
            if case .element(let depth) = base.kind {
                let what = text(base.range)
                return { ctx throws(EvalError) in
                    guard let v = ctx.elementField(depth, index) else { throw .missing(r, what) }
                    return v
                }
            }
            let b = value(base)
            let what = text(base.range)
            return { ctx throws(EvalError) in try Compiler.record(b(ctx), r, what).fields[index] }
        case .list(let items):
            let fns = items.map(value)
            return { ctx throws(EvalError) in
                var out: [Value] = []
                out.reserveCapacity(fns.count)
                for f in fns { out.append(try f(ctx)) }
                return .list(out)
            }
        case .project(let base, let index, _):
            let each = items(base)
            return { ctx throws(EvalError) in
                switch try each(ctx) {
                case .rows(let rows):
                    return .list((0..<rows.count).map { rows.table.value(row: rows.row($0), field: index) })
                case .list(let elements):
                    return .list(elements.map { if case .record(let rec) = $0 { return rec.fields[index] } else { return .missing } })
                }
            }
        case .filter, .top:
            let each = items(e)
            return { ctx throws(EvalError) in
                switch try each(ctx) {
                case .rows(let rows): return .rows(rows)
                case .list(let elements): return .list(elements)
                }
            }
        case .conditional(let c, let a, let b):
            let cf = bool(c), af = value(a), bf = value(b)
            return { ctx throws(EvalError) in try cf(ctx) ? af(ctx) : bf(ctx) }
        case .coalesce(let a, let b):
            let af = value(a), bf = value(b)
            return { ctx throws(EvalError) in
                do throws(EvalError) {
                    let v = try af(ctx)
                    return v.isMissing ? try bf(ctx) : v
                } catch {
                    if error.isGap { return try bf(ctx) }
                    throw error
                }
            }
        case .hostCall(let name, let overload, let args):
            return hostCall(name, overload, args, r)
        default:
            switch e.type.unwrapped {
            case .bool:
                let f = bool(e)
                return { ctx throws(EvalError) in .bool(try f(ctx)) }
            case .string:
                let f = string(e)
                return { ctx throws(EvalError) in .string(try f(ctx)) }
            case .instant:
                let f = number(e)
                return { ctx throws(EvalError) in .instant(try f(ctx)) }
            default:
                let f = number(e)
                return { ctx throws(EvalError) in .number(try f(ctx)) }
            }
        }
    }

    func hostCall(_ name: String, _ overload: FunctionOverload, _ args: [TypedExpr], _ r: SourceRange) -> ValueFn {
        let fns = args.map(value)
        let texts = args.map { text($0.range) }
        let passesMissing = overload.parameters.map { if case .optional = $0 { return true } else { return false } }
        let implementation = overload.implementation
        let cost = max(1, overload.cost)
        return { ctx throws(EvalError) in
            try ctx.step(cost)
            var values: [Value] = []
            values.reserveCapacity(fns.count)
            for (i, f) in fns.enumerated() {
                let v: Value
                do throws(EvalError) { v = try f(ctx) } catch {
                    if error.isGap, passesMissing[i] { values.append(.missing); continue }
                    throw error
                }
                if v.isMissing && !passesMissing[i] { throw .missing(args[i].range, texts[i]) }
                values.append(v)
            }
            do {
                return try implementation(values)
            } catch {
                throw .host(r, "`\(name)` failed: \(error)")
            }
        }
    }

    // MARK: Numbers (quantities and instants)

    func number(_ e: TypedExpr) -> NumberFn {
        let r = e.range
        switch e.kind {
        case .constant(let v):
            if case .number(let d) = v { return { _ in d } }
            if case .instant(let d) = v { return { _ in d } }
            let what = text(r)
            return { _ throws(EvalError) in try Compiler.number(v, r, what) }
        case .now: return { ctx in ctx.now }
        case .hostName(let slot):
            let what = text(r)
            return { ctx throws(EvalError) in try Compiler.number(ctx.inputs[slot], r, what) }
        case .field(let base, let index):
            let what = text(r)
            if case .element(let depth) = base.kind {
                // The common case inside `where`: a field of the current element.
                return { ctx throws(EvalError) in
                    if let table = ctx.rowTables[depth] {
                        switch table.columns[index] {
                        case .number(let column), .instant(let column):
                            let d = column[ctx.rowIndices[depth]]
                            if d.isNaN { throw .missing(r, what) }
                            return d
                        default: return try Compiler.number(table.value(row: ctx.rowIndices[depth], field: index), r, what)
                        }
                    }
                    guard case .record(let rec) = ctx.elements[depth] else { throw .missing(r, what) }
                    return try Compiler.number(rec.fields[index], r, what)
                }
            }
            let b = value(base)
            let baseText = text(base.range)
            return { ctx throws(EvalError) in
                try Compiler.number(Compiler.record(b(ctx), base.range, baseText).fields[index], r, what)
            }
        case .timeComponent(let base, let component):
            let b = number(base)
            return { ctx throws(EvalError) in TimeCalendar.component(component, of: try b(ctx)) }
        case .negate(let a):
            let f = number(a)
            return { ctx throws(EvalError) in -(try f(ctx)) }
        case .arithmetic(let op, let a, let b):
            let l = number(a), rr = number(b)
            // A result beyond the doubles (overflow, `inf - inf`) is an undefined value, never
            // a silent `inf` or `NaN` (`NaN > 0` would be false, not a gap).
            let what = text(r)
            switch op {
            case .add:
                return { ctx throws(EvalError) in
                    let v = try l(ctx) + rr(ctx)
                    if v.isFinite { return v }
                    throw Compiler.nonFinite(r, what)
                }
            case .subtract:
                return { ctx throws(EvalError) in
                    let v = try l(ctx) - rr(ctx)
                    if v.isFinite { return v }
                    throw Compiler.nonFinite(r, what)
                }
            case .multiply:
                return { ctx throws(EvalError) in
                    let v = try l(ctx) * rr(ctx)
                    if v.isFinite { return v }
                    throw Compiler.nonFinite(r, what)
                }
            case .divide:
                let divisor = text(b.range)
                return { ctx throws(EvalError) in
                    let d = try rr(ctx)
                    if d == 0 { throw .arithmetic(r, "division by zero: `\(divisor)` is 0") }
                    let v = try l(ctx) / d
                    if v.isFinite { return v }
                    throw Compiler.nonFinite(r, what)
                }
            }
        case .conditional(let c, let a, let b):
            let cf = bool(c), af = number(a), bf = number(b)
            return { ctx throws(EvalError) in try cf(ctx) ? af(ctx) : bf(ctx) }
        case .coalesce(let a, let b):
            let af = number(a), bf = number(b)
            return { ctx throws(EvalError) in
                do throws(EvalError) { return try af(ctx) } catch {
                    if error.isGap { return try bf(ctx) }
                    throw error
                }
            }
        case .minMax(let isMin, let items):
            let fns = items.map(number)
            return { ctx throws(EvalError) in
                var best = try fns[0](ctx)
                for f in fns.dropFirst() {
                    let v = try f(ctx)
                    if isMin ? v < best : v > best { best = v }
                }
                return best
            }
        case .scalar(let scalar, let args):
            return numericScalar(scalar, args, r)
        case .aggregate(let kind, let collection, let perElement, let depth):
            return numericAggregate(kind, collection, perElement, depth, r)
        default:
            let f = value(e)
            let what = text(r)
            return { ctx throws(EvalError) in try Compiler.number(f(ctx), r, what) }
        }
    }

    private func numericScalar(_ scalar: Builtins.Scalar, _ args: [TypedExpr], _ r: SourceRange) -> NumberFn {
        let fns = args.map(number)
        switch scalar {
        case .abs: return { ctx throws(EvalError) in abs(try fns[0](ctx)) }
        case .floor: return { ctx throws(EvalError) in (try fns[0](ctx)).rounded(.down) }
        case .ceil: return { ctx throws(EvalError) in (try fns[0](ctx)).rounded(.up) }
        case .round: return { ctx throws(EvalError) in (try fns[0](ctx)).rounded(.toNearestOrAwayFromZero) }
        case .clamp:
            return { ctx throws(EvalError) in
                let x = try fns[0](ctx), low = try fns[1](ctx), high = try fns[2](ctx)
                guard low <= high else { throw .arithmetic(r, "`clamp` with its low bound above its high bound") }
                return min(max(x, low), high)
            }
        case .time:
            let s = string(args[0])
            let what = text(args[0].range)
            return { ctx throws(EvalError) in
                guard let t = TimeCalendar.parseISO8601(try s(ctx)) else { throw .missing(r, "time(\(what))") }
                return t
            }
        default:
            let f = value(TypedExpr(.scalar(scalar, args), .bool, r))
            let what = text(r)
            return { ctx throws(EvalError) in try Compiler.number(f(ctx), r, what) }
        }
    }
}
