import WattEnergy

/// The forecasts and history aggregates behind `forecast(...)` and `history(...)`: one
/// bounded history per metric path (`site.power`, `grid.carbon`), fed from each tick's
/// snapshot, so models are trained only on the past. Per metric, a model is chosen by a
/// short rolling-origin backtest once per `reselectEvery` seconds of world time and only
/// updated with new data in between (cheap enough for every tick).
public final class TelemetryModels: @unchecked Sendable {
    /// What `forecast(metric, horizon)` returns, in the metric's own unit.
    public struct Summary: Sendable, Equatable {
        /// The point forecast at `now + horizon`.
        public var mean: Double
        /// The 80 % prediction interval at `now + horizon`.
        public var low: Double
        public var high: Double
        /// Over the window `(now, now + horizon]`: extremes, their times, the average.
        public var min: Double
        public var max: Double
        public var argmin: Double
        public var argmax: Double
        public var average: Double
        /// The model that produced it (`persistence` while history is short).
        public var model: String

        public init(mean: Double, low: Double, high: Double, min: Double, max: Double, argmin: Double, argmax: Double,
                    average: Double, model: String) {
            self.mean = mean; self.low = low; self.high = high; self.min = min; self.max = max
            self.argmin = argmin; self.argmax = argmax; self.average = average; self.model = model
        }
    }

    public private(set) var store: HistoryStore
    public let step: Double
    public var reselectEvery: Double = 86_400
    /// The backtest used to choose a model: few origins, a one-week window, point scores
    /// only (the choice is by MAE; the chosen model is then fitted with its intervals).
    public var selector: ModelSelector
    public private(set) var now: Double = 0

    private struct Fitted {
        var model: any Forecaster
        var chosenAt: Double
    }
    private var fitted: [String: Fitted] = [:]
    private var cache: [String: Summary] = [:]
    /// Forecasts pinned by a test (`given forecast(path, horizon) = ...`), by "metric|horizon".
    public var pinned: [String: Summary] = [:]

    public init(step: Double, capacity: Int = 30 * 288) {
        self.step = step
        self.store = HistoryStore(capacity: capacity, downsampling: .init(bucketWidth: 3600, bucketCapacity: 24 * 90))
        var backtest = Backtest(trainingWindow: 7 * 86_400, horizons: [3600, 21_600], origins: 8)
        backtest.scoresIntervals = false
        self.selector = ModelSelector(backtest: backtest)
    }

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
    /// sample; nil when it has no value within `maxStaleness` of the latest tick.
    func recentSeries(_ metric: String) -> TimeSeries? {
        guard let history = store[metric], let newest = history.last,
              let fresh = history.lastFinite, fresh.time >= now - maxStaleness - 1e-9 else { return nil }
        let oldest = history.oldestTime ?? newest.time
        let start = (Swift.max(oldest, newest.time - maxSpan) / step).rounded(.down) * step
        return history.series(step: step, start: start)
    }

    /// The forecast of `metric` for `horizon` seconds after the latest tick, or nil without
    /// enough history (two ticks) or without a value within `maxStaleness`.
    public func forecast(_ metric: String, horizon: Double) -> Summary? {
        let key = "\(metric)|\(horizon)"
        if let pin = pinned[key] { return pin }
        if let cached = cache[key] { return cached }
        guard horizon > 0, horizon.isFinite, let series = recentSeries(metric), series.count >= 2 else { return nil }
        // Models are chosen at fixed boundaries (multiples of `reselectEvery`) on the history
        // up to the boundary, so the choice does not depend on when forecasts are asked for:
        // a run resumed from its journal makes the same choices as an uninterrupted one.
        let boundary = (now / reselectEvery).rounded(.down) * reselectEvery
        var model: any Forecaster
        if var existing = fitted[metric], existing.chosenAt == boundary, (try? existing.model.update(series)) != nil {
            model = existing.model
            fitted[metric] = existing
        } else {
            let upToBoundary = series.slice(from: series.start, to: boundary)
            if upToBoundary.count >= 2, let selection = try? adaptedSelector(for: upToBoundary).select(upToBoundary) {
                var chosen = selection.model
                if (try? chosen.update(series)) == nil { _ = try? chosen.fit(series) }
                model = chosen
                fitted[metric] = Fitted(model: model, chosenAt: boundary)
            } else {
                var persistence: any Forecaster = PersistenceModel()
                guard (try? persistence.fit(series)) != nil else { return nil }
                model = persistence
                fitted[metric] = nil
            }
        }
        let f = model.forecast(horizon: horizon)
        guard f.count > 0 else { return nil }
        let at = series.end + horizon
        let last = f.count - 1
        let index = f.times.firstIndex { $0 >= at - 1e-6 } ?? last
        let interval = f.interval(index, level: 0.8)
        let window = f.next(horizon)
        guard let lo = f.min(over: window), let hi = f.max(over: window), let tLo = f.argmin(over: window),
              let tHi = f.argmax(over: window), let avg = f.mean(over: window), f.values[index].isFinite else { return nil }
        let summary = Summary(mean: f.values[index], low: interval.lowerBound, high: interval.upperBound, min: lo, max: hi,
                              argmin: tLo, argmax: tHi, average: avg, model: model.name)
        cache[key] = summary
        return summary
    }

    /// The selector with its training window shortened to the history there is (at least
    /// two days, so daily seasonality can be learnt), leaving room for the backtest's origins.
    private func adaptedSelector(for series: TimeSeries) -> ModelSelector {
        var s = selector
        let span = Double(series.count) * series.step
        let room = (s.backtest.horizons.max() ?? 0) * 2
        s.backtest.trainingWindow = Swift.max(2 * 86_400, Swift.min(s.backtest.trainingWindow, span - room))
        return s
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
