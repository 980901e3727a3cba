/// A Prometheus histogram: counts of observations at or below each bound, their sum and
/// count. Kept as per-bucket counts and rendered cumulatively, as the format asks.
struct MetricsHistogram {
    let bounds: [Double]
    private(set) var counts: [Int]
    private(set) var sum = 0.0
    private(set) var count = 0

    init(bounds: [Double]) {
        self.bounds = bounds.sorted()
        counts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        // A NaN would poison the sum for the rest of the run: it is not an observation.
        guard !value.isNaN else { return }
        if let i = bounds.firstIndex(where: { value <= $0 }) { counts[i] += 1 }
        sum += value
        count += 1
    }

    /// `(le, cumulative count)` for each bound and `+Inf`.
    var cumulative: [(le: Double, count: Int)] {
        var running = 0
        var out: [(le: Double, count: Int)] = []
        for (bound, n) in zip(bounds, counts) {
            running += n
            out.append((bound, running))
        }
        out.append((.infinity, count))
        return out
    }
}
