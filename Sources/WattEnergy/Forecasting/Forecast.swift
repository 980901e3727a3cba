import Foundation

/// Point forecasts with prediction intervals on a regular grid after `origin`.
///
/// `values[i]` is the forecast for `origin + (i + 1) * step`; `standardErrors[i]` its
/// standard error (see `IntervalCalibration`); intervals are `value ± z * standardError`.
/// Window queries take absolute times (seconds since the epoch); `next(_:)` builds the window
/// "the next `seconds` after the origin":
///
/// ```swift
/// let f = model.forecast(horizon: 6 * 3600)
/// let when = f.argmin(over: f.next(6 * 3600))   // time of the lowest forecast carbon
/// ```
public struct Forecast: Sendable, Equatable {
    /// The model that produced it.
    public var model: String
    /// Time of the last observation the forecast is based on.
    public var origin: Double
    public var step: Double
    public var values: [Double]
    /// The model's own standard errors (see `IntervalCalibration`), used for intervals when
    /// there is no `calibration`.
    public var standardErrors: [Double]
    /// Intervals from the model's out-of-sample errors (`SeriesForecaster` sets it); when
    /// present, `interval`, `lower` and `upper` use it instead of `standardErrors`.
    public var calibration: ResidualCalibration?
    /// The lowest value the series can take (0 for power or carbon intensity; nil when
    /// unbounded): interval bounds below it are raised to it.
    public var floor: Double?

    public init(model: String, origin: Double, step: Double, values: [Double], standardErrors: [Double],
                calibration: ResidualCalibration? = nil, floor: Double? = nil) {
        precondition(values.count == standardErrors.count)
        self.model = model; self.origin = origin; self.step = step
        self.values = values; self.standardErrors = standardErrors
        self.calibration = calibration; self.floor = floor
    }

    /// How many steps ahead the intervals were calibrated on the model's errors (0 without a
    /// calibration): beyond it they are extrapolated.
    public var calibratedSteps: Int { calibration?.steps ?? 0 }

    public var count: Int { values.count }
    /// Time of point `i`: `origin + (i + 1) * step`.
    public func time(at i: Int) -> Double { origin + Double(i + 1) * step }
    public var times: [Double] { values.indices.map(time(at:)) }

    /// The forecast at an arbitrary time after the origin: linear interpolation between grid
    /// points; between the origin and the first point, the first point; nil beyond the last.
    public func value(at time: Double) -> Double? {
        guard !values.isEmpty, time > origin - 1e-9 else { return nil }
        let x = (time - origin) / step - 1
        if x <= 0 { return values[0] }
        let i = Int(x.rounded(.down))
        if i >= values.count - 1 { return x <= Double(values.count - 1) + 1e-9 ? values[values.count - 1] : nil }
        let f = x - Double(i)
        return values[i] + (values[i + 1] - values[i]) * f
    }

    /// The two-sided normal quantile for a central interval of probability `level`
    /// (`z(0.8) = 1.2816`, `z(0.95) = 1.9600`).
    public static func z(_ level: Double) -> Double { inverseNormalCDF(0.5 + level / 2) }

    /// The bounds of point `i`'s central interval at `level`: from the calibration when there
    /// is one, else `value ± z * standardError`; raised to `floor`; NaN where unknown.
    public func bounds(_ i: Int, level: Double) -> (lower: Double, upper: Double) {
        let v = values[i]
        var lo: Double, hi: Double
        if let calibration, !calibration.isEmpty {
            let o = calibration.offsets(step: i + 1, level: level)
            lo = v + o.lower; hi = v + o.upper
        } else {
            let half = Forecast.z(level) * standardErrors[i]
            lo = v - half; hi = v + half
        }
        if let floor {
            if lo < floor { lo = floor }
            if hi < floor { hi = floor }
        }
        return (lo, hi)
    }

    /// The prediction interval of point `i` at `level` (e.g. 0.8, 0.95); the point alone
    /// where the interval is unknown.
    public func interval(_ i: Int, level: Double = 0.95) -> ClosedRange<Double> {
        let b = bounds(i, level: level)
        guard b.lower.isFinite, b.upper.isFinite, values[i].isFinite, b.lower <= b.upper else { return values[i]...values[i] }
        return b.lower...b.upper
    }

    /// Lower interval bounds at `level` for every point (NaN where the error is unknown).
    public func lower(level: Double = 0.95) -> [Double] { values.indices.map { bounds($0, level: level).lower } }

    /// Upper interval bounds at `level` for every point (NaN where the error is unknown).
    public func upper(level: Double = 0.95) -> [Double] { values.indices.map { bounds($0, level: level).upper } }

    /// The window `origin ... origin + seconds` ("the next `seconds`").
    public func next(_ seconds: Double) -> ClosedRange<Double> { origin...(origin + seconds) }

    /// Indices of the points whose times lie in `window`.
    public func indices(in window: ClosedRange<Double>) -> Range<Int> {
        let lo = Swift.max(0, Int(((window.lowerBound - origin) / step - 1 - 1e-9).rounded(.up)))
        let hi = Swift.min(values.count, Int(((window.upperBound - origin) / step - 1 + 1e-9).rounded(.down)) + 1)
        return lo < hi ? lo..<hi : 0..<0
    }

    /// Mean of the point forecasts in `window` (nil when no point falls in it).
    public func mean(over window: ClosedRange<Double>) -> Double? {
        let r = indices(in: window)
        guard !r.isEmpty else { return nil }
        return values[r].reduce(0, +) / Double(r.count)
    }

    public func min(over window: ClosedRange<Double>) -> Double? { argminIndex(window).map { values[$0] } }
    public func max(over window: ClosedRange<Double>) -> Double? { argmaxIndex(window).map { values[$0] } }
    /// Time of the lowest point forecast in `window` (the earliest on ties).
    public func argmin(over window: ClosedRange<Double>) -> Double? { argminIndex(window).map(time(at:)) }
    /// Time of the highest point forecast in `window` (the earliest on ties).
    public func argmax(over window: ClosedRange<Double>) -> Double? { argmaxIndex(window).map(time(at:)) }

    private func argminIndex(_ window: ClosedRange<Double>) -> Int? {
        var best: Int?
        for i in indices(in: window) where values[i].isFinite { if best == nil || values[i] < values[best!] { best = i } }
        return best
    }

    private func argmaxIndex(_ window: ClosedRange<Double>) -> Int? {
        var best: Int?
        for i in indices(in: window) where values[i].isFinite { if best == nil || values[i] > values[best!] { best = i } }
        return best
    }

    public static func == (a: Forecast, b: Forecast) -> Bool {
        func same(_ x: [Double], _ y: [Double]) -> Bool {
            x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        }
        return a.model == b.model && a.origin == b.origin && a.step == b.step
            && same(a.values, b.values) && same(a.standardErrors, b.standardErrors)
            && a.calibration == b.calibration && a.floor == b.floor
    }
}

/// Inverse of the standard normal CDF (P. J. Acklam's rational approximation, relative error
/// below 1.2e-9, refined by one Halley step).
func inverseNormalCDF(_ p: Double) -> Double {
    guard p > 0, p < 1 else { return p <= 0 ? -.infinity : .infinity }
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
             6.680131188771972e+01, -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    var x: Double
    if p < low {
        let q = (-2 * log(p)).squareRoot()
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    } else if p <= 1 - low {
        let q = p - 0.5, r = q * q
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    } else {
        let q = (-2 * log(1 - p)).squareRoot()
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
            / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    // One Halley refinement step.
    let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
    let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
    x -= u / (1 + x * u / 2)
    return x
}
