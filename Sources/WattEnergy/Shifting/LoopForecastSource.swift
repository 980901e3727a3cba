import Foundation

/// Watt's own forecaster as the control loop runs it: a `TelemetryModels` (the code behind the
/// language's `forecast(grid.carbon_intensity, ...)`) is fed the series one step at a time, and a
/// forecast from `start` is its `path` after it has seen the steps before `start` and nothing
/// else. So the model, its training window and its calibration are chosen at the loop's daily
/// boundaries on the history up to them (`ForecastSettings.reselectEvery`), and the model is
/// only updated in between, exactly as in a run with one tick per grid step.
///
/// The step that begins at `start` is not over yet, so it is not known (the grid files' value
/// stamped `t` covers `[t, t + step)`): the forecast's first point is that step. Forecasts must
/// be asked in time order (data once seen cannot be unseen); asking earlier than the last
/// forecast is an error. Copies share the models (a reference) and so what they have seen:
/// make a fresh source for each run.
///
/// The sigmas handed to the planner come from the calibrated interval at the settings' level:
/// `(upper - lower) / (2 z)`, `z` the normal quantile of that level (the calibrated forecast
/// has no standard errors of its own).
public struct LoopForecastSource: CarbonForecastSource {
    public static let metric = "grid.carbon_intensity"
    public var series: TimeSeries
    public let settings: ForecastSettings
    public let name: String
    private let models: TelemetryModels
    /// How many points of the series have been recorded.
    private var fed = 0
    /// Models (with their training windows) in use, counted once per day with a forecast.
    public private(set) var chosen: [String: Int] = [:]
    private var countedDay = Int.min

    /// `settings`: the loop's defaults for grid carbon intensity unless given.
    public init(series: TimeSeries, settings: ForecastSettings = .defaults(for: LoopForecastSource.metric), name: String = "watt") {
        self.series = series
        self.settings = settings
        self.name = name
        models = TelemetryModels(step: series.step)
        if settings != .defaults(for: Self.metric) { models.configure(Self.metric, settings) }
    }

    public mutating func forecast(from start: Double, steps: Int) throws(ForecastError) -> ShiftForecast {
        let first = try series.gridIndex(start)
        guard first >= 2, first <= series.count else { throw .insufficientData(required: 2, available: max(0, first)) }
        guard first >= fed else {
            throw .incompatibleStep("forecasts must be asked in time order: \(start) is before data already seen")
        }
        while fed < first {
            let v = series.values[fed]
            models.record(Self.metric, v.isFinite ? v : nil, at: series.time(at: fed))
            fed += 1
        }
        let want = max(1, steps)
        guard let f = models.path(Self.metric, horizon: Double(want) * series.step) else {
            throw .insufficientData(required: 2, available: first)
        }
        // The loop's forecast starts one step after its last observation: at `start`.
        guard abs(f.time(at: 0) - start) < 1e-3, abs(f.step - series.step) < 1e-6 else {
            throw .incompatibleStep("the loop's forecast starts at \(f.time(at: 0)), not \(start)")
        }
        let day = Int((start / 86_400).rounded(.down))
        if day != countedDay {
            countedDay = day
            let window = models.forecaster(for: Self.metric).map { " (\(durationLabel($0.window)) window)" } ?? ""
            chosen[f.model + window, default: 0] += 1
        }
        return Self.shiftForecast(f, level: settings.intervalLevel)
    }

    /// The forecast's points as planning steps, with sigmas from its calibrated interval at
    /// `level` (from its own standard errors where it has no calibration).
    static func shiftForecast(_ f: Forecast, level: Double) -> ShiftForecast {
        var raw = f
        raw.floor = nil
        let z = Forecast.z(level)
        let sigmas = f.values.indices.map { i -> Double in
            guard f.calibratedSteps > 0 else { return f.standardErrors[i] }
            let b = raw.bounds(i, level: level)
            let s = (b.upper - b.lower) / (2 * z)
            return s.isFinite && s >= 0 ? s : .nan
        }
        return ShiftForecast(start: f.time(at: 0), step: f.step, values: f.values, sigmas: sigmas)
    }
}
