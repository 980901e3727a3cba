
/// The forecasts and history aggregates behind `forecast(...)` and `history(...)`: one
/// bounded history per metric path (`site.power`, `grid.carbon_intensity`), fed from each tick's
/// snapshot, so models are trained only on the past. Per metric, a `SeriesForecaster` with
/// the metric's `ForecastSettings` (`settings(for:)`: the defaults, or what `configure` set)
/// chooses a model, a training window and the interval calibration once per
/// `reselectEvery` seconds of world time, and only updates the model with new data in
/// between (cheap enough for every tick). `watt forecast` runs the same code with the same
/// settings on a file.
public final class TelemetryModels: @unchecked Sendable {
    /// What `forecast(metric, horizon)` returns, in the metric's own unit.
    public struct Summary: Sendable, Equatable {
        /// The point forecast at `now + horizon`.
        public var mean: Double
        /// The interval (at the settings' level, 80 % by default) at `now + horizon`.
        public var low: Double
        public var high: Double
        /// Over the window `(now, now + horizon]`: extremes, their times, the average.
        public var min: Double
        public var max: Double
        /// When the lowest value is forecast; nil when the forecast is not informative: the
        /// lowest point is not below the first one (work started now) by more than their
        /// uncertainty (`ShiftDecision`), so there is no time to move work to (a flat
        /// forecast's argmin would otherwise be "now" by accident).
        public var argmin: Double?
        /// When the highest value is forecast; nil unless it is above the first point by more
        /// than their uncertainty (the same rule, upwards).
        public var argmax: Double?
        public var average: Double
        /// The model that produced it (`persistence` while history is short).
        public var model: String
        /// The first point minus the window's lowest (what starting at `argmin` instead of
        /// now is expected to save, per unit of work), and its lower bound at the settings'
        /// shift confidence; NaN when unknown.
        public var saving: Double
        public var savingLow: Double
        /// Whether the forecast supports a shift to `argmin` (`argmin != nil`); stored, so the
        /// forecast record's field reads it in place like the others.
        public var informative: Bool

        public init(mean: Double, low: Double, high: Double, min: Double, max: Double, argmin: Double?, argmax: Double?,
                    average: Double, model: String, saving: Double = .nan, savingLow: Double = .nan) {
            self.mean = mean; self.low = low; self.high = high; self.min = min; self.max = max
            self.argmin = argmin; self.argmax = argmax; self.average = average; self.model = model
            self.saving = saving; self.savingLow = savingLow
            informative = argmin != nil
        }

        public static func == (a: Summary, b: Summary) -> Bool {
            func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
            return same(a.mean, b.mean) && same(a.low, b.low) && same(a.high, b.high) && same(a.min, b.min)
                && same(a.max, b.max) && a.argmin == b.argmin && a.argmax == b.argmax && same(a.average, b.average)
                && a.model == b.model && same(a.saving, b.saving) && same(a.savingLow, b.savingLow)
        }
    }

    public private(set) var store: HistoryStore
    public let step: Double
    /// Settings per metric path set by `configure`; other metrics use
    /// `ForecastSettings.defaults(for:)`.
    public private(set) var overrides: [String: ForecastSettings] = [:]
    public private(set) var now: Double = 0

    private struct Fitted {
        var forecaster: SeriesForecaster
        var chosenAt: Double
        /// The last observation time the forecaster was updated to.
        var updatedAt: Double
    }
    private var fitted: [String: Fitted] = [:]
    /// The boundary at which choosing a model failed, by metric (history too short): the
    /// choice reads the history up to the boundary only, so it would fail again until the
    /// next one; meanwhile forecasts are persistence, without a backtest every tick.
    private var failedChoice: [String: Double] = [:]
    private var cache: [String: Summary] = [:]
    /// Forecasts pinned by a test (`given forecast(path, horizon) = ...`), by "metric|horizon".
    public var pinned: [String: Summary] = [:]
    /// The paths behind them, by metric (the latest pinned): what plans over time read
    /// (`carbon_plan`); exact (no error).
    public var pinnedPaths: [String: PinnedPath] = [:]

    /// A forecast path given by a test: `values[k]` from `start + k × every` on, the last
    /// value holding.
    public struct PinnedPath: Sendable, Equatable {
        public var start: Double
        public var every: Double
        public var values: [Double]
        public init(start: Double, every: Double, values: [Double]) { self.start = start; self.every = every; self.values = values }
    }

    /// `capacity` raw samples per metric; by default enough for the default settings'
    /// `history` plus two days at one sample per `step`, at least 8,640 and at most 131,072
    /// (2 MiB per metric: a tick under 25 s holds less history, and the windows shorten).
    public init(step: Double, capacity: Int? = nil) {
        self.step = step
        self.store = HistoryStore(capacity: capacity ?? ForecastSummary.capacity(ForecastSettings(), step: step),
                                  downsampling: .init(bucketWidth: 3600, bucketCapacity: 24 * 90))
    }

    /// The settings `forecast(metric, ...)` uses.
    public func settings(for metric: String) -> ForecastSettings { overrides[metric] ?? .defaults(for: metric) }

    /// Sets a metric's settings; invalid settings are refused (returns their problems, and
    /// the metric keeps its settings). The next forecast chooses its model again.
    @discardableResult
    public func configure(_ metric: String, _ settings: ForecastSettings) -> [String] {
        let problems = settings.problems()
        guard problems.isEmpty else { return problems }
        overrides[metric] = settings
        fitted[metric] = nil
        failedChoice[metric] = nil
        cache.removeAll(keepingCapacity: true)
        return []
    }

    /// The chosen forecaster of a metric (nil before its first forecast or while history is
    /// too short to choose).
    public func forecaster(for metric: String) -> SeriesForecaster? { fitted[metric]?.forecaster }

    /// A forecast needs a value of its metric at most this many seconds before the latest
    /// tick: a metric silent for longer (its samples missing or rejected) has no forecast,
    /// rather than one extrapolated from stale data. Default 1 h.
    public var maxStaleness: Double = 3600

    /// Records the tick's value of a metric (nil or NaN: a gap). The history is append-only
    /// (`MetricHistory.append`): a sample older than the newest one is rejected, one at the
    /// same time replaces it.
    @discardableResult
    public func record(_ metric: String, _ value: Double?, at time: Double) -> MetricHistory.Outcome {
        let outcome = store.append(metric, time: time, value: value ?? .nan)
        if time > now {
            now = time
            cache.removeAll(keepingCapacity: true)
        } else if case .replaced = outcome {
            cache.removeAll(keepingCapacity: true)
            fitted[metric]?.updatedAt = -.infinity
            failedChoice[metric] = nil
        }
        return outcome
    }

    /// The longest stretch of history a forecast resamples: what the store holds at one
    /// sample per step (raw ring plus coarse buckets). A clock that jumps far forward leaves
    /// a gap, not a grid of millions of empty points.
    var maxSpan: Double {
        let buckets = store.defaultDownsampling.map { $0.bucketWidth * Double($0.bucketCapacity) } ?? 0
        return Double(store.defaultCapacity) * step + buckets
    }

    /// The metric on the forecasting grid: at most `maxSpan` seconds back from its newest
    /// sample (or `span`, when given: a tick's update only needs the model's window); nil
    /// when it has no value within `maxStaleness` of the latest tick.
    func recentSeries(_ metric: String, span: Double? = nil) -> TimeSeries? {
        guard let history = store[metric], let newest = history.last,
              let fresh = history.lastFinite, fresh.time >= now - maxStaleness - 1e-9 else { return nil }
        let oldest = history.oldestTime ?? newest.time
        let back = Swift.min(maxSpan, span ?? maxSpan)
        let start = (Swift.max(oldest, newest.time - back) / step).rounded(.down) * step
        guard span != nil else { return history.series(step: step, start: start) }
        // Only the samples the grid needs (two steps before its start, for interpolation),
        // not a copy of the whole history: the same points as the full series from `start`.
        return TimeSeries.resample(history.samples(after: start - 2 * step - 1e-3), step: step, start: start)
    }

    /// The forecast of `metric` for `horizon` seconds after the latest tick, or nil without
    /// enough history (two ticks) or without a value within `maxStaleness`.
    public func forecast(_ metric: String, horizon: Double) -> Summary? {
        let key = "\(metric)|\(horizon)"
        if let pin = pinned[key] { return pin }
        if let cached = cache[key] { return cached }
        guard let f = path(metric, horizon: horizon),
              let summary = Self.summary(f, horizon: horizon, level: settings(for: metric).intervalLevel,
                                         confidence: settings(for: metric).shiftConfidence)
        else { return nil }
        cache[key] = summary
        return summary
    }

    /// The whole forecast behind `forecast(metric, horizon)` (every grid point up to the
    /// horizon, calibrated intervals); nil when `forecast` is. Pinned forecasts are not
    /// paths: they are not returned here.
    public func path(_ metric: String, horizon: Double) -> Forecast? {
        guard horizon > 0, horizon.isFinite else { return nil }
        let settings = settings(for: metric)
        // Models are chosen at fixed boundaries (multiples of `reselectEvery`) on the history
        // up to the boundary, so the choice does not depend on when forecasts are asked for:
        // a run resumed from its journal makes the same choices as an uninterrupted one.
        let boundary = (now / settings.reselectEvery).rounded(.down) * settings.reselectEvery
        let current = fitted[metric].flatMap { $0.chosenAt == boundary ? $0 : nil }
        // Between reselections an update needs the model's window only.
        guard let series = recentSeries(metric, span: current.map { $0.forecaster.window + 2 * step }), series.count >= 2
        else { return nil }
        let forecaster: SeriesForecaster
        if var existing = current {
            // One update per tick, whatever the number of horizons asked for.
            if existing.updatedAt != series.end {
                guard (try? existing.forecaster.update(series)) != nil else {
                    fitted[metric] = nil
                    return path(metric, horizon: horizon)
                }
                existing.updatedAt = series.end
                fitted[metric] = existing
            }
            forecaster = existing.forecaster
        } else {
            let upToBoundary = series.slice(from: series.start, to: boundary)
            var choice: SeriesForecaster?
            if failedChoice[metric] != boundary, upToBoundary.count >= 2 {
                choice = try? SeriesForecaster.select(upToBoundary, settings: settings)
                failedChoice[metric] = choice == nil ? boundary : nil
            }
            if var chosen = choice, (try? chosen.update(series)) != nil {
                forecaster = chosen
                fitted[metric] = Fitted(forecaster: chosen, chosenAt: boundary, updatedAt: series.end)
            } else {
                guard let p = try? SeriesForecaster.persistence(series, settings: settings) else { return nil }
                forecaster = p
                fitted[metric] = nil
            }
        }
        return forecaster.forecast(horizon: horizon)
    }

    /// The summary of a forecast over `(origin, origin + horizon]`; `argmin` and `argmax`
    /// are judged against its first point, the start of work begun now (`ShiftDecision`).
    public static func summary(_ f: Forecast, horizon: Double, level: Double, confidence: Double) -> Summary? {
        guard f.count > 0 else { return nil }
        let at = f.origin + horizon
        let index = f.times.firstIndex { $0 >= at - 1e-6 } ?? (f.count - 1)
        let interval = f.bounds(index, level: level)
        let window = f.next(horizon)
        guard let lo = f.min(over: window), let hi = f.max(over: window), let avg = f.mean(over: window),
              f.values[index].isFinite else { return nil }
        let low = f.shift(over: window, from: .now, confidence: confidence)
        let high = f.shift(over: window, from: .now, confidence: confidence, goal: .highest)
        return Summary(mean: f.values[index], low: interval.lower.isFinite ? interval.lower : f.values[index],
                       high: interval.upper.isFinite ? interval.upper : f.values[index], min: lo, max: hi,
                       argmin: low?.start, argmax: high?.start, average: avg, model: f.model,
                       saving: low?.saving ?? .nan, savingLow: low?.savingLow ?? .nan)
    }

    /// Aggregates of a metric over the last `window` seconds: average, maximum, minimum and
    /// rate of change per second (least-squares slope); nil without data.
    public func history(_ metric: String, window: Double) -> (average: Double, max: Double, min: Double, rate: Double)? {
        guard let history = store[metric] else { return nil }
        let samples = history.samples(after: now - window).filter { $0.value.isFinite }
        guard !samples.isEmpty else { return nil }
        let values = samples.map(\.value)
        let average = values.reduce(0, +) / Double(values.count)
        var rate = 0.0
        if samples.count >= 2 {
            let meanT = samples.map(\.time).reduce(0, +) / Double(samples.count)
            var num = 0.0, den = 0.0
            for s in samples { num += (s.time - meanT) * (s.value - average); den += (s.time - meanT) * (s.time - meanT) }
            rate = den > 0 ? num / den : 0
        }
        return (average, values.max()!, values.min()!, rate)
    }
}
