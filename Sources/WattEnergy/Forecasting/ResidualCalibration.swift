import Foundation

/// Prediction intervals from a model's own out-of-sample errors (split-conformal style):
/// the signed errors `actual - forecast` seen `h` steps ahead, and an interval at level `L`
/// is the point forecast plus the errors' empirical `(1 - L) / 2` and `(1 + L) / 2`
/// quantiles at that step. No distribution is assumed, so skewed or heavy-tailed errors get
/// asymmetric, wide-enough intervals where a normal approximation is too narrow.
///
/// - Quantiles use the conformal rank: a new error is as likely to fall in each of the `n + 1`
///   gaps between `n` exchangeable errors, so the `q` quantile is the order statistic of rank
///   `q (n + 1)` (interpolated, clamped to the sample). With whole paths over a known `span`
///   of steps, `n` at step `h` is the number of
///   independent errors, `min(origins, span / h + 1)` (origins closer than `h` steps share
///   most of their `h`-step error), and the rank is taken at the same probability among all
///   of the step's errors: a week of calibration holds only about eight independent one-day
///   errors.
/// - Few errors per step are noisy, so step `h`'s quantile is the mean of the quantiles of
///   steps `h - r ... h + r` with `r = h / 8` (a 24 h step on a 15-minute grid averages 3
///   hours either side).
/// - Widths never shrink with the horizon: lower offsets are made non-increasing and upper
///   offsets non-decreasing in `h` (isotonic regression of the per-step quantiles).
/// - Steps with fewer than `minimumCount` errors are not calibrated; beyond the last
///   calibrated step `H` offsets grow as `sqrt(h / H)` (a random-walk extrapolation; the
///   forecast says how far it was calibrated, `Forecast.calibratedSteps`).
/// - Each origin's whole path of errors and forecasts is kept (`paths`, `forecasts`), so what a
///   shift saves is calibrated too: each origin's forecast makes the same decision, and its
///   realized saving is compared with the predicted one (`ShiftDecision`).
public struct ResidualCalibration: Sendable, Equatable {
    /// The levels precomputed at construction (others are computed on demand).
    public static let standardLevels: [Double] = [0.5, 0.8, 0.9, 0.95]
    public static let minimumCount = 8

    /// Sorted errors per step ahead (`errors[h - 1]`), before pooling.
    public let errors: [[Double]]
    /// Calibrated steps.
    public let steps: Int
    /// Per calibration origin, its errors at steps `1 ... paths[o].count` (NaN where unknown);
    /// empty when built from per-step errors alone.
    public let paths: [[Double]]
    /// Per calibration origin, its forecast at the same steps (empty when not given): what
    /// the origin's forecast would have decided (`ShiftDecision`).
    public let forecasts: [[Double]]
    /// Per origin, the step (1-based) of its lowest and highest forecast among steps
    /// `1 ... s`, at index `s - 1` (the first on ties; 0 while none is finite): the decision
    /// of a one-step job from now, read in O(1) (`savingErrorQuantile`).
    let runningLowest: [[Int32]]
    let runningHighest: [[Int32]]
    /// How many steps the calibration origins spread over (nil: unknown, every error counted
    /// as independent).
    public let span: Int?
    private var bands: [Band]

    struct Band: Sendable, Equatable {
        var level: Double
        var lower: [Double]
        var upper: [Double]
    }

    /// `errors[h - 1]`: the errors `actual - forecast` observed `h` steps ahead (any order,
    /// non-finite values ignored). `levels` are precomputed besides the standard ones.
    public init(errors: [[Double]], levels: [Double] = []) {
        self.init(errors: errors, paths: [], forecasts: [], span: nil, levels: levels)
    }

    /// From whole error paths, one per origin (`paths[o][h - 1]`, NaN where unknown), with
    /// the origins' forecasts when known (`forecasts[o][h - 1]`), the origins spread over
    /// `span` steps.
    public init(paths: [[Double]], forecasts: [[Double]] = [], span: Int? = nil, levels: [Double] = []) {
        let steps = paths.map(\.count).max() ?? 0
        var errors = [[Double]](repeating: [], count: steps)
        for path in paths { for (h, e) in path.enumerated() where e.isFinite { errors[h].append(e) } }
        self.init(errors: errors, paths: paths, forecasts: forecasts.count == paths.count ? forecasts : [], span: span, levels: levels)
    }

    private init(errors: [[Double]], paths: [[Double]], forecasts: [[Double]], span: Int?, levels: [Double]) {
        self.paths = paths
        self.forecasts = forecasts
        func running(_ f: [Double], lowest: Bool) -> [Int32] {
            var out = [Int32](repeating: 0, count: f.count)
            var best = -1
            for i in f.indices {
                if f[i].isFinite, best < 0 || (lowest ? f[i] < f[best] : f[i] > f[best]) { best = i }
                out[i] = Int32(best + 1)
            }
            return out
        }
        runningLowest = forecasts.map { running($0, lowest: true) }
        runningHighest = forecasts.map { running($0, lowest: false) }
        self.span = span
        var sorted = errors.map { $0.filter(\.isFinite).sorted() }
        if let cut = sorted.firstIndex(where: { $0.count < Self.minimumCount }) { sorted.removeSubrange(cut...) }
        self.errors = sorted
        steps = sorted.count
        bands = []
        for level in Set(Self.standardLevels + levels.filter { $0 > 0 && $0 < 1 }).sorted() {
            bands.append(Self.band(sorted, span: span, level: level))
        }
    }

    /// Whether any step is calibrated.
    public var isEmpty: Bool { steps == 0 }

    /// Offsets to add to the point forecast `h` steps ahead (`h >= 1`) for a central interval
    /// at `level`: `(lower, upper)`, lower <= 0 <= upper is not guaranteed (a biased model's
    /// errors can all have one sign).
    public func offsets(step h: Int, level: Double) -> (lower: Double, upper: Double) {
        guard steps > 0, level > 0, level < 1 else { return (.nan, .nan) }
        let band = bands.first { abs($0.level - level) < 1e-9 } ?? Self.band(errors, span: span, level: level)
        let i = Swift.min(Swift.max(h, 1), steps) - 1
        var lo = band.lower[i], hi = band.upper[i]
        if h > steps {
            // Widen around the centre of the last calibrated interval.
            let centre = (lo + hi) / 2, scale = (Double(h) / Double(steps)).squareRoot()
            lo = centre + (lo - centre) * scale
            hi = centre + (hi - centre) * scale
        }
        return (lo, hi)
    }

    /// The `ceil((n + 1) q)`-th (q >= 0.5) or `floor((n + 1) q)`-th smallest of `values`,
    /// clamped to them (nil when empty).
    static func conformalQuantile(_ values: [Double], probability q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let n = sorted.count
        let rank = q < 0.5 ? Int((Double(n + 1) * q + 1e-9).rounded(.down)) : Int((Double(n + 1) * q - 1e-9).rounded(.up))
        return sorted[Swift.min(n - 1, Swift.max(0, rank - 1))]
    }

    static func band(_ sorted: [[Double]], span: Int?, level: Double) -> Band {
        let steps = sorted.count
        let qLow = (1 - level) / 2, qHigh = (1 + level) / 2
        // Each step's own quantiles first (its errors are sorted).
        var stepLower = [Double](repeating: 0, count: steps), stepUpper = stepLower
        for h in 1...max(steps, 1) where steps > 0 {
            let errors = sorted[h - 1]
            let n = errors.count
            // The conformal rank among the independent errors: origins closer than h steps
            // share most of their h-step error, so over `span` steps there are about
            // span / h + 1 of them, however many origins.
            let independent = Double(span.map { Swift.min(n, $0 / h + 1) } ?? n)
            // A new error falls in each of the n + 1 gaps between n exchangeable errors alike:
            // the q quantile is the order statistic of rank q (n + 1), interpolated, placed at
            // the same probability among all of the step's errors.
            stepUpper[h - 1] = Self.orderStatistic(errors, probability: qHigh * (independent + 1) / independent)
            stepLower[h - 1] = Self.orderStatistic(errors, probability: qLow * (independent + 1) / independent)
        }
        // Then averaged over the steps h - h/8 ... h + h/8 (few errors per step are noisy),
        // from prefix sums.
        func smoothed(_ q: [Double]) -> [Double] {
            var prefix = [0.0]
            prefix.reserveCapacity(q.count + 1)
            for v in q { prefix.append(prefix.last! + v) }
            return (1...max(q.count, 1)).prefix(q.count).map { h in
                let lo = max(1, h - h / 8), hi = min(q.count, h + h / 8)
                return (prefix[hi] - prefix[lo - 1]) / Double(hi - lo + 1)
            }
        }
        // Widths that never shrink, by isotonic regression rather than a running maximum
        // (which the noise of each step's quantile would push outwards).
        return Band(level: level, lower: isotonic(smoothed(stepLower).map { -$0 }).map { -$0 }, upper: isotonic(smoothed(stepUpper)))
    }

    /// The value at probability `p` of sorted `values`: rank `p n` (1-based) interpolated
    /// between its neighbours, clamped to the smallest and largest.
    static func orderStatistic(_ values: [Double], probability p: Double) -> Double {
        let n = values.count
        let rank = Swift.min(Double(n), Swift.max(1, p * Double(n)))
        let i = Int(rank.rounded(.down)), f = rank - Double(i)
        return i >= n ? values[n - 1] : values[i - 1] + f * (values[i] - values[i - 1])
    }

    /// The non-decreasing sequence closest to `values` in least squares (pool adjacent
    /// violators).
    static func isotonic(_ values: [Double]) -> [Double] {
        var blocks: [(sum: Double, count: Int)] = []
        for v in values {
            blocks.append((v, 1))
            while blocks.count > 1 {
                let b = blocks[blocks.count - 1], a = blocks[blocks.count - 2]
                guard a.sum / Double(a.count) > b.sum / Double(b.count) else { break }
                blocks.removeLast(2)
                blocks.append((a.sum + b.sum, a.count + b.count))
            }
        }
        return blocks.flatMap { Array(repeating: $0.sum / Double($0.count), count: $0.count) }
    }

    /// The errors of a model over the end of a series, as a control loop would have seen
    /// them: `prototype` is fitted once on the `window` points before the first origin, then
    /// at each origin (at most `origins`, spread evenly over the last `span` points) only
    /// updated with the data up to it (parameters kept) and asked for `horizon` steps; each
    /// step's forecast (raised to `floor` when given, as the forecasts it will calibrate are)
    /// is compared with the actual value. Nil when the series is too short for one origin or
    /// the fit fails.
    public static func backtestErrors(of prototype: any Forecaster, on series: TimeSeries, window: Int, span: Int,
                                      origins: Int, horizon: Int, floor: Double? = nil) -> [[Double]]? {
        backtestPaths(of: prototype, on: series, window: window, span: span, origins: origins, horizon: horizon, floor: floor)
            .map { result in
                var errors = [[Double]](repeating: [], count: horizon)
                for path in result.errors { for (h, e) in path.enumerated() where e.isFinite { errors[h].append(e) } }
                return errors
            }
    }

    /// The same errors, per origin (`errors[o][h - 1]`, NaN where the actual value is unknown
    /// or past the series), and the forecasts they are the errors of.
    public static func backtestPaths(of prototype: any Forecaster, on series: TimeSeries, window: Int, span: Int,
                                     origins: Int, horizon: Int, floor: Double? = nil)
        -> (errors: [[Double]], forecasts: [[Double]])? {
        let n = series.count
        guard horizon > 0, origins > 0, window >= 2, n > window else { return nil }
        // Origins `first ... n - 2` (the last point is never an origin: nothing after it).
        let first = max(window - 1, n - 1 - span)
        let last = n - 2
        guard last >= first else { return nil }
        let k = min(origins, last - first + 1)
        let list = (0..<k).map { k == 1 ? last : first + Int((Double($0) * Double(last - first) / Double(k - 1)).rounded()) }
        var model = prototype
        do {
            try model.fit(series[(first + 1 - window)..<(first + 1)])
        } catch {
            return nil
        }
        var paths: [[Double]] = [], forecasts: [[Double]] = []
        for o in list {
            let end = o + 1
            if o != first {
                do { try model.update(series[(end - window)..<end]) } catch { continue }
            }
            let f = model.forecast(steps: min(horizon, n - 1 - o))
            var path = [Double](repeating: .nan, count: f.count), values = path
            for h in 0..<f.count {
                let actual = series.values[o + 1 + h]
                let predicted = floor.map { Swift.max($0, f.values[h]) } ?? f.values[h]
                values[h] = predicted
                if actual.isFinite, predicted.isFinite { path[h] = actual - predicted }
            }
            paths.append(path)
            forecasts.append(values)
        }
        return (paths, forecasts)
    }
}
