/// Bounded Nelder-Mead minimisation on the box `[lower, upper]^d`: the standard simplex
/// moves (reflection 1, expansion 2, contraction 1/2, shrink 1/2) with every trial point
/// clamped into the box. Stops after `maxEvaluations` or when the simplex's values differ by
/// less than `tolerance` (relative) and its vertices by less than `xTolerance`.
enum NelderMead {
    struct Result { var x: [Double]; var value: Double; var evaluations: Int }

    static func minimize(_ f: ([Double]) -> Double, start: [Double], initialStep: Double = 0.1,
                         lower: Double = 0, upper: Double = 1, maxEvaluations: Int = 300,
                         tolerance: Double = 1e-8, xTolerance: Double = 1e-4) -> Result {
        let d = start.count
        func clamp(_ x: [Double]) -> [Double] { x.map { Swift.min(upper, Swift.max(lower, $0)) } }
        var evaluations = 0
        func eval(_ x: [Double]) -> Double {
            evaluations += 1
            let v = f(x)
            return v.isNaN ? .infinity : v
        }
        var simplex = [clamp(start)]
        for i in 0..<d {
            var x = clamp(start)
            // Step inward when the start sits on the upper bound.
            x[i] = x[i] + initialStep <= upper ? x[i] + initialStep : x[i] - initialStep
            simplex.append(clamp(x))
        }
        var values = simplex.map(eval)
        while evaluations < maxEvaluations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            let spread = abs(values[d] - values[0])
            var size = 0.0
            for v in simplex.dropFirst() { for k in 0..<d { size = Swift.max(size, abs(v[k] - simplex[0][k])) } }
            if spread <= tolerance * (abs(values[0]) + 1e-300) && size <= xTolerance { break }
            if size < 1e-12 { break }
            var centroid = [Double](repeating: 0, count: d)
            for v in simplex.dropLast() { for k in 0..<d { centroid[k] += v[k] / Double(d) } }
            func along(_ t: Double) -> [Double] { clamp((0..<d).map { centroid[$0] + t * (simplex[d][$0] - centroid[$0]) }) }
            let reflected = along(-1)
            let fr = eval(reflected)
            if fr < values[0] {
                let expanded = along(-2)
                let fe = eval(expanded)
                if fe < fr { simplex[d] = expanded; values[d] = fe } else { simplex[d] = reflected; values[d] = fr }
            } else if fr < values[d - 1] {
                simplex[d] = reflected; values[d] = fr
            } else {
                let outside = fr < values[d]
                let contracted = along(outside ? -0.5 : 0.5)
                let fc = eval(contracted)
                if fc < (outside ? fr : values[d]) {
                    simplex[d] = contracted; values[d] = fc
                } else {
                    for i in 1...d {
                        simplex[i] = clamp((0..<d).map { simplex[0][$0] + 0.5 * (simplex[i][$0] - simplex[0][$0]) })
                        values[i] = eval(simplex[i])
                    }
                }
            }
        }
        let best = values.indices.min { values[$0] < values[$1] }!
        return Result(x: simplex[best], value: values[best], evaluations: evaluations)
    }
}
