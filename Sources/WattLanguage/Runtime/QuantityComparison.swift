/// Comparisons of quantities treat values within `relativeTolerance` of each other as equal:
/// a quantity written in two units differs by the binary rounding of its conversion
/// (`0.083154 kW` is 83.15400000000001 W), and must still equal itself (`== 83.154 W`), in
/// either order. 1e-12 is thousands of roundings wide and far below any measured difference.
/// Instants, strings and ordering (`top`, `min`, `max`) stay exact.
public enum QuantityComparison {
    public static let relativeTolerance = 1e-12

    /// The band of values equal to `k`: `[low, high]`, so a column scan compares against
    /// precomputed thresholds at no extra cost per row.
    @inline(__always)
    public static func band(_ k: Double) -> (low: Double, high: Double) {
        let slack = abs(k) * relativeTolerance
        return (k - slack, k + slack)
    }

    @inline(__always)
    public static func equal(_ a: Double, _ b: Double) -> Bool {
        a == b || abs(a - b) <= max(abs(a), abs(b)) * relativeTolerance
    }

    @inline(__always)
    public static func less(_ a: Double, _ b: Double) -> Bool { a < b && !equal(a, b) }
}
