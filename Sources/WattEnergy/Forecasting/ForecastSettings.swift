import Foundation

/// Everything that decides how a series is forecast, in one value shared by the control loop
/// (`TelemetryModels`, behind the language's `forecast(metric, horizon)`) and `watt forecast`:
/// with the same settings both run the same code (`SeriesForecaster`) and so make the same
/// choices. Durations are seconds.
///
/// Per series, at every reselection (`reselectEvery`, daily by default), on the last
/// `history` seconds of the series:
/// 1. every model in `models` is backtested on the `horizons` (rolling origin, `origins`
///    origins, each model refitted on the `trainingWindows[0]`-long window before each origin)
///    and the one with the lowest mean `criterion` over the horizons is chosen;
/// 2. the chosen model is backtested again with each training window in `trainingWindows` and
///    the best window kept;
/// 3. its prediction intervals are calibrated on its own out-of-sample errors over the last
///    `calibrationSpan` (`ResidualCalibration`): empirical quantiles of the errors per step
///    ahead, at `intervalLevel` and any other level asked for;
/// 4. it is fitted on the last window; between reselections it is only updated with new data.
///
/// Forecasts of a `nonNegative` series (power, carbon intensity) are truncated at zero, points
/// and interval bounds alike. Prices can be negative in some markets: the default for
/// `grid.price` is not non-negative.
public struct ForecastSettings: Sendable, Equatable, Codable {
    /// How far back the choices look: model and window backtests and the calibration use
    /// only the last `history` seconds (so the loop and `watt forecast` on a longer file
    /// choose alike).
    public var history: Double
    /// Candidate training windows; the first is the one models are compared with (step 1).
    public var trainingWindows: [Double]
    /// Backtest origins (per candidate) for the model and window choices.
    public var origins: Int
    /// The horizons models are chosen and windows compared on (the horizons policies ask for).
    /// Intervals are calibrated up to the longest.
    public var horizons: [Double]
    /// Candidate models, by name (`ForecastSettings.modelNames`).
    public var models: [String]
    /// What model choice minimises, averaged over `horizons`.
    public var criterion: Criterion
    /// The central probability of the interval a forecast reports (`low`, `high`).
    public var intervalLevel: Double
    /// How likely a shift must be to save for `argmin` to be given (`ShiftDecision`).
    public var shiftConfidence: Double
    /// How often (seconds of world time) the model, window and calibration are chosen again.
    public var reselectEvery: Double
    /// How far back the interval calibration reaches for out-of-sample errors.
    public var calibrationSpan: Double
    /// At most this many calibration origins (spread evenly over `calibrationSpan`).
    public var calibrationOrigins: Int
    /// Truncate forecasts and interval bounds at zero.
    public var nonNegative: Bool

    public init(history: Double = 35 * 86_400, trainingWindows: [Double] = [7 * 86_400, 14 * 86_400], origins: Int = 8,
                horizons: [Double] = [3600, 21_600, 86_400], models: [String] = ["ensemble"],
                criterion: Criterion = .mae, intervalLevel: Double = 0.8, shiftConfidence: Double = 0.75,
                reselectEvery: Double = 86_400,
                calibrationSpan: Double = 21 * 86_400, calibrationOrigins: Int = 96, nonNegative: Bool = true) {
        self.history = history; self.trainingWindows = trainingWindows; self.origins = origins; self.horizons = horizons; self.models = models
        self.criterion = criterion; self.intervalLevel = intervalLevel; self.shiftConfidence = shiftConfidence
        self.reselectEvery = reselectEvery
        self.calibrationSpan = calibrationSpan; self.calibrationOrigins = calibrationOrigins; self.nonNegative = nonNegative
    }

    /// The defaults for a telemetry path: the `ensemble` model (the mean of persistence, the
    /// daily profile, linear regression and daily Holt-Winters; in the replay of the 2020 grid
    /// series it beat choosing one model per day at every horizon on all three grids, see
    /// docs/forecasting.md), its window chosen between 7 and 14 days on 1 h, 6 h and 24 h
    /// over the last 35 days, intervals calibrated over the last 21 days; every metric but
    /// prices and temperatures is non-negative (power, PUE, carbon intensity). Prices can go
    /// negative, and temperatures are readings in degC (`site.outdoor_temperature`), whose
    /// zero is not a floor: a frost forecast raised to 0 °C would be wrong.
    public static func defaults(for metric: String) -> ForecastSettings {
        var s = ForecastSettings()
        if metric == "grid.price" || metric.hasSuffix("temperature") { s.nonNegative = false }
        return s
    }

    /// The metrics whose defaults `watt forecast --show-settings` lists.
    public static let knownMetrics = ["site.power", "site.facility_power", "site.pue", "site.outdoor_temperature",
                                      "grid.carbon_intensity", "grid.price"]

    /// The models `models` may name: the single models, then the combinations.
    public static let modelNames = ["persistence", "seasonal-naive(1d)", "seasonal-naive(7d)", "holt-winters(1d)",
                                    "holt-winters(1d+7d)", "linear-regression", "daily-profile", "daytype-profile", "ensemble",
                                    "ensemble-seasonal"]
    /// The single models (`--models` with several of them lets the backtest choose).
    public static let singleModelNames = Array(modelNames.prefix(8))

    /// The model a name stands for (nil when unknown). Names compare without case, spaces or
    /// punctuation, so `seasonal-naive-1d` and `holtwinters(1d+7d)` are accepted.
    public static func model(named name: String) -> (any Forecaster)? {
        switch canonical(name) {
        case canonical("persistence"): PersistenceModel()
        case canonical("seasonal-naive(1d)"): SeasonalNaiveModel(period: 86_400)
        case canonical("seasonal-naive(7d)"): SeasonalNaiveModel(period: 604_800)
        case canonical("holt-winters(1d)"): HoltWintersModel(periods: [86_400])
        case canonical("holt-winters(1d+7d)"): HoltWintersModel(periods: [86_400, 604_800])
        case canonical("linear-regression"): LinearRegressionModel()
        case canonical("daily-profile"): DailyProfileModel()
        case canonical("daytype-profile"): DayTypeProfileModel()
        case canonical("ensemble"):
            EnsembleModel("ensemble", members: [PersistenceModel(), DailyProfileModel(), LinearRegressionModel(),
                                                HoltWintersModel(periods: [86_400])])
        case canonical("ensemble-seasonal"):
            EnsembleModel("ensemble-seasonal", members: [DailyProfileModel(), LinearRegressionModel(),
                                                         HoltWintersModel(periods: [86_400])])
        default: nil
        }
    }

    /// The listed name for a name as a user may write it (nil when unknown).
    public static func modelName(_ name: String) -> String? {
        modelNames.first { canonical($0) == canonical(name) }
    }

    static func canonical(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) })
    }

    /// The candidate models (unknown names are left out; `validate` reports them).
    public var candidates: [any Forecaster] { models.compactMap(Self.model(named:)) }

    /// The longest horizon anything forecasts (`forecast(metric, horizon)`, the settings'
    /// horizons): beyond a month a model fitted on weeks of history says nothing.
    public static let horizonLimit: Double = 30 * 86_400
    /// The longest window a history aggregate looks back (the longest `history` setting).
    public static let historyLimit: Double = 365 * 86_400

    /// Why these settings cannot be used, one message per problem (empty when they can).
    /// Every number has bounds: windows 1 hour to 365 days, 1 to 1,000 origins, horizons
    /// 1 minute to 30 days, level in (0, 1), reselection 1 hour to 30 days.
    public func problems() -> [String] {
        var out: [String] = []
        if !(history.isFinite && history >= 86_400 && history <= 365 * 86_400) {
            out.append("history: `\(durationLabel(history))` is outside 1 d to 365 d")
        }
        if trainingWindows.isEmpty { out.append("training_windows: give at least one window") }
        for w in trainingWindows where !(w.isFinite && w >= 3600 && w <= 365 * 86_400) {
            out.append("training_windows: `\(durationLabel(w))` is outside 1 h to 365 d")
        }
        if !(1...1000).contains(origins) { out.append("origins: `\(origins)` is outside 1 to 1000") }
        if horizons.isEmpty { out.append("horizons: give at least one horizon") }
        for h in horizons where !(h.isFinite && h >= 60 && h <= Self.horizonLimit) {
            out.append("horizons: `\(durationLabel(h))` is outside 1 min to 30 d")
        }
        if models.isEmpty { out.append("models: give at least one model") }
        for m in models where Self.modelName(m) == nil {
            out.append("models: unknown model `\(m)`; known: \(Self.modelNames.joined(separator: ", "))")
        }
        if !(intervalLevel > 0 && intervalLevel < 1) { out.append("interval_level: `\(intervalLevel)` is not between 0 and 1") }
        if !(shiftConfidence >= 0.5 && shiftConfidence < 1) {
            out.append("shift_confidence: `\(shiftConfidence)` is not between 0.5 and 1")
        }
        if !(reselectEvery.isFinite && reselectEvery >= 3600 && reselectEvery <= 30 * 86_400) {
            out.append("reselect_every: `\(durationLabel(reselectEvery))` is outside 1 h to 30 d")
        }
        if !(calibrationSpan.isFinite && calibrationSpan >= 3600 && calibrationSpan <= 365 * 86_400) {
            out.append("calibration_span: `\(durationLabel(calibrationSpan))` is outside 1 h to 365 d")
        }
        if !(1...10_000).contains(calibrationOrigins) {
            out.append("calibration_origins: `\(calibrationOrigins)` is outside 1 to 10000")
        }
        return out
    }

    /// One line per setting, as `watt forecast --show-settings` prints them.
    public var text: String {
        var out = ""
        out += "history: the last \(durationLabel(history))\n"
        out += "training windows: \(trainingWindows.map(durationLabel).joined(separator: ", ")) (models compared with the first)\n"
        out += "origins: \(origins)\n"
        out += "horizons: \(horizons.map(durationLabel).joined(separator: ", "))\n"
        out += "models: \(models.joined(separator: ", "))\n"
        out += "criterion: \(criterion.rawValue)\n"
        out += "interval level: \(Int((intervalLevel * 100).rounded())) %\n"
        out += "shift confidence: \(Int((shiftConfidence * 100).rounded())) %\n"
        out += "reselect every: \(durationLabel(reselectEvery))\n"
        out += "calibration: \(calibrationOrigins) origins over the last \(durationLabel(calibrationSpan))\n"
        out += "non-negative: \(nonNegative ? "yes" : "no")\n"
        return out
    }
}

/// Parses `1h`, `30min`, `7d`, `90s`, `1.5h`, `2w` into seconds (nil when not a positive
/// finite duration with a unit).
public func parseDuration(_ text: String) -> Double? {
    let t = text.trimmingCharacters(in: .whitespaces).lowercased()
    let units: [(String, Double)] = [("min", 60), ("ms", 0.001), ("s", 1), ("h", 3600), ("d", 86_400), ("w", 604_800)]
    for (suffix, scale) in units where t.hasSuffix(suffix) {
        let number = t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
        guard let v = Double(number), v.isFinite, v > 0 else { return nil }
        return v * scale
    }
    return nil
}

/// "1d", "7d", "12h", "30min", "90s" (the labels reports print).
public func formatDuration(_ seconds: Double) -> String { durationLabel(seconds) }

/// A comma-separated list of durations (`1h,6h,24h`), nil when any item is not one.
public func parseDurations(_ text: String) -> [Double]? {
    let items = text.split(separator: ",", omittingEmptySubsequences: false).map { parseDuration(String($0)) }
    guard !items.isEmpty, items.allSatisfy({ $0 != nil }) else { return nil }
    return items.map { $0! }
}
