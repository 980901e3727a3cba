/// Temperatures are affine (issue 17; Pint's offset units, mp-units' quantity points). Three
/// kinds meet here (`Dimension.reading`):
/// - a reading in degC or degF is a point (`inlet`, `20 degC`), stored in degC;
/// - a difference is the gap between two readings (`inlet - outdoor`), stored in K;
/// - kelvin (`300 K`) is the absolute scale, stored in K: beside a reading it reads as a
///   reading (`inlet > 300 K`), beside a difference as a difference (`20 degC + 10 K`).
/// A reading minus a reading is a difference; a reading plus or minus a difference is a
/// reading; adding two readings, scaling one or negating one is a check-time error.
extension Checker {
    /// `left ± right` where at least one side is a temperature of another kind than the
    /// other, or both are readings; nil when the generic rule (same dimension) applies.
    func typeTemperatureSum(_ op: ArithmeticOp, _ left: __owned TypedExpr, _ right: __owned TypedExpr,
                            optional: Bool, _ r: SourceRange) -> TypedExpr? {
        guard let a = left.type.dimension, let b = right.type.dimension, a.isTemperature, b.isTemperature,
              a != b || a.isTemperaturePoint else { return nil }
        let reading = WattType.quantity(.temperature).optional(if: optional)
        let difference = WattType.quantity(.temperatureDifference).optional(if: optional)
        switch (a.reading, b.reading) {
        case (.point, .point):
            guard op == .subtract else {
                error(.invalidOperand, "cannot add two temperature readings: \(describe(left)) and \(describe(right))", at: r,
                      labels: labelsFor(left, right),
                      help: "subtract them for a difference (`a - b`), or add a difference such as `5 K` to one")
                return poisoned(r)
            }
            return fold(TypedExpr(.arithmetic(.subtract, left, right), difference, r))
        case (.point, _):
            // A reading plus or minus a difference (kelvin serves as one) stays on its scale.
            return aboveAbsoluteZero(fold(TypedExpr(.arithmetic(op, left, retyped(right, .temperatureDifference)), reading, r,
                                                    displayUnit: left.displayUnit)))
        case (_, .point):
            if op == .add {
                return aboveAbsoluteZero(fold(TypedExpr(.arithmetic(.add, retyped(left, .temperatureDifference), right), reading, r,
                                                        displayUnit: right.displayUnit)))
            }
            if a.reading == .absolute {
                // `300 K - 20 degC`: two readings, one on the absolute scale.
                guard let point = asReading(left) else { return poisoned(r) }
                return fold(TypedExpr(.arithmetic(.subtract, point, right), difference, r))
            }
            error(.invalidOperand, "cannot subtract a temperature reading from a difference: \(describe(left)) minus \(describe(right))",
                  at: r, labels: labelsFor(left, right), help: "subtract the difference from the reading instead (`reading - difference`)")
            return poisoned(r)
        default:
            // A difference and kelvin: kelvin serves as a difference.
            return fold(TypedExpr(.arithmetic(op, retyped(left, .temperatureDifference), retyped(right, .temperatureDifference)),
                                  difference, r))
        }
    }

    /// Temperatures of different kinds brought to one, where they can meet (a comparison,
    /// `??`, `if`, `min`, `clamp`): kelvin beside a reading becomes a reading, beside a
    /// difference a difference. Other expressions are returned as they are; nil after an
    /// error (kelvin below absolute zero).
    func unifyTemperatures(_ exprs: __owned [TypedExpr]) -> [TypedExpr]? {
        // No allocation unless kelvin meets another kind of temperature (checked once per
        // comparison: most are not temperatures at all).
        var kelvin = false, other = false, point = false
        for e in exprs {
            guard let d = e.type.dimension, d.isTemperature else { continue }
            if d.reading == .absolute { kelvin = true } else { other = true; point = point || d.reading == .point }
        }
        guard kelvin && other else { return exprs }
        let target: TemperatureReading = point ? .point : .none
        var unified: [TypedExpr] = []
        for e in exprs {
            guard e.type.dimension == .kelvin else { unified.append(e); continue }
            if target == .point {
                guard let point = asReading(e) else { return nil }
                unified.append(point)
            } else {
                unified.append(retyped(e, .temperatureDifference))
            }
        }
        return unified
    }

    /// A constant reading below 0 K is an error (`20 degC - 300 K`).
    private func aboveAbsoluteZero(_ e: __owned TypedExpr) -> TypedExpr {
        guard case .constant(.number(let celsius)) = e.kind, celsius < UnitTable.absoluteZeroCelsius * (1 + 1e-12) else { return e }
        error(.constEvaluationFailed, "`\(text(e.range))` is below absolute zero", at: e.range,
              help: "beside a reading, K is a difference (`20 degC + 10 K` is 30 degC); to compare readings write `20 degC > 300 K`")
        return poisoned(e.range)
    }

    /// Two operands brought to one kind of temperature (`unifyTemperatures`), without building
    /// arrays for the common case of operands that are not both temperatures.
    func unifyTemperatures(_ left: __owned TypedExpr, _ right: __owned TypedExpr) -> (TypedExpr, TypedExpr)? {
        guard let a = left.type.dimension, let b = right.type.dimension, a.isTemperature, b.isTemperature, a != b,
              a.reading == .absolute || b.reading == .absolute else { return (left, right) }
        guard let unified = unifyTemperatures([left, right]) else { return nil }
        return (unified[0], unified[1])
    }

    /// The help for a reading met with a difference, where they cannot meet.
    func readingWithDifferenceHelp(_ a: Dimension, _ b: Dimension) -> String? {
        guard a.isTemperature, b.isTemperature, a.isTemperaturePoint != b.isTemperaturePoint else { return nil }
        return "a reading (degC, degF) and a difference (K) are different things: compare two readings (`inlet > 35 degC`) or two differences (`inlet - outdoor > 5 K`)"
    }

    /// The error for scaling a reading (`2 * inlet`, `20 degC / 2`).
    func scaledReading(_ op: ArithmeticOp, _ left: TypedExpr, _ right: TypedExpr, _ r: SourceRange) -> TypedExpr {
        let reading = left.type.dimension?.isTemperaturePoint == true ? left : right
        error(.invalidOperand, "cannot \(op == .multiply ? "multiply" : "divide") \(describe(reading)): a reading's zero depends on its scale",
              at: r, labels: labelsFor(left, right),
              help: "scale a difference instead (`(inlet - 20 degC) * 2`), or write the temperature in K for the absolute scale")
        return poisoned(r)
    }

    /// Kelvin read as a reading: degC = K - 273.15 (folded when constant).
    private func asReading(_ e: __owned TypedExpr) -> TypedExpr? {
        if case .constant(.number(let kelvin)) = e.kind, kelvin < 0 {
            error(.malformedNumber, "`\(text(e.range))` is below absolute zero", at: e.range,
                  help: "a temperature on the absolute scale is at least 0 K; a difference is compared with a difference")
            return nil
        }
        let offset = TypedExpr(numberKind(-UnitTable.absoluteZeroCelsius), .quantity(.temperatureDifference), e.range)
        let type = WattType.quantity(.temperature).optional(if: e.type.isOptional)
        // Printed in degC, like any reading without a written scale.
        return fold(TypedExpr(.arithmetic(.subtract, retyped(e, .temperatureDifference), offset), type, e.range))
    }

    /// The same value as another kind of temperature whose canonical value is the same
    /// (kelvin as a difference: both in K).
    private func retyped(_ e: __owned TypedExpr, _ dimension: Dimension) -> TypedExpr {
        guard e.type.dimension == .kelvin else { return e }
        var copy = e
        copy.type = WattType.quantity(dimension).optional(if: e.type.isOptional)
        return copy
    }
}
