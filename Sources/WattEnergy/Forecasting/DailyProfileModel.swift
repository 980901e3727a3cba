import Foundation

/// The average day plus a decaying anomaly:
///
/// ```
/// forecast y_{t+h} = P(t+h) + phi^h (y_t - P(t))
/// ```
///
/// `P(phase)` is the mean of the observations at that time of day over the whole training
/// window (every day weighs the same; gaps skipped), so its shape is the average day of the
/// window, not one noisy day as in seasonal naive; the window length (chosen by backtest) sets
/// how many days are averaged. `y_t - P(t)` is how far the last value is from its usual level
/// at that time; that anomaly decays with `phi`, fitted by least squares on the window's
/// consecutive anomalies (the AR(1) coefficient, clamped to `[0, 0.9999]`). At short horizons
/// it behaves like persistence, at long ones like the average day.
public struct DailyProfileModel: Forecaster {
    public var period: Double
    public var intervals: IntervalCalibration
    public private(set) var step: Double = 0
    /// The fitted AR(1) coefficient of the anomalies, per step.
    public private(set) var phi = Double.nan
    private var profile: [Double] = []
    /// Phase (index into `profile`) of the first point after the origin.
    private var nextPhase = 0
    private var anomaly = 0.0
    private var origin = 0.0
    private var errors = ErrorProfile()

    public init(period: Double = 86_400, intervals: IntervalCalibration = IntervalCalibration()) {
        self.period = period; self.intervals = intervals
    }

    public var name: String { period == 86_400 ? "daily-profile" : "profile(\(durationLabel(period)))" }

    /// What a profile of `period` needs of a series (shared with `DayTypeProfileModel`): the
    /// period a whole number (>= 2) of its steps, at least one period of samples, half of
    /// them finite. Returns the steps per period.
    static func stepsPerPeriod(_ period: Double, _ series: TimeSeries, named name: String) throws(ForecastError) -> Int {
        guard let m = wholeSteps(period, step: series.step), m >= 2 else {
            throw .incompatibleStep("\(name) is not a whole number (>= 2) of \(series.step) s steps")
        }
        let finite = series.values.reduce(0) { $0 + ($1.isFinite ? 1 : 0) }
        guard series.values.count >= m, finite >= m / 2 else {
            throw .insufficientData(required: m, available: min(series.values.count, finite))
        }
        return m
    }

    public mutating func fit(_ series: TimeSeries) throws(ForecastError) {
        let m = try Self.stepsPerPeriod(period, series, named: "period \(period) s")
        let y = series.values
        step = series.step
        let p = Self.profile(series, m: m)
        // Phi from consecutive anomalies.
        var num = 0.0, den = 0.0
        for i in 1..<y.count where y[i].isFinite && y[i - 1].isFinite {
            let a0 = y[i - 1] - p[Self.phase(series.time(at: i - 1), m: m, step: step)]
            let a1 = y[i] - p[Self.phase(series.time(at: i), m: m, step: step)]
            num += a0 * a1; den += a0 * a0
        }
        phi = den > 0 ? Swift.min(Swift.max(num / den, 0), 0.9999) : 0
        profile = p
        try update(series)
        let filled = forwardFilled(y)
        let model = self
        errors = ErrorProfile.estimate(values: y, step: step, calibration: intervals, warmUp: 0) { o, h in
            let a = filled[o] - model.profile[Self.phase(series.time(at: o), m: m, step: model.step)]
            return model.profile[Self.phase(series.time(at: o + 1 + h), m: m, step: model.step)] + pow(model.phi, Double(h + 1)) * a
        }
    }

    /// Keeps phi and the profile; takes the anomaly from the last finite value of `series`.
    public mutating func update(_ series: TimeSeries) throws(ForecastError) {
        guard step > 0, !profile.isEmpty else { throw .notFitted }
        guard series.step == step else { throw .incompatibleStep("fitted with \(step) s, updated with \(series.step) s") }
        guard let last = series.values.lastIndex(where: \.isFinite) else { throw .insufficientData(required: 1, available: 0) }
        let m = profile.count
        anomaly = series.values[last] - profile[Self.phase(series.time(at: last), m: m, step: step)]
        // A gap at the end: the anomaly has decayed over the missing steps.
        anomaly *= pow(phi, Double(series.count - 1 - last))
        origin = series.end
        nextPhase = Self.phase(origin + step, m: m, step: step)
    }

    public func forecast(steps: Int) -> Forecast {
        guard !profile.isEmpty else {
            return Forecast(model: name, origin: origin, step: step, values: [Double](repeating: .nan, count: steps),
                            standardErrors: [Double](repeating: .nan, count: steps))
        }
        var values = [Double](repeating: 0, count: steps)
        var decay = 1.0
        for h in 0..<steps {
            decay *= phi
            values[h] = profile[(nextPhase + h) % profile.count] + decay * anomaly
        }
        return Forecast(model: name, origin: origin, step: step, values: values, standardErrors: errors.standardErrors(steps))
    }

    /// The phase of time `t` in a period of `m` steps (aligned to the epoch, so to UTC days).
    static func phase(_ t: Double, m: Int, step: Double) -> Int {
        let x = (t / step).rounded()
        guard x.isFinite else { return 0 }
        let k = Int(x.truncatingRemainder(dividingBy: Double(m)))
        return k < 0 ? k + m : k
    }

    /// Mean per phase of the finite values; a phase never observed takes the overall mean.
    static func profile(_ series: TimeSeries, m: Int) -> [Double] {
        var sum = [Double](repeating: 0, count: m), count = [Int](repeating: 0, count: m)
        var total = 0.0, n = 0
        for (i, v) in series.values.enumerated() where v.isFinite {
            let k = phase(series.time(at: i), m: m, step: series.step)
            sum[k] += v; count[k] += 1; total += v; n += 1
        }
        let mean = n > 0 ? total / Double(n) : 0
        return (0..<m).map { count[$0] > 0 ? sum[$0] / Double(count[$0]) : mean }
    }
}
