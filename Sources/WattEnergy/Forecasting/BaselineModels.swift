/// Persistence ("naive"): every future point equals the last finite observation.
public struct PersistenceModel: Forecaster {
    public var intervals: IntervalCalibration
    public private(set) var step: Double = 0
    private var origin = 0.0
    private var last = Double.nan
    private var profile = ErrorProfile()

    public init(intervals: IntervalCalibration = IntervalCalibration()) { self.intervals = intervals }

    public var name: String { "persistence" }

    public mutating func fit(_ series: TimeSeries) throws(ForecastError) {
        guard let first = series.values.firstIndex(where: \.isFinite) else {
            throw .insufficientData(required: 1, available: 0)
        }
        step = series.step
        try update(series)
        let filled = forwardFilled(series.values)
        profile = ErrorProfile.estimate(values: series.values, step: series.step, calibration: intervals, warmUp: first) { o, _ in
            filled[o]
        }
    }

    public mutating func update(_ series: TimeSeries) throws(ForecastError) {
        guard step > 0 else { throw .notFitted }
        guard series.step == step else { throw .incompatibleStep("fitted with \(step) s, updated with \(series.step) s") }
        guard let v = series.values.last(where: \.isFinite) else { throw .insufficientData(required: 1, available: 0) }
        last = v
        origin = series.end
    }

    public func forecast(steps: Int) -> Forecast {
        Forecast(model: name, origin: origin, step: step, values: [Double](repeating: last, count: steps),
                 standardErrors: profile.standardErrors(steps))
    }
}

/// Seasonal naive: every future point equals the observation one season (`period` seconds)
/// earlier, i.e. the last observed season repeats. A gap in the last season is filled from
/// the season before (up to 4 seasons back), else with the last finite observation.
public struct SeasonalNaiveModel: Forecaster {
    public var period: Double
    public var intervals: IntervalCalibration
    public private(set) var step: Double = 0
    private var origin = 0.0
    private var season: [Double] = []
    private var profile = ErrorProfile()

    /// `period` in seconds: 86 400 for daily, 604 800 for weekly.
    public init(period: Double, intervals: IntervalCalibration = IntervalCalibration()) {
        self.period = period; self.intervals = intervals
    }

    public var name: String { "seasonal-naive(\(durationLabel(period)))" }
    public var minimumWindow: Double { period }

    public mutating func fit(_ series: TimeSeries) throws(ForecastError) {
        guard let m = wholeSteps(period, step: series.step) else {
            throw .incompatibleStep("period \(period) s is not a whole number of \(series.step) s steps")
        }
        guard series.count >= m else { throw .insufficientData(required: m, available: series.count) }
        step = series.step
        try update(series)
        let values = series.values
        profile = ErrorProfile.estimate(values: values, step: series.step, calibration: intervals, warmUp: m - 1) { origins, steps in
            origins.map { o in Self.lastSeason(values, end: o + 1, m: m).map { s in (0..<steps).map { s[$0 % m] } } ?? [] }
        }
    }

    public mutating func update(_ series: TimeSeries) throws(ForecastError) {
        guard step > 0 else { throw .notFitted }
        guard series.step == step else { throw .incompatibleStep("fitted with \(step) s, updated with \(series.step) s") }
        let m = wholeSteps(period, step: step)!
        guard let s = Self.lastSeason(series.values, end: series.count, m: m) else {
            throw .insufficientData(required: m, available: series.count)
        }
        season = s
        origin = series.end
    }

    /// The `m` values before `end`, gaps filled from earlier seasons or the last finite value.
    static func lastSeason(_ values: [Double], end: Int, m: Int) -> [Double]? {
        guard end >= m else { return nil }
        guard let fallback = values[..<end].last(where: \.isFinite) else { return nil }
        return (0..<m).map { j in
            var i = end - m + j
            for _ in 0..<5 {
                if i < 0 { break }
                if values[i].isFinite { return values[i] }
                i -= m
            }
            return fallback
        }
    }

    public func forecast(steps: Int) -> Forecast {
        let values = season.isEmpty ? [Double](repeating: .nan, count: steps) : (0..<steps).map { season[$0 % season.count] }
        return Forecast(model: name, origin: origin, step: step, values: values, standardErrors: profile.standardErrors(steps))
    }
}

/// "1d", "7d", "12h", "30min", "90s".
func durationLabel(_ seconds: Double) -> String {
    guard seconds.isFinite else { return seconds.isNaN ? "nan" : (seconds > 0 ? "inf" : "-inf") }
    func fmt(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
    if seconds >= 86_400, (seconds / 86_400).truncatingRemainder(dividingBy: 1) == 0 { return fmt(seconds / 86_400) + "d" }
    if seconds >= 3600, (seconds / 3600).truncatingRemainder(dividingBy: 0.5) == 0 { return fmt(seconds / 3600) + "h" }
    if seconds >= 60, (seconds / 60).truncatingRemainder(dividingBy: 1) == 0 { return fmt(seconds / 60) + "min" }
    return fmt(seconds) + "s"
}
