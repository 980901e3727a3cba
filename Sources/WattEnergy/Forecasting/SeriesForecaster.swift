/// One series' forecaster as `ForecastSettings` describe it: the code behind both the
/// language's `forecast(metric, horizon)` (through `TelemetryModels`) and `watt forecast`.
///
/// ```swift
/// let settings = ForecastSettings.defaults(for: "grid.carbon_intensity")
/// var forecaster = try SeriesForecaster.select(history, settings: settings)  // choose, calibrate, fit
/// try forecaster.update(newerHistory)                                       // cheap, every tick
/// let f = forecaster.forecast(horizon: 8 * 3600)                            // calibrated, truncated
/// let decision = f.shift(over: f.next(8 * 3600), from: .value(current))     // ShiftDecision
/// ```
///
/// `select` runs the four steps of `ForecastSettings` on the history it is given (and only
/// on it: nothing after its last point is used). Forecasts carry the residual calibration
/// (`Forecast.calibration`) and, for a non-negative series, the floor 0; point forecasts
/// below the floor are raised to it.
public struct SeriesForecaster: Sendable {
    public var settings: ForecastSettings
    /// The chosen model, fitted on the last `window` seconds and updated since.
    public private(set) var model: any Forecaster
    /// The chosen training window, seconds.
    public private(set) var window: Double
    /// The model comparison (every candidate on the first window, or on the shortest
    /// candidate window it can be fitted on; `comparisonWindows`).
    public private(set) var report: BacktestReport?
    /// The window each candidate of `report` was compared on.
    public private(set) var comparisonWindows: [Double] = []
    /// The window comparison: each candidate window and the chosen model's mean criterion.
    public private(set) var windowScores: [(window: Double, score: Double)]
    /// Interval calibration from the chosen model's out-of-sample errors (nil when the
    /// history was too short: the model's own intervals are used).
    public private(set) var calibration: ResidualCalibration?
    /// The time of the last observation `select` saw.
    public private(set) var selectedAt: Double

    /// A forecaster that has not chosen (too little history): persistence fitted on `series`.
    public static func persistence(_ series: TimeSeries, settings: ForecastSettings) throws(ForecastError) -> SeriesForecaster {
        var model: any Forecaster = PersistenceModel()
        try model.fit(series)
        return SeriesForecaster(settings: settings, model: model, window: Double(series.count) * series.step, report: nil,
                                windowScores: [], calibration: nil, selectedAt: series.end)
    }

    private init(settings: ForecastSettings, model: any Forecaster, window: Double, report: BacktestReport?,
                 windowScores: [(window: Double, score: Double)], calibration: ResidualCalibration?, selectedAt: Double) {
        self.settings = settings; self.model = model; self.window = window; self.report = report
        self.windowScores = windowScores; self.calibration = calibration; self.selectedAt = selectedAt
    }

    /// The training windows that fit in `series` with room for the backtest: each candidate
    /// shortened to the history there is less twice the longest horizon, but not under two
    /// days (daily seasonality needs them); duplicates removed, first kept first.
    public static func windows(for series: TimeSeries, settings: ForecastSettings) -> [Double] {
        let span = Double(series.count) * series.step
        let room = 2 * (settings.horizons.max() ?? 0)
        var out: [Double] = []
        for w in settings.trainingWindows {
            let fitted = Swift.max(2 * 86_400, Swift.min(w, span - room))
            let rounded = (fitted / series.step).rounded(.down) * series.step
            if !out.contains(where: { abs($0 - rounded) < series.step / 2 }) { out.append(rounded) }
        }
        return out
    }

    /// Chooses a model (among `settings.models`, or `only` when given), a training window
    /// and the interval calibration on `series`, and fits the model on the last window.
    /// Throws `insufficientData` when the series is too short for one backtest origin.
    public static func select(_ series: TimeSeries, settings: ForecastSettings, only: String? = nil)
        throws(ForecastError) -> SeriesForecaster {
        // Only the last `history` seconds count.
        let keep = Int((settings.history / series.step + 1e-9).rounded(.down))
        let series = series.count > keep ? series[(series.count - keep)..<series.count] : series
        let names = only.map { [$0] } ?? settings.models
        let candidates = names.compactMap(ForecastSettings.model(named:))
        guard !candidates.isEmpty else { throw .incompatibleStep("no known model among \(names)") }
        let windows = windows(for: series, settings: settings)
        let warmUp = windows.max()!
        func backtest(_ w: Double) -> Backtest {
            var b = Backtest(trainingWindow: w, horizons: settings.horizons, origins: settings.origins, refitEvery: 1)
            b.scoresIntervals = false
            b.warmUp = warmUp
            return b
        }
        // 1. Models, compared on the first window, or on the shortest candidate a model can
        //    be fitted on when the first is too short for it (two weeks for a weekly season).
        let comparison = candidates.map { model in
            model.minimumWindow <= windows[0] + 1e-9 ? windows[0]
                : windows.filter { $0 + 1e-9 >= model.minimumWindow }.min() ?? windows[0]
        }
        var report = backtest(windows[0]).run([], on: series)
        guard !report.originTimes.isEmpty else {
            let needed = Int((warmUp + (settings.horizons.max() ?? 0)) / series.step) + 1
            throw .insufficientData(required: needed, available: series.count)
        }
        report.models = candidates.map(\.name)
        report.scores = Array(repeating: [], count: candidates.count)
        report.fitFailures = Array(repeating: 0, count: candidates.count)
        for w in Set(comparison) {
            let members = candidates.indices.filter { comparison[$0] == w }
            let part = backtest(w).run(members.map { candidates[$0] }, on: series)
            for (k, m) in members.enumerated() {
                report.scores[m] = part.scores[k]
                report.fitFailures[m] = part.fitFailures[k]
            }
        }
        let ranked = candidates.indices.sorted {
            report.meanScore(modelAt: $0, by: settings.criterion) < report.meanScore(modelAt: $1, by: settings.criterion)
        }
        var lastError = ForecastError.insufficientData(required: 2, available: series.count)
        for index in ranked {
            let prototype = candidates[index]
            // 2. Windows, for this model, on the same origins.
            var scores = [(window: comparison[index], score: report.meanScore(modelAt: index, by: settings.criterion))]
            for w in windows where w != comparison[index] && w + 1e-9 >= prototype.minimumWindow {
                scores.append((w, backtest(w).run([prototype], on: series).meanScore(modelAt: 0, by: settings.criterion)))
            }
            let window = scores.min { $0.score < $1.score || ($0.score == $1.score && $0.window < $1.window) }!.window
            let points = Swift.max(2, Int((window / series.step + 1e-9).rounded(.down)))
            // 3. Calibration on its own errors over the end of the history.
            let horizonSteps = Int(((settings.horizons.max() ?? series.step) / series.step).rounded(.up))
            let span = Int((settings.calibrationSpan / series.step).rounded())
            // The model's own interval estimate is not needed for its errors (cheaper fits).
            var bare = prototype
            bare.intervals = .none
            let paths = ResidualCalibration.backtestPaths(
                of: bare, on: series, window: points, span: span, origins: settings.calibrationOrigins,
                horizon: horizonSteps, floor: settings.nonNegative ? 0 : nil)
            let covered = Swift.min(span, series.count - points)
            let calibration = paths.map {
                ResidualCalibration(paths: $0.errors, forecasts: $0.forecasts, span: covered, levels: [settings.intervalLevel])
            }
            // 4. The fit on the last window (with its own intervals only when uncalibrated).
            let calibrated = calibration.map { !$0.isEmpty } ?? false
            var model = calibrated ? bare : prototype
            do {
                try model.fit(series[Swift.max(0, series.count - points)..<series.count])
            } catch {
                lastError = error
                continue
            }
            var chosen = SeriesForecaster(settings: settings, model: model, window: window, report: report, windowScores: scores,
                                          calibration: calibration.flatMap { $0.isEmpty ? nil : $0 }, selectedAt: series.end)
            chosen.comparisonWindows = comparison
            return chosen
        }
        throw lastError
    }

    /// The chosen model's name.
    public var chosen: String { model.name }

    /// Takes the state from newer data (the same step), keeping the choice, the parameters
    /// and the calibration.
    public mutating func update(_ series: TimeSeries) throws(ForecastError) {
        let points = Swift.max(2, Int((window / series.step + 1e-9).rounded(.down)))
        try model.update(series[Swift.max(0, series.count - points)..<series.count])
    }

    /// The forecast of the `steps` points after the last observation, with calibrated
    /// intervals and, for a non-negative series, points raised to 0.
    public func forecast(steps: Int) -> Forecast {
        var f = model.forecast(steps: steps)
        f.calibration = calibration
        if settings.nonNegative {
            f.floor = 0
            for i in f.values.indices where f.values[i] < 0 { f.values[i] = 0 }
        }
        return f
    }

    /// The forecast of every grid point up to `horizon` seconds after the last observation.
    public func forecast(horizon: Double) -> Forecast {
        let step = model.step
        guard step > 0 else { return forecast(steps: 1) }
        return forecast(steps: Swift.max(1, Int((horizon / step - 1e-9).rounded(.up))))
    }

    /// The longest horizon the model was chosen and calibrated on, seconds: forecasts further
    /// ahead are extrapolations.
    public var selectionHorizon: Double { settings.horizons.max() ?? 0 }
}
