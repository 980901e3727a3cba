import Foundation

/// Replays the control loop's forecaster over a stretch of a series and scores what a policy
/// would have seen: the logic of `watt forecast --holdout` and `--calibration`.
///
/// A `TelemetryModels` (the loop's own class, with the replay's `ForecastSettings`) is fed the
/// series one point at a time, as ticks. From `start`, every `every` seconds, it is asked for
/// the forecast (`TelemetryModels.path`), which chooses its model at the daily boundaries
/// exactly as in the loop. Each forecast is scored at each of `horizons` against the actual
/// value, beside three baselines computed from the series at the same origins:
/// - `persistence`: the last value;
/// - `24h-persistence`: the value 24 h before the target, i.e. yesterday's profile (for
///   horizons over a day, the last day repeats: seasonal naive, daily);
/// - `seasonal-naive(7d)`: the value a whole number of weeks before the target.
///
/// The nightly-job test (`NightlyJob`): every day a job of `duration` is due at `hour` UTC;
/// with a slack of `±W`, at `hour - W` the forecast for the next `2W` (plus the job) picks its
/// start. Strategies, valued by the actual mean carbon over the job's points:
/// - `nominal`: at `hour` (the reference);
/// - `oracle`: the start with the lowest actual value (the perfect forecast: the bound);
/// - `24h-persistence`: the lowest of yesterday's values at the same times;
/// - `watt argmin`: the lowest point of Watt's forecast, always (what `.argmin` was);
/// - `watt decision`: Watt's `ShiftDecision` against the nominal start; uninformative days
///   stay at `hour`.
/// The saving is `1 - sum(strategy) / sum(nominal)` over the days with every value known.
public struct ForecastReplay: Sendable {
    public struct NightlyJob: Sendable, Equatable {
        /// Nominal start, hours after 00:00 UTC.
        public var hour: Double
        public var duration: Double
        /// Slacks `W` (seconds): the start may move within `±W` of the nominal time.
        public var slacks: [Double]
        public init(hour: Double = 1, duration: Double = 1800, slacks: [Double] = [2 * 3600, 4 * 3600, 8 * 3600]) {
            self.hour = hour; self.duration = duration; self.slacks = slacks
        }
    }

    public var metric: String
    public var settings: ForecastSettings
    /// Horizons scored (seconds; whole multiples of the step).
    public var horizons: [Double]
    /// Spacing of the scored origins (seconds; rounded to whole steps).
    public var every: Double
    public var nightly: NightlyJob?

    public init(metric: String, settings: ForecastSettings, horizons: [Double]? = nil, every: Double = 3600,
                nightly: NightlyJob? = NightlyJob()) {
        self.metric = metric; self.settings = settings; self.horizons = horizons ?? settings.horizons
        self.every = every; self.nightly = nightly
    }

    /// Baselines, in the order of `ReplayReport.models` after `watt`.
    public static let baselines = ["persistence", "24h-persistence", "seasonal-naive(7d)"]

    /// Replays the forecaster on `series` with origins from `start` to the last point that
    /// leaves the longest horizon ahead (everything before `start` is history only).
    public func run(_ series: TimeSeries, from start: Double) -> ReplayReport {
        let step = series.step
        let models = TelemetryModels(step: step, capacity: ForecastSummary.capacity(settings, step: step))
        models.configure(metric, settings)
        let stride = Swift.max(1, Int((every / step).rounded()))
        let hSteps = horizons.map { Swift.max(1, Int(($0 / step).rounded())) }
        let job = nightly.map { Swift.max(1, Int(($0.duration / step).rounded())) } ?? 1
        let slackSteps = nightly?.slacks.map { Swift.max(1, Int(($0 / step).rounded())) } ?? []
        let need = Swift.max(hSteps.max() ?? 1, (slackSteps.max() ?? 0) * 2 + job)
        let day = Int((86_400 / step).rounded()), week = 7 * day
        let y = series.values
        let first = Swift.max(0, series.nearestIndex(to: start))
        let feedFrom = Swift.max(0, first - Int((settings.history + 3 * 86_400) / step))

        var scores = [[ReplayReport.Accumulator]](repeating: [ReplayReport.Accumulator](repeating: .init(), count: hSteps.count),
                                                  count: 1 + Self.baselines.count)
        var chosen: [String: Int] = [:]
        var skipped = 0
        var nightlyTotals = [[Double]](repeating: [Double](repeating: 0, count: ReplayReport.Nightly.strategies.count),
                                       count: slackSteps.count)
        var nightlyDays = [Int](repeating: 0, count: slackSteps.count)
        var nightlyShifted = [Int](repeating: 0, count: slackSteps.count)
        var fed = feedFrom
        var o = first
        // Origins on the `every` grid, plus the nightly decision times.
        let nightlyPhase: [Int] = nightly.map { n in
            slackSteps.map { w in ((Int((n.hour * 3600 / step).rounded()) - w) % day + day) % day }
        } ?? []
        while o + need < y.count {
            while fed <= o { models.record(metric, y[fed].isFinite ? y[fed] : nil, at: series.time(at: fed)); fed += 1 }
            let phase = DailyProfileModel.phase(series.time(at: o), m: day, step: step)
            let scored = (o - first) % stride == 0
            let nightlyAt = nightlyPhase.indices.filter { nightlyPhase[$0] == phase }
            if scored || !nightlyAt.isEmpty {
                if let f = models.path(metric, horizon: Double(need) * step), f.count >= need {
                    if scored {
                        let window = models.forecaster(for: metric).map { " (\(durationLabel($0.window)) window)" } ?? ""
                        chosen[f.model + window, default: 0] += 1
                        for (j, h) in hSteps.enumerated() {
                            let actual = y[o + h]
                            let b = f.bounds(h - 1, level: settings.intervalLevel)
                            var raw = f
                            raw.floor = nil
                            let rawLow = raw.bounds(h - 1, level: settings.intervalLevel).lower
                            scores[0][j].add(actual: actual, predicted: f.values[h - 1], lower: b.lower, upper: b.upper, rawLower: rawLow)
                            let baselines = [y[o], Self.seasonal(y, target: o + h, origin: o, period: day),
                                             Self.seasonal(y, target: o + h, origin: o, period: week)]
                            for (k, v) in baselines.enumerated() {
                                scores[k + 1][j].add(actual: actual, predicted: v, lower: .nan, upper: .nan, rawLower: .nan)
                            }
                        }
                    }
                    for k in nightlyAt {
                        let w = slackSteps[k]
                        guard let outcome = nightlyOutcome(f, y: y, origin: o, slack: w, job: job, day: day, series: series) else { continue }
                        nightlyDays[k] += 1
                        for s in outcome.carbon.indices { nightlyTotals[k][s] += outcome.carbon[s] }
                        if outcome.shifted { nightlyShifted[k] += 1 }
                    }
                } else if scored {
                    skipped += 1
                }
            }
            o += 1
        }
        let nightlyReport = nightly.map { n in
            slackSteps.indices.map { k in
                ReplayReport.Nightly(slack: n.slacks[k], days: nightlyDays[k], shiftedDays: nightlyShifted[k],
                                     savings: nightlyTotals[k].map { nightlyTotals[k][0] > 0 ? (1 - $0 / nightlyTotals[k][0]) * 100 : .nan })
            }
        } ?? []
        return ReplayReport(metric: metric, step: step, start: series.time(at: first), end: series.time(at: Swift.max(first, o - 1)),
                            every: Double(stride) * step, horizons: horizons, level: settings.intervalLevel,
                            models: ["watt"] + Self.baselines, scores: scores.map { $0.map(\.score) },
                            chosen: chosen.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                                .map { ReplayReport.Choice(model: $0.key, origins: $0.value) },
                            skippedOrigins: skipped, nightly: nightlyReport, nightlyJob: nightly)
    }

    /// The value `k` whole periods before `target`, the smallest `k` that reaches back to the
    /// origin or before (NaN when it is a gap or before the series).
    static func seasonal(_ y: [Double], target: Int, origin: Int, period: Int) -> Double {
        let k = Swift.max(1, Int((Double(target - origin) / Double(period)).rounded(.up)))
        let i = target - k * period
        return i >= 0 ? y[i] : .nan
    }

    /// One night: the actual mean value over the job for each strategy (nominal, oracle,
    /// 24h-persistence, watt argmin, watt decision) and whether Watt's decision moved it.
    func nightlyOutcome(_ f: Forecast, y: [Double], origin o: Int, slack w: Int, job: Int, day: Int, series: TimeSeries)
        -> (carbon: [Double], shifted: Bool)? {
        // Starts o ... o + 2w (index of the first point the job covers); nominal o + w.
        func actual(_ s: Int) -> Double? {
            guard s >= 0, s + job <= y.count else { return nil }
            var total = 0.0
            for i in s..<(s + job) { guard y[i].isFinite else { return nil }; total += y[i] }
            return total / Double(job)
        }
        let starts = Array(o...(o + 2 * w))
        var values: [Double] = []
        for s in starts { guard let v = actual(s) else { return nil }; values.append(v) }
        let nominal = values[w]
        let oracle = values.min()!
        // Yesterday at the same times.
        var best = 0, bestValue = Double.infinity
        for (k, s) in starts.enumerated() {
            guard let v = actual(s - day) else { return nil }
            if v < bestValue { best = k; bestValue = v }
        }
        let persistence = values[best]
        // Watt: candidate starts are the forecast points (origin excluded: it is the past).
        let window = series.time(at: o + 1)...series.time(at: o + 2 * w + job - 1)
        guard let decision = f.shift(over: window, from: .time(series.time(at: o + w)), duration: Double(job) * series.step,
                                     confidence: settings.shiftConfidence) else { return nil }
        let argminIndex = o + Int(((decision.best - f.origin) / f.step).rounded())
        let decisionIndex = decision.start.map { o + Int((($0 - f.origin) / f.step).rounded()) } ?? (o + w)
        guard let argmin = actual(argminIndex), let decided = actual(decisionIndex) else { return nil }
        return ([nominal, oracle, persistence, argmin, decided], decisionIndex != o + w)
    }
}

/// What `ForecastReplay.run` measured.
public struct ReplayReport: Sendable, Codable, Equatable {
    public struct Score: Sendable, Codable, Equatable {
        public var mae: Double?
        public var mape: Double?
        /// Share of actual values inside the interval at the report's level (nil without intervals).
        public var coverage: Double?
        /// Share of interval lower bounds below zero, before and after truncation at the floor.
        public var negativeLowerRaw: Double?
        public var negativeLower: Double?
        public var count: Int
    }

    public struct Choice: Sendable, Codable, Equatable {
        public var model: String
        public var origins: Int
    }

    public struct Nightly: Sendable, Codable, Equatable {
        public static let strategies = ["nominal", "oracle", "24h-persistence", "watt argmin", "watt decision"]
        public var slack: Double
        public var days: Int
        /// Days Watt's decision moved the job.
        public var shiftedDays: Int
        /// Percent saved against the nominal start, per strategy (`strategies` order).
        public var savings: [Double?]

        init(slack: Double, days: Int, shiftedDays: Int, savings: [Double]) {
            self.slack = slack; self.days = days; self.shiftedDays = shiftedDays
            self.savings = savings.map { $0.isFinite ? $0 : nil }
        }
    }

    public var metric: String
    public var step: Double
    /// First and last scored origin.
    public var start: Double
    public var end: Double
    public var every: Double
    public var horizons: [Double]
    public var level: Double
    /// `watt` then the baselines.
    public var models: [String]
    /// `scores[model][horizon]`.
    public var scores: [[Score]]
    /// How often each model (with its training window) made the scored forecasts.
    public var chosen: [Choice]
    /// Origins without a forecast (stale or missing data).
    public var skippedOrigins: Int
    public var nightly: [Nightly]
    public var nightlyJob: ForecastReplay.NightlyJob?

    struct Accumulator {
        var absolute = 0.0, percentage = 0.0, count = 0, percentageCount = 0
        var covered = 0, intervals = 0, negativeRaw = 0, negative = 0

        mutating func add(actual: Double, predicted: Double, lower: Double, upper: Double, rawLower: Double) {
            guard actual.isFinite, predicted.isFinite else { return }
            let e = actual - predicted
            absolute += abs(e); count += 1
            if actual != 0 { percentage += abs(e / actual) * 100; percentageCount += 1 }
            if lower.isFinite, upper.isFinite {
                intervals += 1
                if actual >= lower && actual <= upper { covered += 1 }
                if lower < 0 { negative += 1 }
                if rawLower < 0 { negativeRaw += 1 }
            }
        }

        var score: Score {
            func ratio(_ a: Int, _ b: Int) -> Double? { b > 0 ? Double(a) / Double(b) : nil }
            return Score(mae: count > 0 ? absolute / Double(count) : nil,
                         mape: percentageCount > 0 ? percentage / Double(percentageCount) : nil,
                         coverage: ratio(covered, intervals), negativeLowerRaw: ratio(negativeRaw, intervals),
                         negativeLower: ratio(negative, intervals), count: count)
        }
    }
}

extension ForecastReplay.NightlyJob: Codable {}
