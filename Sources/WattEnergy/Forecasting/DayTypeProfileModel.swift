import Foundation

/// The average workday or weekend day, plus an AR(2) anomaly:
///
/// ```
/// forecast y_{t+h} = P(type(t+h), phase(t+h)) + a_{t+h}
/// a_{s} = phi1 a_{s-1} + phi2 a_{s-2}       (a_s = y_s - P(s) where observed)
/// ```
///
/// What: two daily profiles, one for workdays (Monday to Friday) and one for weekends, each
/// the mean of the training window's observations at that time of day on days of that type
/// (UTC days, as every model here aligns its seasons to the epoch); a phase never observed on
/// a day type takes the all-days mean at that phase, then the overall mean. The anomaly from
/// the profile follows an AR(2) process whose two coefficients are fitted by least squares on
/// the window's consecutive anomalies; the forecast iterates it from the last two anomalies,
/// so it decays (or, with a negative `phi2`, overshoots and settles) towards the profile.
///
/// Why: the decisions that use carbon forecasts (the lowest step or run inside a window of
/// hours to days, Let's Wait Awhile's "lowest" rule) depend only on the forecast's shape, not
/// its level. Where demand drives the grid's mix, weekends are cleaner than workdays at the
/// same hour (less demand, the same wind and sun), which a one-day profile averages away and a
/// 24-hour persistence gets wrong on Mondays and Saturdays; and the last hours' anomaly carries
/// its momentum (a falling anomaly keeps falling for a while), which AR(1) cannot express. In
/// the numpy replay of Let's Wait Awhile's Scenario II (scripts/research/), this structure
/// moved Watt's forecaster from below to above midway between 24-hour persistence and the
/// perfect forecast on all three 2020 grids for non-interruptible jobs.
///
/// Assumptions: the series has a daily cycle whose shape differs between workdays and
/// weekends (if it does not, the two profiles estimate the same shape with more noise); the
/// series' timestamps are UTC, or a local time read as UTC (weekends are then shifted by the
/// offset, which only blurs a boundary hour); the anomaly is stationary (coefficients that
/// are not fall back to an AR(1) with `phi` in `[0, 0.9999]`); public holidays count as
/// workdays. Needs at least one day of data; a window without a weekend forecasts weekends
/// with the all-days profile.
public struct DayTypeProfileModel: Forecaster {
    public var intervals: IntervalCalibration
    public private(set) var step: Double = 0
    /// The fitted AR coefficients of the anomaly, per step (`phi2` is 0 after the AR(1) fallback).
    public private(set) var phi1 = Double.nan
    public private(set) var phi2 = Double.nan
    /// `profiles[0]` workdays, `profiles[1]` weekends, indexed by phase.
    private var profiles: [[Double]] = []
    /// The last two anomalies (`anomaly` the newest), advanced over trailing gaps.
    private var anomaly = 0.0
    private var previousAnomaly = 0.0
    private var origin = 0.0
    private var errors = ErrorProfile()

    public init(intervals: IntervalCalibration = IntervalCalibration()) {
        self.intervals = intervals
    }

    public var name: String { "daytype-profile" }

    public mutating func fit(_ series: TimeSeries) throws(ForecastError) {
        let m = try DailyProfileModel.stepsPerPeriod(86_400, series, named: "one day")
        let y = series.values
        step = series.step
        let p = Self.profiles(series, m: m)
        let a = y.indices.map { y[$0] - p[Self.dayType(series.time(at: $0))][DailyProfileModel.phase(series.time(at: $0), m: m, step: step)] }
        (phi1, phi2) = Self.autoregression(a)
        profiles = p
        try update(series)
        let model = self
        errors = ErrorProfile.estimate(values: y, step: step, calibration: intervals, warmUp: 2) { origins, horizon in
            origins.map { o in
                let (a1, a0) = Self.lastAnomalies(a, upTo: o, phi1: model.phi1, phi2: model.phi2)
                return model.path(from: series.time(at: o), anomaly: a1, previous: a0, steps: horizon)
            }
        }
    }

    /// Keeps the profiles and coefficients; takes the anomalies from the end of `series`.
    public mutating func update(_ series: TimeSeries) throws(ForecastError) {
        guard step > 0, !profiles.isEmpty else { throw .notFitted }
        guard series.step == step else { throw .incompatibleStep("fitted with \(step) s, updated with \(series.step) s") }
        guard series.values.contains(where: \.isFinite) else { throw .insufficientData(required: 1, available: 0) }
        let m = profiles[0].count
        let a = series.values.indices.map {
            series.values[$0] - profiles[Self.dayType(series.time(at: $0))][DailyProfileModel.phase(series.time(at: $0), m: m, step: step)]
        }
        (anomaly, previousAnomaly) = Self.lastAnomalies(a, upTo: a.count - 1, phi1: phi1, phi2: phi2)
        origin = series.end
    }

    public func forecast(steps: Int) -> Forecast {
        guard !profiles.isEmpty else {
            return Forecast(model: name, origin: origin, step: step, values: [Double](repeating: .nan, count: steps),
                            standardErrors: [Double](repeating: .nan, count: steps))
        }
        return Forecast(model: name, origin: origin, step: step,
                        values: path(from: origin, anomaly: anomaly, previous: previousAnomaly, steps: steps),
                        standardErrors: errors.standardErrors(steps))
    }

    /// The forecasts of the `steps` points after time `t`, from the anomalies at `t` and one step before.
    private func path(from t: Double, anomaly a1: Double, previous a0: Double, steps: Int) -> [Double] {
        let m = profiles[0].count
        var values = [Double](repeating: 0, count: max(0, steps))
        var (x1, x0) = (a1, a0)
        for h in 0..<values.count {
            let next = phi1 * x1 + phi2 * x0
            (x0, x1) = (x1, next)
            let time = t + Double(h + 1) * step
            values[h] = profiles[Self.dayType(time)][DailyProfileModel.phase(time, m: m, step: step)] + next
        }
        return values
    }

    /// The anomalies at index `i` and `i - 1`: from the last finite anomaly at or before `i`
    /// (the one before it where finite, else the same), advanced by the AR over the gap after it.
    static func lastAnomalies(_ a: [Double], upTo i: Int, phi1: Double, phi2: Double) -> (Double, Double) {
        guard let last = a[...i].lastIndex(where: \.isFinite) else { return (0, 0) }
        var x1 = a[last]
        var x0 = last > 0 && a[last - 1].isFinite ? a[last - 1] : x1
        for _ in last..<i {
            let next = phi1 * x1 + phi2 * x0
            (x0, x1) = (x1, next)
        }
        return (x1, x0)
    }

    /// Least-squares AR(2) coefficients of `a` (triples with a gap skipped). Coefficients
    /// outside the stationary triangle (`|phi2| < 1`, `phi1 + phi2 < 1`, `phi2 - phi1 < 1`), or
    /// a singular system, fall back to the AR(1) coefficient clamped to `[0, 0.9999]`.
    static func autoregression(_ a: [Double]) -> (Double, Double) {
        var s11 = 0.0, s12 = 0.0, s22 = 0.0, r1 = 0.0, r2 = 0.0
        var n1 = 0.0, d1 = 0.0
        for t in 1..<max(1, a.count) where a[t].isFinite && a[t - 1].isFinite {
            n1 += a[t] * a[t - 1]; d1 += a[t - 1] * a[t - 1]
            guard t >= 2, a[t - 2].isFinite else { continue }
            s11 += a[t - 1] * a[t - 1]; s12 += a[t - 1] * a[t - 2]; s22 += a[t - 2] * a[t - 2]
            r1 += a[t] * a[t - 1]; r2 += a[t] * a[t - 2]
        }
        let det = s11 * s22 - s12 * s12
        if det > 1e-12 * max(s11 * s22, 1e-300) {
            let p1 = (r1 * s22 - r2 * s12) / det, p2 = (s11 * r2 - s12 * r1) / det
            if p1.isFinite, p2.isFinite, abs(p2) < 1, p1 + p2 < 0.9999, p2 - p1 < 1 { return (p1, p2) }
        }
        let phi = d1 > 0 ? n1 / d1 : 0
        return (phi.isFinite ? min(max(phi, 0), 0.9999) : 0, 0)
    }

    /// 0 for a workday (Monday to Friday), 1 for Saturday and Sunday, of the UTC day of `t`.
    static func dayType(_ t: Double) -> Int {
        let d = (t / 86_400).rounded(.down)
        guard d.isFinite, abs(d) < 1e15 else { return 0 }
        let weekday = ((Int(d) % 7) + 7 + 3) % 7  // 1970-01-01 was a Thursday; Monday = 0
        return weekday >= 5 ? 1 : 0
    }

    /// Mean per (day type, phase) of the finite values; an unobserved pair takes the
    /// all-days mean at that phase, then the overall mean.
    static func profiles(_ series: TimeSeries, m: Int) -> [[Double]] {
        var sum = [[Double]](repeating: [Double](repeating: 0, count: m), count: 2)
        var count = [[Int]](repeating: [Int](repeating: 0, count: m), count: 2)
        for (i, v) in series.values.enumerated() where v.isFinite {
            let t = series.time(at: i)
            let k = DailyProfileModel.phase(t, m: m, step: series.step)
            let d = dayType(t)
            sum[d][k] += v; count[d][k] += 1
        }
        let all = DailyProfileModel.profile(series, m: m)
        return (0..<2).map { d in (0..<m).map { count[d][$0] > 0 ? sum[d][$0] / Double(count[d][$0]) : all[$0] } }
    }
}
