import Foundation
import WattSupport

/// Load a series, choose a model as the control loop would (`SeriesForecaster` with the
/// metric's `ForecastSettings`), forecast, and optionally replay the loop over a held-out end
/// of the series: the logic of `watt forecast`, kept here so it is tested with the library.
/// Renderings: `text`, `json()`, `csv()` (ForecastSummaryOutput.swift).
public struct ForecastSummary: Sendable {
    public var name: String
    public var metric: String
    /// The whole series as loaded.
    public var series: TimeSeries
    /// What the forecaster was chosen on: the series, less the held-out end.
    public var training: TimeSeries
    public var settings: ForecastSettings
    public var forecaster: SeriesForecaster
    public var forecast: Forecast
    /// How far ahead `forecast` reaches, seconds.
    public var horizon: Double
    /// The shift decision over the forecast window against starting now (its first point).
    public var decision: ShiftDecision?
    /// The held-out duration and the loop replayed over it (nil without a hold-out).
    public var holdout: Double?
    public var replay: ReplayReport?

    /// Chooses the forecaster on `series` (less the last `holdout` seconds when given, which
    /// are then replayed and scored) with `settings`, forcing `model` when given, and
    /// forecasts `horizon` seconds ahead.
    public init(name: String, metric: String = "grid.carbon_intensity", series: TimeSeries, horizon: Double,
                settings: ForecastSettings? = nil, model: String? = nil, holdout: Double? = nil,
                nightly: ForecastReplay.NightlyJob? = ForecastReplay.NightlyJob()) throws(ForecastError) {
        var settings = settings ?? .defaults(for: metric)
        if let model { settings.models = [ForecastSettings.modelName(model) ?? model] }
        self.name = name; self.metric = metric; self.series = series; self.settings = settings
        self.horizon = horizon; self.holdout = holdout
        if let holdout {
            let cut = series.end - holdout
            training = series.slice(from: series.start, to: cut)
            guard training.count >= 2 else { throw .insufficientData(required: 2, available: training.count) }
        } else {
            training = series
        }
        // The loop's own class, fed the training part tick by tick: what a policy would see
        // at its end (the model chosen at the last reselection boundary, then updated).
        let models = TelemetryModels(step: training.step, capacity: Self.capacity(settings, step: training.step))
        let problems = models.configure(metric, settings)
        guard problems.isEmpty else { throw .incompatibleStep(problems.joined(separator: "; ")) }
        for (i, v) in training.values.enumerated() { models.record(metric, v.isFinite ? v : nil, at: training.time(at: i)) }
        guard let f = models.path(metric, horizon: horizon), let forecaster = models.forecaster(for: metric) else {
            // Too little history to choose (the loop would use persistence): say why.
            let boundary = (training.end / settings.reselectEvery).rounded(.down) * settings.reselectEvery
            _ = try SeriesForecaster.select(training.slice(from: training.start, to: boundary), settings: settings)
            throw .insufficientData(required: 2, available: training.count)
        }
        self.forecaster = forecaster
        forecast = f
        decision = f.shift(over: f.next(horizon), from: .now, confidence: settings.shiftConfidence)
        if holdout != nil {
            // Nightly jobs need whole days of hold-out.
            let days = (series.end - training.end) / 86_400
            let replayer = ForecastReplay(metric: metric, settings: settings, every: 3600, nightly: days >= 2 ? nightly : nil)
            replay = replayer.run(series, from: training.end)
        }
    }

    /// Raw samples to hold for `settings` at `step`: the settings' history plus two days, at
    /// least 8,640 and at most 131,072.
    static func capacity(_ settings: ForecastSettings, step: Double) -> Int {
        let needed = ((settings.history + 2 * 86_400) / step).rounded(.up)
        return Swift.min(131_072, Swift.max(8_640, needed.isFinite ? Int(Swift.min(needed, 1e9)) : 8_640))
    }

    /// Whether the forecast reaches beyond the horizons the model was chosen and calibrated on.
    public var beyondSelection: Bool { horizon > forecaster.selectionHorizon + 1e-9 }

    /// The actual value at a time, from the held-out part (nil without one, or past its end).
    public func actual(at t: Double) -> Double? {
        guard holdout != nil, t > training.end else { return nil }
        return series.value(at: t)
    }

    /// `YYYY-MM-DD HH:MM` in UTC.
    public static func time(_ t: Double) -> String {
        let days = Int((t / 86_400).rounded(.down))
        let seconds = Int((t - Double(days) * 86_400).rounded())
        let (y, m, d) = civil(days)
        return String(format: "%04d-%02d-%02d %02d:%02d", y, m, d, seconds / 3600, seconds % 3600 / 60)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` in UTC (the JSON and CSV renderings).
    public static func isoTime(_ t: Double) -> String {
        let days = Int((t / 86_400).rounded(.down))
        let seconds = Int((t - Double(days) * 86_400).rounded())
        let (y, m, d) = civil(days)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, seconds / 3600, seconds % 3600 / 60, seconds % 60)
    }

    /// The date of a day number since 1970-01-01 (the shared calendar).
    static func civil(_ days: Int) -> (Int, Int, Int) {
        let c = CivilCalendar.civil(fromDays: days)
        return (c.year, c.month, c.day)
    }
}
