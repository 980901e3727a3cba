/// A `where` condition over the rows of a table, planned once at compile time.
///
/// The condition is split into its `and` operands, kept in source order. An operand that
/// compares a field of the element with a value that does not depend on the element
/// (`priority < 5`, `state == "queued"`, `node in hot_ids`, `flexible`, `present(cap)`) is
/// a column scan: the value is computed once per evaluation, then a tight loop over one
/// typed array narrows the selection of row numbers in place. Any other operand is
/// evaluated per remaining row with the row bound (no boxing of the row). Narrowing in
/// source order is the short-circuit of `and`: a row is dropped at its first false (or
/// missing) operand and later operands never see it.
struct RowFilter {
    /// Each step, with the operand compiled for the per-row path (used when a column turns
    /// out to be of another kind than the field's type suggests).
    private let steps: [(step: Step, perRow: BoolFn)]
    private let depth: Int

    private enum Step {
        case number(field: Int, op: CompareOp, value: NumberFn)
        case string(field: Int, equal: Bool, value: StringFn)
        case flag(field: Int, expected: Bool)
        case boolEquals(field: Int, negated: Bool, value: BoolFn)
        case member(field: Int, negated: Bool, haystack: ValueFn)
        case present(field: Int)
        /// The generic path, with the original operand kept for columns of other kinds.
        case perRow(BoolFn)
    }

    init(compiler: Compiler, predicate: TypedExpr, depth: Int) {
        var operands: [TypedExpr] = []
        func flatten(_ e: TypedExpr) {
            if case .and(let a, let b) = e.kind { flatten(a); flatten(b) } else { operands.append(e) }
        }
        flatten(predicate)
        self.depth = depth
        steps = operands.map { (RowFilter.plan($0, depth, compiler), compiler.perElement.bool($0)) }
    }

    private static func plan(_ e: TypedExpr, _ depth: Int, _ compiler: Compiler) -> Step {
        let generic = Step.perRow(compiler.perElement.bool(e))
        func field(_ x: TypedExpr) -> Int? {
            if case .field(let base, let index) = x.kind, case .element(let d) = base.kind, d == depth { return index }
            return nil
        }
        func invariant(_ x: TypedExpr) -> Bool { !x.references(depthAtLeast: depth) }
        switch e.kind {
        case .compare(let op, let a, let b):
            var (f, k, op) = (field(a), b, op)
            if f == nil, let g = field(b) { (f, k, op) = (g, a, op.flipped) }
            guard let index = f, invariant(k) else { return generic }
            switch k.type.unwrapped {
            case .quantity, .instant: return .number(field: index, op: op, value: compiler.number(k))
            case .string where op == .eq || op == .ne: return .string(field: index, equal: op == .eq, value: compiler.string(k))
            case .bool where op == .eq || op == .ne: return .boolEquals(field: index, negated: op == .ne, value: compiler.bool(k))
            default: return generic
            }
        case .field:
            if let index = field(e), e.type.unwrapped == .bool { return .flag(field: index, expected: true) }
        case .not(let a):
            if let index = field(a), a.type.unwrapped == .bool { return .flag(field: index, expected: false) }
        case .member(let needle, let haystack, let negated):
            if let index = field(needle), invariant(haystack) {
                return .member(field: index, negated: negated, haystack: compiler.value(haystack))
            }
        case .scalar(.present, let args):
            if let index = field(args[0]) { return .present(field: index) }
        default: break
        }
        return generic
    }

    /// The rows of `rows` for which the condition holds, in their order.
    func apply(_ ctx: EvalContext, _ rows: Rows) throws(EvalError) -> Rows {
        let table = rows.table
        // nil while every row is still selected: the first scan reads whole columns.
        var selection = rows.selection
        for (step, fallback) in steps {
            if let s = selection, s.isEmpty { break }
            try narrow(step, fallback, table, &selection, ctx)
        }
        return Rows(table, selection: selection ?? Array(0..<Int32(table.count)))
    }

    private func narrow(_ step: Step, _ fallback: BoolFn, _ table: Table, _ selection: inout [Int32]?, _ ctx: EvalContext) throws(EvalError) {
        switch step {
        case .number(let index, let op, let value):
            guard case .number(let column) = table.columns[index] else {
                if case .instant(let column) = table.columns[index] {
                    return try narrowNumbers(column, op, value, exact: true, &selection, ctx)
                }
                return try perRow(fallback, table, &selection, ctx)
            }
            try narrowNumbers(column, op, value, exact: false, &selection, ctx)
        case .string(let index, let equal, let value):
            guard case .string(let codes, let dictionary) = table.columns[index] else {
                return try perRow(fallback, table, &selection, ctx)
            }
            guard let text = try RowFilter.invariant({ () throws(EvalError) in try value(ctx) }) else { selection = []; return }
            if let code = dictionary.code(for: text) {
                if equal { RowFilter.keep(codes, &selection) { $0 == code } } else { RowFilter.keep(codes, &selection) { $0 >= 0 && $0 != code } }
            } else {
                // No row has this string.
                if equal { selection = [] } else { RowFilter.keep(codes, &selection) { $0 >= 0 } }
            }
        case .flag(let index, let expected):
            guard case .bool(let column) = table.columns[index] else { return try perRow(fallback, table, &selection, ctx) }
            let want: UInt8 = expected ? 1 : 0
            RowFilter.keep(column, &selection) { $0 == want }
        case .boolEquals(let index, let negated, let value):
            guard case .bool(let column) = table.columns[index] else { return try perRow(fallback, table, &selection, ctx) }
            guard let b = try RowFilter.invariant({ () throws(EvalError) in try value(ctx) }) else { selection = []; return }
            let want: UInt8 = (b != negated) ? 1 : 0
            RowFilter.keep(column, &selection) { $0 == want }
        case .member(let index, let negated, let haystack):
            guard let list = try RowFilter.invariant({ () throws(EvalError) in try haystack(ctx) }) else { selection = []; return }
            guard let items = list.elements else { selection = []; return }
            try ctx.step(items.count)
            switch table.columns[index] {
            case .number(let column), .instant(let column):
                let set = DoubleSet(items.compactMap { v -> Double? in
                    switch v { case .number(let d), .instant(let d): return d; default: return nil }
                })
                RowFilter.keep(column, &selection) { !$0.isNaN && set.contains($0) != negated }
            case .string(let codes, let dictionary):
                // A membership mask over the column's dictionary codes.
                var mask = [Bool](repeating: negated, count: dictionary.strings.count)
                for case .string(let s) in items { if let c = dictionary.code(for: s) { mask[Int(c)] = !negated } }
                mask.withUnsafeBufferPointer { m in RowFilter.keep(codes, &selection) { $0 >= 0 && m[Int($0)] } }
            default:
                try perRow(fallback, table, &selection, ctx)
            }
        case .present(let index):
            switch table.columns[index] {
            case .number(let column), .instant(let column): RowFilter.keep(column, &selection) { !$0.isNaN }
            case .bool(let column): RowFilter.keep(column, &selection) { $0 != Table.Column.missingBool }
            case .string(let codes, _): RowFilter.keep(codes, &selection) { $0 >= 0 }
            case .values(let column): RowFilter.keep(column, &selection) { !$0.isMissing }
            }
        case .perRow(let condition):
            try perRow(condition, table, &selection, ctx)
        }
    }

    private func narrowNumbers(_ column: [Double], _ op: CompareOp, _ value: NumberFn, exact: Bool, _ selection: inout [Int32]?,
                               _ ctx: EvalContext) throws(EvalError) {
        guard let k = try RowFilter.invariant({ () throws(EvalError) in try value(ctx) }) else { selection = []; return }
        // Quantities equal within `QuantityComparison`'s tolerance: thresholds at the band's
        // edges, so the loops stay one comparison per row.
        let (low, high) = exact ? (k, k) : QuantityComparison.band(k)
        // One specialised loop per operator; NaN (missing) fails every comparison, and
        // `!=` tests for it explicitly.
        switch op {
        case .lt: RowFilter.keep(column, &selection) { $0 < low }
        case .le: RowFilter.keep(column, &selection) { $0 <= high }
        case .gt: RowFilter.keep(column, &selection) { $0 > high }
        case .ge: RowFilter.keep(column, &selection) { $0 >= low }
        case .eq: RowFilter.keep(column, &selection) { $0 >= low && $0 <= high }
        case .ne: RowFilter.keep(column, &selection) { !($0 >= low && $0 <= high) && !$0.isNaN }
        }
    }

    private func perRow(_ condition: BoolFn, _ table: Table, _ selection: inout [Int32]?, _ ctx: EvalContext) throws(EvalError) {
        var kept: [Int32] = []
        let all = selection ?? Array(0..<Int32(table.count))
        kept.reserveCapacity(all.count)
        ctx.rowTables[depth] = table
        for row in all {
            ctx.rowIndices[depth] = Int(row)
            if try Compiler.holds(condition, ctx) { kept.append(row) }
        }
        selection = kept
    }

    /// A value that does not depend on the element; nil when it is missing (then no row
    /// matches, as a missing value per element counts as false).
    @inline(__always)
    private static func invariant<T>(_ f: () throws(EvalError) -> T) throws(EvalError) -> T? {
        do throws(EvalError) { return try f() } catch {
            guard error.isGap else { throw error }
            return nil
        }
    }

    /// Keeps the selected rows whose column value passes `test`; with no selection yet,
    /// scans the whole column.
    @inline(__always)
    private static func keep<T>(_ column: [T], _ selection: inout [Int32]?, _ test: (T) -> Bool) {
        column.withUnsafeBufferPointer { values in
            if var rows = selection {
                selection = nil  // keep the buffer uniquely referenced while compacting
                var kept = 0
                rows.withUnsafeMutableBufferPointer { r in
                    for j in 0..<r.count {
                        let row = r[j]
                        if test(values[Int(row)]) { r[kept] = row; kept += 1 }
                    }
                }
                rows.removeLast(rows.count - kept)
                selection = rows
            } else {
                // Written in place, without `append`'s capacity checks.
                selection = [Int32](unsafeUninitializedCapacity: values.count) { rows, initialized in
                    var kept = 0
                    for i in 0..<values.count where test(values[i]) { rows[kept] = Int32(truncatingIfNeeded: i); kept += 1 }
                    initialized = kept
                }
            }
        }
    }
}

extension CompareOp {
    /// The operator with its operands swapped: `5 < x` is `x > 5`.
    var flipped: CompareOp {
        switch self {
        case .lt: return .gt
        case .le: return .ge
        case .gt: return .lt
        case .ge: return .le
        case .eq, .ne: return self
        }
    }
}
