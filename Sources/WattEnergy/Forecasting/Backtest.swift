import Foundation

/// The error measure models are ranked by.
public enum Criterion: String, Sendable, Equatable, Codable {
    /// Mean absolute error, in the series' unit.
    case mae
    /// Mean absolute percentage error, in percent (points where the actual value is 0 are skipped).
    case mape
}

/// Rolling-origin evaluation ("time-series cross-validation").
///
/// `origins` forecast origins are spread evenly over the series, from the first point that
/// has a full `trainingWindow` behind it to the last that leaves the longest horizon ahead.
/// At each origin every model sees only the `trainingWindow` seconds of data up to and
/// including the origin. It is refitted (parameters, state and interval widths) at every
/// `refitEvery`-th origin and in between only `update`d (state from the new window, parameters
/// kept). It then forecasts, and the point `h` seconds after the origin is compared with the
/// actual value, for each `h` in `horizons` (whole multiples of the step). Gaps in the actual
/// values are skipped; a failed fit skips that model at that origin and is counted.
///
/// With `scoresIntervals` false the models are fitted without interval calibration
/// (`IntervalCalibration.none`): the point scores (MAE, MAPE, RMSE) are the same, the
/// coverage figures NaN, and each fit is cheaper (for the linear regression, half an
/// 8-day fit's work: a second QR solve and 100 recursive one-day paths).
public struct Backtest: Sendable {
    public var trainingWindow: Double
    public var horizons: [Double]
    public var origins: Int
    public var refitEvery: Int
    /// Whether fits calibrate their intervals, so that coverage is scored (default true).
    public var scoresIntervals = true
    /// Seconds of history before the first origin (default: the training window). Setting it
    /// to the longest of several windows puts their backtests on the same origins.
    public var warmUp: Double?

    public init(trainingWindow: Double = 28 * 86_400, horizons: [Double] = [3600, 21_600, 86_400], origins: Int = 60,
                refitEvery: Int = 1) {
        precondition(!horizons.isEmpty && origins > 0 && refitEvery > 0)
        self.trainingWindow = trainingWindow; self.horizons = horizons; self.origins = origins; self.refitEvery = refitEvery
    }

    /// Number of grid points in the training window.
    public func windowCount(step: Double) -> Int { max(1, Int((trainingWindow / step + 1e-9).rounded(.down))) }

    /// Each horizon in grid steps, at least one: a horizon shorter than half a step (1 h on a
    /// daily grid) is scored one step ahead. `originIndices` and `run` must agree on these,
    /// or the last origin's actual value is read past the end of the series.
    public func horizonSteps(step: Double) -> [Int] { horizons.map { max(1, Int(($0 / step).rounded())) } }

    /// Indices (into `series`) of the last observation of each origin's training window.
    public func originIndices(in series: TimeSeries) -> [Int] {
        let w = windowCount(step: series.step)
        let warm = warmUp.map { Swift.max(w, Int(($0 / series.step + 1e-9).rounded(.down))) } ?? w
        let maxSteps = horizonSteps(step: series.step).max()!
        let first = warm - 1, last = series.count - 1 - maxSteps
        guard last >= first else { return [] }
        let k = min(origins, last - first + 1)
        if k == 1 { return [last] }
        return (0..<k).map { first + Int((Double($0) * Double(last - first) / Double(k - 1)).rounded()) }
    }

    public func run(_ models: [any Forecaster], on series: TimeSeries) -> BacktestReport {
        let step = series.step
        let steps = horizonSteps(step: step)
        let maxSteps = steps.max()!
        let w = windowCount(step: step)
        let origins = originIndices(in: series)
        var scores: [[BacktestReport.Score]] = []
        var failures: [Int] = []
        for candidate in models {
            var prototype = candidate
            if !scoresIntervals { prototype.intervals = .none }
            var model = prototype
            var fitted = false
            var accumulators = [Accumulator](repeating: Accumulator(), count: steps.count)
            var failed = 0
            for (k, o) in origins.enumerated() {
                let window = series[(o + 1 - w)..<(o + 1)]
                do {
                    if fitted && k % refitEvery != 0 {
                        try model.update(window)
                    } else {
                        model = prototype
                        try model.fit(window)
                        fitted = true
                    }
                } catch {
                    failed += 1
                    fitted = false
                    continue
                }
                let forecast = model.forecast(steps: maxSteps)
                for (j, s) in steps.enumerated() where s <= forecast.values.count && o + s < series.count {
                    accumulators[j].add(actual: series.values[o + s], predicted: forecast.values[s - 1],
                                        interval80: forecast.bounds(s - 1, level: 0.8), interval95: forecast.bounds(s - 1, level: 0.95))
                }
            }
            scores.append(accumulators.map(\.score))
            failures.append(failed)
        }
        return BacktestReport(models: models.map(\.name), horizons: horizons, originTimes: origins.map(series.time(at:)),
                              trainingWindow: trainingWindow, refitEvery: refitEvery, scores: scores, fitFailures: failures)
    }

    struct Accumulator {
        var absolute = 0.0, squared = 0.0, percentage = 0.0
        var count = 0, percentageCount = 0, covered80 = 0, covered95 = 0, intervalCount = 0
        mutating func add(actual: Double, predicted: Double, interval80: (lower: Double, upper: Double),
                          interval95: (lower: Double, upper: Double)) {
            guard actual.isFinite, predicted.isFinite else { return }
            let e = actual - predicted
            absolute += abs(e); squared += e * e; count += 1
            if actual != 0 { percentage += abs(e / actual) * 100; percentageCount += 1 }
            if interval80.lower.isFinite, interval80.upper.isFinite, interval95.lower.isFinite, interval95.upper.isFinite {
                intervalCount += 1
                if actual >= interval80.lower && actual <= interval80.upper { covered80 += 1 }
                if actual >= interval95.lower && actual <= interval95.upper { covered95 += 1 }
            }
        }

        var score: BacktestReport.Score {
            BacktestReport.Score(
                mae: count > 0 ? absolute / Double(count) : .nan,
                mape: percentageCount > 0 ? percentage / Double(percentageCount) : .nan,
                rmse: count > 0 ? (squared / Double(count)).squareRoot() : .nan,
                coverage80: intervalCount > 0 ? Double(covered80) / Double(intervalCount) : .nan,
                coverage95: intervalCount > 0 ? Double(covered95) / Double(intervalCount) : .nan,
                count: count)
        }
    }
}

/// The scores of a `Backtest`: one `Score` per model and horizon.
public struct BacktestReport: Sendable, Equatable {
    public struct Score: Sendable, Equatable {
        /// Mean absolute error (series unit).
        public var mae: Double
        /// Mean absolute percentage error (percent).
        public var mape: Double
        /// Root mean square error (series unit).
        public var rmse: Double
        /// Fraction of actual values inside the 80 % and 95 % prediction intervals.
        public var coverage80: Double
        public var coverage95: Double
        /// Number of (origin, actual) pairs scored.
        public var count: Int

        public func value(_ criterion: Criterion) -> Double { criterion == .mae ? mae : mape }
    }

    public var models: [String]
    /// Horizons in seconds.
    public var horizons: [Double]
    public var originTimes: [Double]
    public var trainingWindow: Double
    public var refitEvery: Int
    /// `scores[model][horizon]`, indexed like `models` and `horizons`.
    public var scores: [[Score]]
    /// Fits that failed, per model (those origins are not scored for that model).
    public var fitFailures: [Int]

    public func score(_ model: String, horizon: Double) -> Score? {
        guard let m = models.firstIndex(of: model), let h = horizons.firstIndex(of: horizon) else { return nil }
        return scores[m][h]
    }

    /// The model's criterion averaged over the horizons (infinity when a horizon has no score).
    public func meanScore(_ model: String, by criterion: Criterion) -> Double {
        guard let m = models.firstIndex(of: model) else { return .infinity }
        return meanScore(modelAt: m, by: criterion)
    }

    /// The same for the model at `index` in `models` (names of differently configured models
    /// may coincide).
    public func meanScore(modelAt m: Int, by criterion: Criterion) -> Double {
        let values = scores[m].map { $0.value(criterion) }
        guard values.allSatisfy(\.isFinite) else { return .infinity }
        return values.reduce(0, +) / Double(values.count)
    }

    /// The best model at one horizon, or on average over all horizons when `horizon` is nil.
    /// Ties go to the model listed first.
    public func best(by criterion: Criterion = .mae, horizon: Double? = nil) -> String? {
        var index: Int?
        if let horizon {
            guard let h = horizons.firstIndex(of: horizon) else { return nil }
            index = h
        }
        var best: (String, Double)?
        for (m, name) in models.enumerated() {
            let v = index.map { scores[m][$0].value(criterion) } ?? meanScore(modelAt: m, by: criterion)
            if v.isFinite, best == nil || v < best!.1 { best = (name, v) }
        }
        return best?.0
    }

    /// A Markdown table: one row per model, "MAPE % / MAE" per horizon, then (with
    /// `coverage`) the 80 % / 95 % interval coverage at the longest horizon.
    public func markdown(coverage: Bool = true) -> String {
        var out = "| model | " + horizons.map { "\(durationLabel($0)) MAPE % / MAE" }.joined(separator: " | ")
            + (coverage ? " | coverage 80/95 % at \(durationLabel(horizons.last!)) |\n" : " |\n")
        out += "|---|" + horizons.map { _ in "---:|" }.joined() + (coverage ? "---:|\n" : "\n")
        for (m, name) in models.enumerated() {
            out += "| \(name)\(fitFailures[m] > 0 ? " (\(fitFailures[m]) failed fits)" : "") | "
            out += scores[m].map { String(format: "%.2f / %.2f", $0.mape, $0.mae) }.joined(separator: " | ")
            let last = scores[m].last!
            out += coverage ? String(format: " | %.0f / %.0f |\n", last.coverage80 * 100, last.coverage95 * 100) : " |\n"
        }
        return out
    }
}
