import Foundation

/// Where a shift plan's carbon forecast comes from. A source wraps the real series (the
/// truth the plan is judged on) and answers, for a time on the series' grid, the forecast of
/// the next `steps` steps as it could be known then. The forecast may be shorter than asked
/// where the series ends.
public protocol CarbonForecastSource {
    var name: String { get }
    mutating func forecast(from start: Double, steps: Int) throws(ForecastError) -> ShiftForecast
}

extension TimeSeries {
    /// The grid index of `time`, which must lie on the grid (within 1 ms).
    func gridIndex(_ time: Double) throws(ForecastError) -> Int {
        let x = (time - start) / step
        guard x.isFinite, abs(x - x.rounded()) * step < 1e-3 else {
            throw .incompatibleStep("time \(time) is not on the series' \(step) s grid")
        }
        return Int(x.rounded())
    }

    /// The indices `first ..< first + steps`, clipped to the series.
    func clippedRange(_ first: Int, _ steps: Int) throws(ForecastError) -> Range<Int> {
        guard first >= 0, first < count else { throw .insufficientData(required: first + 1, available: count) }
        return first..<min(count, first + max(0, steps))
    }
}

/// The perfect forecast: the real values, no uncertainty (the upper bound of what shifting
/// can save).
public struct OracleForecastSource: CarbonForecastSource {
    public var series: TimeSeries
    public init(series: TimeSeries) { self.series = series }
    public var name: String { "oracle" }

    public mutating func forecast(from start: Double, steps: Int) throws(ForecastError) -> ShiftForecast {
        let r = try series.clippedRange(try series.gridIndex(start), steps)
        return ShiftForecast(start: start, step: series.step, values: Array(series.values[r]),
                             sigmas: [Double](repeating: 0, count: r.count))
    }
}

/// The real values plus Gaussian noise: Let's Wait Awhile's forecast-error model (Wiesner et
/// al., Middleware 2021; `_apply_error` in simulate.py of dos-group/lets-wait-awhile). One
/// noisy copy of the whole series is drawn per run, each step independently
/// N(0, `sigma`), with `sigma` = error × the series' mean (5 % in the paper); every job of the
/// run plans on that same copy. The forecast's sigmas are `sigma` (the error model is known).
public struct NoisyOracleForecastSource: CarbonForecastSource {
    public var series: TimeSeries
    public var sigma: Double
    public private(set) var noisy: [Double]

    public init(series: TimeSeries, sigma: Double, using rng: inout some RandomNumberGenerator) {
        self.series = series
        self.sigma = sigma
        noisy = series.values.map { $0 + sigma * Self.standardNormal(&rng) }
    }

    /// `error` × the mean of `reference` (LWA: the mean over the simulated period).
    public static func sigma(relativeError error: Double, of reference: TimeSeries) -> Double {
        error * SeriesStatistics(reference.values).mean
    }

    public var name: String { "noisy" }

    public mutating func forecast(from start: Double, steps: Int) throws(ForecastError) -> ShiftForecast {
        let r = try series.clippedRange(try series.gridIndex(start), steps)
        return ShiftForecast(start: start, step: series.step, values: Array(noisy[r]),
                             sigmas: [Double](repeating: sigma, count: r.count))
    }

    /// Box-Muller (one of the pair), from 53-bit uniforms.
    static func standardNormal(_ rng: inout some RandomNumberGenerator) -> Double {
        let u1 = 1 - Double(rng.next() >> 11) * 0x1.0p-53
        let u2 = Double(rng.next() >> 11) * 0x1.0p-53
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// A forecast from a fixed Watt forecasting model (`Forecaster`, e.g. 24-hour persistence) or
/// one chosen by `ModelSelector`, fitted only on the `trainingWindow` before each forecast's
/// start. A selected model is chosen again every `reselectEvery` seconds and refitted every
/// `refitEvery` (a fixed one refitted), on schedules aligned to the series' start so that they
/// do not depend on which jobs ask; in between the model is only `update`d with the newest
/// window. A forecast made at `start` knows the steps before `start`: the step that begins at
/// `start` is not over yet. (Watt's own forecaster, as the control loop runs it, is
/// `LoopForecastSource`.)
public struct ModelForecastSource: CarbonForecastSource {
    public enum Choice: Sendable {
        case fixed(any Forecaster)
        case selected(ModelSelector)
    }

    public var series: TimeSeries
    public var choice: Choice
    public var trainingWindow: Double
    public var refitEvery: Double
    public var reselectEvery: Double
    public let name: String
    private var model: (any Forecaster)?
    private var fittedPeriod = Int.min
    private var selectedPeriod = Int.min
    /// Names of the models chosen, with how many periods each was chosen for.
    public private(set) var chosen: [String: Int] = [:]

    public init(name: String, series: TimeSeries, choice: Choice, trainingWindow: Double = 28 * 86_400,
                refitEvery: Double = 86_400, reselectEvery: Double = 28 * 86_400) {
        precondition(trainingWindow > 0 && refitEvery > 0 && reselectEvery > 0)
        self.name = name; self.series = series; self.choice = choice
        self.trainingWindow = trainingWindow; self.refitEvery = refitEvery; self.reselectEvery = reselectEvery
    }

    /// 24-hour persistence: each step of the last observed day repeats (Watt's seasonal naive
    /// model with a one-day period), the naive bound.
    public static func persistence(series: TimeSeries, trainingWindow: Double = 28 * 86_400) -> ModelForecastSource {
        ModelForecastSource(name: "persistence", series: series, choice: .fixed(SeasonalNaiveModel(period: 86_400)),
                            trainingWindow: trainingWindow)
    }

    public mutating func forecast(from start: Double, steps: Int) throws(ForecastError) -> ShiftForecast {
        let first = try series.gridIndex(start)
        guard first >= 2, first <= series.count else { throw .insufficientData(required: 2, available: max(0, first)) }
        let w = min(first, max(1, Int((trainingWindow / series.step + 1e-9).rounded(.down))))
        let window = series[(first - w)..<first]
        let period = Int(((start - series.start) / refitEvery).rounded(.down))
        let selection = Int(((start - series.start) / reselectEvery).rounded(.down))
        if case .selected(let selector) = choice, model == nil || selection != selectedPeriod {
            // The selector backtests models on up to two training windows of history before
            // `start` (less early in a series) and fits the winner on the last one.
            let history = min(first, 2 * w)
            var s = selector
            s.backtest.trainingWindow = Double(min(w, history / 2)) * series.step
            model = try s.select(series[(first - history)..<first]).model
            try model!.update(window)
            selectedPeriod = selection
            fittedPeriod = period
            chosen[model!.name, default: 0] += 1
        } else if model == nil || period != fittedPeriod {
            var m: any Forecaster
            if case .fixed(let prototype) = choice { m = prototype } else { m = model! }
            try m.fit(window)
            model = m
            fittedPeriod = period
        } else {
            try model!.update(window)
        }
        let f = model!.forecast(steps: max(1, steps))
        return ShiftForecast(f)
    }
}
