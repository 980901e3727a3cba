import Foundation

/// A forecasting model: fitted from a regular `TimeSeries` (gaps allowed), then asked for
/// point forecasts with prediction intervals at the grid points after the last observation.
///
/// Models are value types: copy a configured model, `fit` the copy. `fit` estimates the
/// parameters, the state and the interval widths; `update` keeps parameters and interval
/// widths and only takes the state from newer data (cheap: a control loop can refit daily
/// and update every tick).
public protocol Forecaster: Sendable {
    /// A short name, unique among the default candidates (used in backtest reports).
    var name: String { get }
    /// The grid step of the data the model was fitted on, seconds (0 before fitting).
    var step: Double { get }
    /// How `fit` calibrates prediction intervals; `.none` fits point forecasts only.
    var intervals: IntervalCalibration { get set }
    /// Fits parameters, state and interval widths to `series`.
    mutating func fit(_ series: TimeSeries) throws(ForecastError)
    /// Keeps the fitted parameters; takes the state from `series` (same step, typically the
    /// same window moved forward). Throws `.notFitted` before the first fit.
    mutating func update(_ series: TimeSeries) throws(ForecastError)
    /// Forecasts the `steps` grid points after the last observation. An unfitted model
    /// returns NaN values.
    func forecast(steps: Int) -> Forecast
    /// The shortest training window the model can be fitted on, seconds (0: a few points).
    var minimumWindow: Double { get }
}

extension Forecaster {
    public var minimumWindow: Double { 0 }

    /// Forecasts every grid point up to `horizon` seconds after the last observation
    /// (`ceil(horizon / step)` points).
    public func forecast(horizon: Double) -> Forecast {
        guard step > 0 else { return forecast(steps: 1) }
        return forecast(steps: max(1, Int((horizon / step - 1e-9).rounded(.up))))
    }
}

public enum ForecastError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `update` or a state-dependent call before `fit`.
    case notFitted
    /// Too few usable (non-gap) points for the model's parameters or seasons.
    case insufficientData(required: Int, available: Int)
    /// A period or lag that is not a positive whole number of steps, or an update with another step.
    case incompatibleStep(String)
    /// The regression design is (nearly) rank deficient and the ridge fallback is disabled.
    case illConditioned(condition: Double)

    public var description: String {
        switch self {
        case .notFitted: "model not fitted"
        case .insufficientData(let r, let a): "insufficient data: \(r) points needed, \(a) usable"
        case .incompatibleStep(let s): "incompatible step: \(s)"
        case .illConditioned(let c): "ill-conditioned design (condition \(c))"
        }
    }
}

/// How prediction intervals are estimated (the same scheme for every model).
///
/// At fit time the fitted model forecasts from `origins` origins spread evenly over the
/// training series, each using only the data up to that origin (with the parameters fitted on
/// the whole window, so slightly optimistic), for up to `horizon` seconds ahead. The standard
/// error at `h` steps is the root mean square of those `h`-step errors, made non-decreasing in
/// `h`. Intervals are `point ± z * sigma(h)` with the normal quantile `z` (1.2816 for 80 %,
/// 1.9600 for 95 %). Beyond `horizon`, sigma grows as `sigma(H) * sqrt(h / H)`.
/// Coverage on real data is reported by `Backtest` (`coverage80`, `coverage95`).
public struct IntervalCalibration: Sendable, Equatable {
    public var horizon: Double
    public var origins: Int
    public init(horizon: Double = 86_400, origins: Int = 100) {
        self.horizon = horizon; self.origins = origins
    }

    /// No calibration: `fit` estimates no interval widths, and forecasts' standard errors
    /// are NaN. Point forecasts do not depend on the calibration, so a fit that is only
    /// scored on them (a backtest for model choice, `Backtest.scoresIntervals` false) skips it.
    public static let none = IntervalCalibration(origins: 0)
}

/// Per-horizon standard errors of a fitted model (see `IntervalCalibration`).
struct ErrorProfile: Sendable, Equatable {
    /// `sigma[h - 1]` for `h = 1 ... sigma.count`.
    var sigma: [Double] = []

    func sigma(_ h: Int) -> Double {
        guard let last = sigma.last else { return .nan }
        if h <= sigma.count { return sigma[max(h, 1) - 1] }
        return last * (Double(h) / Double(sigma.count)).squareRoot()
    }

    func standardErrors(_ steps: Int) -> [Double] { steps > 0 ? (1...steps).map { sigma($0) } : [] }

    /// Estimates the profile of a model on `values` (the training series). `paths(origin, steps)`
    /// returns the model's forecasts of points `origin + 1 ... origin + steps` using data up to
    /// index `origin` only; `warmUp` is the first index a forecast may start from.
    /// The origins (indices of the last observation used) and the horizon in steps that
    /// `estimate` evaluates: evenly spread over `warmUp ... n - 1 - horizon`.
    static func origins(count n: Int, step: Double, calibration: IntervalCalibration, warmUp: Int) -> (origins: [Int], horizon: Int) {
        let wanted = max(1, Int((calibration.horizon / step - 1e-9).rounded(.up)))
        let first = max(warmUp, 0)
        guard n - 1 - first >= 1, calibration.origins > 0 else { return ([], 0) }
        // Prefer origins that leave the full horizon; shorten the horizon on short series.
        let horizon = min(wanted, n - 1 - first)
        let last = max(first, n - 1 - horizon)
        let k = min(calibration.origins, last - first + 1)
        let origins = (0..<k).map { k == 1 ? last : first + Int((Double($0) * Double(last - first) / Double(k - 1)).rounded()) }
        return (origins, horizon)
    }

    /// Estimates the profile of a model on `values` (the training series). `paths(origins, steps)`
    /// returns, per origin, the model's forecasts of points `origin + 1 ... origin + steps` using
    /// data up to index `origin` only; `warmUp` is the first index a forecast may start from.
    static func estimate(values: [Double], step: Double, calibration: IntervalCalibration, warmUp: Int,
                         paths: ([Int], Int) -> [[Double]]) -> ErrorProfile {
        let n = values.count
        let (origins, horizon) = origins(count: n, step: step, calibration: calibration, warmUp: warmUp)
        guard !origins.isEmpty else { return ErrorProfile() }
        let forecasts = paths(origins, horizon)
        var sum = [Double](repeating: 0, count: horizon)
        var count = [Int](repeating: 0, count: horizon)
        for (o, path) in zip(origins, forecasts) {
            for h in 0..<min(horizon, path.count) where o + h + 1 < n {
                let e = values[o + h + 1] - path[h]
                if e.isFinite { sum[h] += e * e; count[h] += 1 }
            }
        }
        return ErrorProfile(squaredErrors: sum, counts: count)
    }
}

extension ErrorProfile {
    /// The profile from the sums of squared errors and their counts per step ahead: the
    /// root mean square error, never decreasing with the horizon, up to the first step with
    /// fewer than three errors.
    init(squaredErrors sum: [Double], counts count: [Int]) {
        var sigma: [Double] = []
        var running = 0.0
        for h in 0..<min(sum.count, count.count) {
            guard count[h] >= 3 else { break }
            running = max(running, (sum[h] / Double(count[h])).squareRoot())
            sigma.append(running)
        }
        self.init(sigma: sigma)
    }

    /// `estimate` for a model whose forecast from an origin is cheap to compute point by point
    /// (`point(origin, h)`, the forecast of `origin + 1 + h`): the same sums in the same order,
    /// without an array per origin.
    static func estimate(values: [Double], step: Double, calibration: IntervalCalibration, warmUp: Int,
                         point: (Int, Int) -> Double) -> ErrorProfile {
        let n = values.count
        let (origins, horizon) = origins(count: n, step: step, calibration: calibration, warmUp: warmUp)
        guard !origins.isEmpty else { return ErrorProfile() }
        var sum = [Double](repeating: 0, count: horizon)
        var count = [Int](repeating: 0, count: horizon)
        for o in origins {
            for h in 0..<horizon where o + h + 1 < n {
                let e = values[o + h + 1] - point(o, h)
                if e.isFinite { sum[h] += e * e; count[h] += 1 }
            }
        }
        return ErrorProfile(squaredErrors: sum, counts: count)
    }
}

/// Values with NaN replaced by the last finite value before them (leading NaNs by the first
/// finite value).
func forwardFilled(_ values: some Collection<Double>) -> [Double] {
    var out = Array(values)
    var last = out.first { $0.isFinite } ?? .nan
    for i in out.indices {
        if out[i].isFinite { last = out[i] } else { out[i] = last }
    }
    return out
}

/// A period in seconds as a whole number of steps, or nil.
func wholeSteps(_ seconds: Double, step: Double) -> Int? {
    let k = seconds / step
    let r = k.rounded()
    guard r >= 1, abs(k - r) < 1e-6 else { return nil }
    return Int(r)
}
