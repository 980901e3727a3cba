extension Checker {
    func checkBinary(_ op: BinaryOperator, _ leftExpr: Expr, _ rightExpr: Expr, _ r: SourceRange) -> TypedExpr {
        let left = check(leftExpr)
        let right = check(rightExpr)
        return typeBinary(op, left, right, leftExpr.range, rightExpr.range, r)
    }

    /// Types a binary operation on checked operands (off the recursive path: its frame is large).
    @inline(never)
    private func typeBinary(_ op: BinaryOperator, _ checkedLeft: __owned TypedExpr, _ checkedRight: __owned TypedExpr,
                            _ leftRange: SourceRange, _ rightRange: SourceRange, _ r: SourceRange) -> TypedExpr {
        var left = checkedLeft
        var right = checkedRight
        if left.type.isError || right.type.isError { return poisoned(r) }
        // A value-like record (a forecast) means its value next to anything but its own kind.
        if left.type.unwrapped != right.type.unwrapped, op != .in, op != .notIn {
            left = coerced(left)
            right = coerced(right)
        }
        let optional = left.type.isOptional || right.type.isOptional
        let lt = left.type.unwrapped
        let rt = right.type.unwrapped

        switch op {
        case .and, .or:
            if lt != .bool { return needsBools(op, left, leftRange, r) }
            if rt != .bool { return needsBools(op, right, rightRange, r) }
            let kind: TypedExprKind = op == .and ? .and(left, right) : .or(left, right)
            return TypedExpr(kind, WattType.bool.optional(if: optional), r)

        case .coalesce:
            guard let unified = unifyTemperatures(left, right) else { return poisoned(r) }
            (left, right) = unified
            let lt = left.type.unwrapped, rt = right.type.unwrapped
            guard compatible(lt, rt) else {
                error(.typeMismatch, "`??` needs a default of the same type: \(describe(left)) and \(describe(right))", at: r)
                return poisoned(r)
            }
            return TypedExpr(.coalesce(left, right), lt.optional(if: right.type.isOptional), r,
                             displayUnit: left.displayUnit ?? right.displayUnit)

        case .in, .notIn:
            if let (values, field) = allowedValues(of: left) { checkAllowed(right, values, what: field) }
            guard case .list(let element) = rt else {
                error(.notACollection, "`\(op.rawValue)` needs a list on the right, found \(describe(right))", at: rightRange)
                return poisoned(r)
            }
            guard compatible(lt, element.unwrapped) else {
                error(.typeMismatch, "cannot look for \(describe(left)) in a list of \(element.description)", at: r)
                return poisoned(r)
            }
            return TypedExpr(.member(left, right, negated: op == .notIn), WattType.bool.optional(if: optional), r)

        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            if op == .equal || op == .notEqual {
                if let (values, field) = allowedValues(of: left) { checkAllowed(right, values, what: field) }
                if let (values, field) = allowedValues(of: right) { checkAllowed(left, values, what: field) }
            }
            return checkComparison(op, left, right, r, optional: optional)

        case .add, .subtract:
            if lt == .string && rt == .string && op == .add {
                return TypedExpr(.concat(left, right), WattType.string.optional(if: optional), r)
            }
            let arithmetic: ArithmeticOp = op == .add ? .add : .subtract
            switch (lt, rt) {
            case (.instant, .quantity(.time)):
                return TypedExpr(.arithmetic(arithmetic, left, right), WattType.instant.optional(if: optional), r)
            case (.quantity(.time), .instant) where op == .add:
                return TypedExpr(.arithmetic(.add, right, left), WattType.instant.optional(if: optional), r)
            case (.instant, .instant) where op == .subtract:
                return TypedExpr(.arithmetic(.subtract, left, right), WattType.duration.optional(if: optional), r)
            case (.quantity(let a), .quantity(let b)):
                if let temperature = typeTemperatureSum(arithmetic, left, right, optional: optional, r) { return temperature }
                if let (l, rr) = unifyZero(left, right) ?? (a == b ? (left, right) : nil) {
                    let unit = l.displayUnit == rr.displayUnit ? l.displayUnit : (l.displayUnit ?? rr.displayUnit)
                    return fold(TypedExpr(.arithmetic(arithmetic, l, rr), l.type.unwrapped.optional(if: optional), r, displayUnit: unit))
                }
                let verb = op == .add ? "add" : "subtract"
                error(.dimensionMismatch, "cannot \(verb) \(describe(right)) \(op == .add ? "to" : "from") \(describe(left))", at: r,
                      labels: labelsFor(left, right), help: "both sides of `\(op.rawValue)` must have the same dimension")
                return poisoned(r)
            default:
                error(.invalidOperand, "cannot use `\(op.rawValue)` on \(describe(left)) and \(describe(right))", at: r,
                      labels: labelsFor(left, right))
                return poisoned(r)
            }

        case .multiply, .divide:
            guard case .quantity(let a) = lt, case .quantity(let b) = rt else {
                error(.invalidOperand, "cannot use `\(op.rawValue)` on \(describe(left)) and \(describe(right))", at: r,
                      labels: labelsFor(left, right))
                return poisoned(r)
            }
            if a.isTemperaturePoint || b.isTemperaturePoint {
                return scaledReading(op == .multiply ? .multiply : .divide, left, right, r)
            }
            guard let dimension = Dimension.combining(a, b, dividing: op == .divide) else {
                error(.invalidOperand, "the dimension of this \(op == .multiply ? "product" : "quotient") is out of range", at: r,
                      help: "a unit's exponents must stay between -128 and 127")
                return poisoned(r)
            }
            // Scaling by a plain number keeps the other side's unit for printing (`0.9 * 80 %`).
            var unit: String?
            if b.isDimensionless && right.displayUnit == nil { unit = left.displayUnit }
            if a.isDimensionless && left.displayUnit == nil && op == .multiply { unit = right.displayUnit }
            let kind: TypedExprKind = .arithmetic(op == .multiply ? .multiply : .divide, left, right)
            return fold(TypedExpr(kind, WattType.quantity(dimension).optional(if: optional), r, displayUnit: unit))
        }
    }

    @inline(never)
    private func needsBools(_ op: BinaryOperator, _ e: TypedExpr, _ at: SourceRange, _ r: SourceRange) -> TypedExpr {
        error(.typeMismatch, "`\(op.rawValue)` needs bools, found \(describe(e))", at: at,
              help: e.type.dimension != nil ? "compare it first, e.g. `x > 0`" : nil)
        return poisoned(r)
    }

    private func checkComparison(_ op: BinaryOperator, _ left: __owned TypedExpr, _ right: __owned TypedExpr, _ r: SourceRange,
                                 optional: Bool) -> TypedExpr {
        let compare: CompareOp
        switch op {
        case .equal: compare = .eq
        case .notEqual: compare = .ne
        case .less: compare = .lt
        case .lessEqual: compare = .le
        case .greater: compare = .gt
        default: compare = .ge
        }
        guard let (left, right) = unifyTemperatures(left, right) else { return poisoned(r) }
        let lt = left.type.unwrapped
        let rt = right.type.unwrapped
        let ordered = compare != .eq && compare != .ne
        let resultType = WattType.bool.optional(if: optional)
        switch (lt, rt) {
        case (.quantity(let a), .quantity(let b)):
            if let (l, rr) = unifyZero(left, right) ?? (a == b ? (left, right) : nil) {
                return TypedExpr(.compare(compare, l, rr), resultType, r)
            }
            var help = readingWithDifferenceHelp(a, b) ?? "both sides of `\(op.rawValue)` must have the same dimension"
            if b.isDimensionless, case .constant(.number(let v)) = right.kind, let unit = UnitTable.displaySymbol(for: a) {
                help = "give the number a unit, e.g. `\(QuantityFormatter.formatNumber(v)) \(unit)`"
            } else if a.isDimensionless, case .constant(.number(let v)) = left.kind, let unit = UnitTable.displaySymbol(for: b) {
                help = "give the number a unit, e.g. `\(QuantityFormatter.formatNumber(v)) \(unit)`"
            }
            error(.dimensionMismatch, "cannot compare \(describe(left)) with \(describe(right))", at: r,
                  labels: labelsFor(left, right), help: help)
            return poisoned(r)
        case (.instant, .instant), (.string, .string):
            return TypedExpr(.compare(compare, left, right), resultType, r)
        case (.bool, .bool) where !ordered:
            return TypedExpr(.compare(compare, left, right), resultType, r)
        case (.record(let a), .record(let b)) where !ordered && a == b:
            return TypedExpr(.compare(compare, left, right), resultType, r)
        case (.list, .list) where !ordered && compatible(lt, rt):
            return TypedExpr(.compare(compare, left, right), resultType, r)
        default:
            let what = ordered && lt == rt ? "cannot order \(describe(left)) values with `\(op.rawValue)`"
                : "cannot compare \(describe(left)) with \(describe(right))"
            error(lt == rt ? .invalidOperand : .typeMismatch, what, at: r, labels: lt == rt ? [] : labelsFor(left, right))
            return poisoned(r)
        }
    }

    func labelsFor(_ left: TypedExpr, _ right: TypedExpr) -> [Diagnostic.Label] {
        [.init(range: left.range, message: "this is \(describe(left))"),
         .init(range: right.range, message: "this is \(describe(right))")]
    }

    /// A literal `0` without a unit means zero of any dimension (`power > 0`), except for
    /// temperature readings, where zero depends on the scale.
    private func unifyZero(_ left: TypedExpr, _ right: TypedExpr) -> (TypedExpr, TypedExpr)? {
        func isPlainZero(_ e: TypedExpr) -> Bool {
            if case .constant(.number(0)) = e.kind, e.displayUnit == nil, e.type == .number { return true }
            return false
        }
        guard let a = left.type.dimension, let b = right.type.dimension, a != b else { return nil }
        if isPlainZero(right), !a.isTemperaturePoint {
            var z = right; z.type = .quantity(a); return (left, z)
        }
        if isPlainZero(left), !b.isTemperaturePoint {
            var z = left; z.type = .quantity(b); return (z, right)
        }
        return nil
    }

    /// Folds arithmetic on two constants, so `0.9 * 1 MW` costs nothing at run time.
    func fold(_ e: __owned TypedExpr) -> TypedExpr {
        guard case .arithmetic(let op, let l, let r) = e.kind,
              case .constant(.number(let a)) = l.kind, case .constant(.number(let b)) = r.kind else { return e }
        let value: Double
        switch op {
        case .add: value = Self.decimalSum(a, b)
        case .subtract: value = Self.decimalSum(a, -b)
        case .multiply: value = a * b
        case .divide:
            guard b != 0 else {
                error(.constEvaluationFailed, "`\(text(e.range))` cannot be computed: division by zero", at: e.range)
                return poisoned(e.range)
            }
            value = a / b
        }
        guard value.isFinite else {
            // Constants are known now: an overflow is a check error, not an `inf` at run time.
            error(.constEvaluationFailed, "`\(text(e.range))` cannot be computed: it is out of range (beyond ±1.8e308)", at: e.range,
                  help: "numbers are doubles: at most about 1.8e308 in canonical units (W, J, g, s, B)")
            return poisoned(e.range)
        }
        var folded = e
        folded.kind = numberKind(value)
        return folded
    }

    /// The sum of two constants as written, in decimal: `300 K` as a reading is 26.85 degC,
    /// not 300 - 273.15 = 26.850000000000023, whose noise a later `- 20 degC` would print. Each
    /// operand is read as its shortest decimal (what reads back to it) and the two are added
    /// exactly in integers; falls back to the binary sum when a decimal does not fit in 18
    /// digits. No allocation: the decimals are Swift's small strings.
    static func decimalSum(_ a: Double, _ b: Double) -> Double {
        let binary = a + b
        // Whole numbers add exactly in binary.
        if a == a.rounded(), b == b.rounded(), abs(a) < 0x1p52, abs(b) < 0x1p52 { return binary }
        guard binary.isFinite, let x = ShortDecimal(a), let y = ShortDecimal(b) else { return binary }
        let exponent = min(x.exponent, y.exponent)
        guard let mx = x.scaled(to: exponent), let my = y.scaled(to: exponent) else { return binary }
        let (m, overflow) = mx.addingReportingOverflow(my)
        guard !overflow, let exact = Double("\(m)e\(exponent)"),
              abs(exact - binary) <= 1e-12 * max(abs(a), abs(b)) else { return binary }
        return exact
    }
}

/// A double's shortest decimal (`Double.description`) as mantissa × 10^exponent.
struct ShortDecimal {
    var mantissa: Int64
    var exponent: Int

    init?(_ value: Double) {
        var digits: Int64 = 0, count = 0, exponent = 0, afterPoint = false, negative = false
        var text = Substring(value.description)
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let power = Int(text[text.index(after: e)...]) else { return nil }
            exponent = power
            text = text[..<e]
        }
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: "."): afterPoint = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard count < 18 else { return nil }
                digits = digits * 10 + Int64(c - UInt8(ascii: "0"))
                if digits > 0 { count += 1 }
                if afterPoint { exponent -= 1 }
            default: return nil
            }
        }
        mantissa = negative ? -digits : digits
        self.exponent = exponent
    }

    /// The mantissa for a smaller exponent, or nil when it overflows.
    func scaled(to target: Int) -> Int64? {
        var m = mantissa
        for _ in 0..<(exponent - target) {
            let (next, overflow) = m.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            m = next
        }
        return m
    }
}
