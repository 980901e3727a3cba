import Foundation

/// Linear least squares by Householder QR, with a condition check and a ridge fallback.
///
/// `solve` minimises `|X b - y|^2 (+ lambda |D b|^2)`:
/// 1. Each column of `X` is scaled to unit Euclidean norm (`D` = the scales), so the
///    condition number measures collinearity, not units.
/// 2. The scaled design is factorised `X = Q R` by Householder reflections (never forming
///    `X^T X`, whose condition number is the square of `X`'s).
/// 3. The condition number is estimated as `|R|_F * |R^-1|_F` (an upper bound of the 2-norm
///    condition number within a factor `p`); an exactly dependent column gives infinity.
/// 4. If it exceeds `maxCondition` (default 1e10), the problem is either refused
///    (`.error`, throwing `ForecastError.illConditioned`) or re-solved as ridge regression
///    with penalty `lambda` on the scaled coefficients (`.ridge(lambda)`, default 1e-6), by QR of
///    the design augmented with `sqrt(lambda) I` rows. Ridge gives the minimum-norm-like
///    solution that splits weight between collinear columns; predictions stay finite.
///    A positive `ridge` argument applies the penalty unconditionally.
enum LeastSquares {
    enum IllConditioned: Sendable, Equatable {
        case error
        case ridge(Double)
    }

    struct Solution: Sendable, Equatable {
        /// One coefficient per column, in the original (unscaled) units.
        var coefficients: [Double]
        /// Residual sum of squares of the unpenalised fit.
        var residualSumOfSquares: Double
        /// Estimated condition number of the column-scaled design (before any ridge).
        var condition: Double
        /// The ridge penalty used (0 for plain least squares).
        var ridge: Double
    }

    /// - Parameters:
    ///   - columns: the design matrix, column-major: `columns[j][i]` is row `i`, column `j`.
    ///   - y: the targets, one per row.
    static func solve(columns: [[Double]], y: [Double], ridge: Double = 0,
                      onIllConditioned: IllConditioned = .ridge(1e-6),
                      maxCondition: Double = 1e10) throws(ForecastError) -> Solution {
        let p = columns.count
        let n = y.count
        guard p > 0, n >= p, columns.allSatisfy({ $0.count == n }) else {
            throw .insufficientData(required: max(p, 1), available: n)
        }
        var scales = [Double](repeating: 1, count: p)
        var a = [Double](repeating: 0, count: n * p)
        for j in 0..<p {
            var s = 0.0
            for v in columns[j] { s += v * v }
            let norm = s.squareRoot()
            scales[j] = norm > 0 && norm.isFinite ? norm : 1
            let base = j * n
            for i in 0..<n { a[base + i] = columns[j][i] / scales[j] }
        }
        let plain = householderSolve(a: a, rows: n, cols: p, y: y)
        var lambda = ridge
        if ridge <= 0 && !(plain.condition <= maxCondition) {
            switch onIllConditioned {
            case .error: throw .illConditioned(condition: plain.condition)
            case .ridge(let l): lambda = l
            }
        }
        var beta: [Double]
        if lambda > 0 {
            // Augment with sqrt(lambda) I rows (targets 0).
            let m = n + p
            var aug = [Double](repeating: 0, count: m * p)
            for j in 0..<p {
                for i in 0..<n { aug[j * m + i] = a[j * n + i] }
                aug[j * m + n + j] = lambda.squareRoot()
            }
            beta = householderSolve(a: aug, rows: m, cols: p, y: y + [Double](repeating: 0, count: p)).coefficients
        } else {
            beta = plain.coefficients
        }
        for j in 0..<p { beta[j] /= scales[j] }
        // Residuals of the unpenalised problem, in original units.
        var rss = 0.0
        for i in 0..<n {
            var f = 0.0
            for j in 0..<p { f += columns[j][i] * beta[j] }
            rss += (y[i] - f) * (y[i] - f)
        }
        return Solution(coefficients: beta, residualSumOfSquares: rss, condition: plain.condition, ridge: lambda)
    }

    /// Householder QR of the column-major `rows x cols` matrix `a` and back substitution;
    /// coefficients are NaN-free only when the condition is finite.
    static func householderSolve(a input: [Double], rows n: Int, cols p: Int, y input_y: [Double])
        -> (coefficients: [Double], condition: Double) {
        var a = input
        var b = input_y
        var rdiag = [Double](repeating: 0, count: p)
        a.withUnsafeMutableBufferPointer { a in
            b.withUnsafeMutableBufferPointer { b in
                for j in 0..<p {
                    let cj = j * n
                    var s = 0.0
                    for i in j..<n { s += a[cj + i] * a[cj + i] }
                    let norm = s.squareRoot()
                    if norm == 0 { rdiag[j] = 0; continue }
                    let alpha = a[cj + j] >= 0 ? -norm : norm
                    let v0 = a[cj + j] - alpha
                    a[cj + j] = v0
                    let vnorm2 = s - (v0 + alpha) * (v0 + alpha) + v0 * v0
                    guard vnorm2 > 0 else { rdiag[j] = alpha; a[cj + j] = v0; continue }
                    let beta = 2 / vnorm2
                    for k in (j + 1)..<max(j + 1, p) {
                        let ck = k * n
                        var dot = 0.0
                        for i in j..<n { dot += a[cj + i] * a[ck + i] }
                        let f = beta * dot
                        if f != 0 { for i in j..<n { a[ck + i] -= f * a[cj + i] } }
                    }
                    var dot = 0.0
                    for i in j..<n { dot += a[cj + i] * b[i] }
                    let f = beta * dot
                    for i in j..<n { b[i] -= f * a[cj + i] }
                    rdiag[j] = alpha
                }
            }
        }
        // R: diagonal rdiag, above-diagonal a[k * n + j] (row j, column k > j).
        func r(_ i: Int, _ k: Int) -> Double { i == k ? rdiag[i] : a[k * n + i] }
        let maxDiag = rdiag.map(abs).max() ?? 0
        if maxDiag == 0 || rdiag.contains(where: { abs($0) <= 1e-13 * maxDiag }) {
            return ([Double](repeating: .nan, count: p), .infinity)
        }
        var x = [Double](repeating: 0, count: p)
        for i in stride(from: p - 1, through: 0, by: -1) {
            var s = b[i]
            for k in (i + 1)..<max(i + 1, p) { s -= r(i, k) * x[k] }
            x[i] = s / rdiag[i]
        }
        // Condition estimate |R|_F |R^-1|_F, R^-1 column by column.
        var normR = 0.0, normInv = 0.0
        for k in 0..<p { for i in 0...k { normR += r(i, k) * r(i, k) } }
        var col = [Double](repeating: 0, count: p)
        for k in 0..<p {
            for i in 0..<p { col[i] = 0 }
            for i in stride(from: k, through: 0, by: -1) {
                var s = i == k ? 1.0 : 0.0
                for m in (i + 1)..<(k + 1) where m > i { s -= r(i, m) * col[m] }
                col[i] = s / rdiag[i]
                normInv += col[i] * col[i]
            }
        }
        return (x, (normR * normInv).squareRoot())
    }
}
