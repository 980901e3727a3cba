import Foundation

/// Bounds, not forecasters: forecasts whose *parameters* are fitted on the whole series,
/// future included, so a study can show how much of the oracle's saving a forecast of a given
/// kind could reach at best. They answer "is this cell out of reach of any such model?", and
/// are never a way to decide in a run.

/// The series' mean day: each step's forecast is the mean of the whole series at that time of
/// day (the data after the forecast included). For a job at the same time every day, planning
/// on it is the best fixed start chosen with hindsight.
public struct ProfileHindsightSource: CarbonForecastSource {
    public var series: TimeSeries
    private let profile: [Double]
    public var name: String { "profile-hindsight" }

    public init(series: TimeSeries) {
        self.series = series
        let m = max(1, Int((86_400 / series.step).rounded()))
        profile = m >= 2 ? DailyProfileModel.profile(series, m: m) : [SeriesStatistics(series.values.filter(\.isFinite)).mean]
    }

    public mutating func forecast(from start: Double, steps: Int) throws(ForecastError) -> ShiftForecast {
        let r = try series.clippedRange(try series.gridIndex(start), steps)
        let m = profile.count
        let values = r.map { profile[m >= 2 ? DailyProfileModel.phase(series.time(at: $0), m: m, step: series.step) : 0] }
        return ShiftForecast(start: start, step: series.step, values: values, sigmas: [Double](repeating: .nan, count: r.count))
    }
}

/// A direct linear forecast per horizon with coefficients fitted on every origin of the whole
/// series (hindsight on the parameters; the features at each origin use only the past). For
/// `h` steps ahead of the last observation `y_o` it predicts `y_{o+h} - y_o` from: an
/// intercept; the recent changes `y_o - y_{o-j}`, `j` = 1, 2, 3, 4, 6, 8, 12; the mean change
/// from the origin's time of day to the target's over the last 7 days that reach back before
/// the origin; the same change on the most recent of those days alone, and a week before; and
/// the origin's anomaly (`y_o` minus the mean of the last 7 days at that time). The
/// coefficients minimise the squared error over the series, so the forecast is the best
/// linear predictor from these features with the year known in advance: an optimistic bound
/// for linear models of the series' own past.
public struct LinearHindsightSource: CarbonForecastSource {
    public var series: TimeSeries
    public var name: String { "linear-hindsight" }
    private let day: Int
    private var coefficients: [Int: [Double]] = [:]
    static let recent = [1, 2, 3, 4, 6, 8, 12]

    public init(series: TimeSeries) {
        self.series = series
        day = max(1, Int((86_400 / series.step).rounded()))
    }

    /// The features of the forecast `h` steps ahead of origin `o`, nil where one is unknown.
    func features(_ o: Int, _ h: Int) -> [Double]? {
        let y = series.values
        let k0 = max(1, Int((Double(h) / Double(day)).rounded(.up)))
        let week = 7 * day * max(1, Int((Double(h) / Double(7 * day)).rounded(.up)))
        guard o - 12 >= 0, o - (k0 + 6) * day >= 0, o - week >= 0, o < y.count else { return nil }
        var f = [1.0]
        for j in Self.recent { f.append(y[o] - y[o - j]) }
        var shape = 0.0, level = 0.0
        for k in 0..<7 {
            shape += y[o + h - (k0 + k) * day] - y[o - (k0 + k) * day]
            level += y[o - (k + 1) * day]
        }
        f.append(shape / 7)
        f.append(y[o + h - k0 * day] - y[o - k0 * day])
        f.append(y[o + h - week] - y[o - week])
        f.append(y[o] - level / 7)
        return f.allSatisfy(\.isFinite) ? f : nil
    }

    mutating func fitted(_ h: Int) -> [Double]? {
        if let c = coefficients[h] { return c }
        let y = series.values
        var columns = [[Double]](repeating: [], count: 5 + Self.recent.count)
        var target: [Double] = []
        for o in 0..<max(0, y.count - h) where y[o + h].isFinite {
            guard let f = features(o, h) else { continue }
            for j in f.indices { columns[j].append(f[j]) }
            target.append(y[o + h] - y[o])
        }
        guard let s = try? LeastSquares.solve(columns: columns, y: target) else { return nil }
        coefficients[h] = s.coefficients
        return s.coefficients
    }

    public mutating func forecast(from start: Double, steps: Int) throws(ForecastError) -> ShiftForecast {
        let first = try series.gridIndex(start)
        let r = try series.clippedRange(first, steps)
        let o = first - 1
        var values: [Double] = []
        for h in 1...max(1, r.count) {
            guard let f = features(o, h), let b = fitted(h) else {
                throw .insufficientData(required: 7 * day + 13, available: max(0, first))
            }
            values.append(series.values[o] + zip(f, b).reduce(0) { $0 + $1.0 * $1.1 })
        }
        return ShiftForecast(start: start, step: series.step, values: values, sigmas: [Double](repeating: .nan, count: values.count))
    }
}
