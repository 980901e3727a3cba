/// Additive Holt-Winters exponential smoothing with one or two seasonal periods (Taylor's
/// double-seasonal form for daily + weekly):
///
/// ```
/// level  l_t  = alpha (y_t - s1 - s2) + (1 - alpha)(l_{t-1} + b_{t-1})
/// trend  b_t  = beta (l_t - l_{t-1}) + (1 - beta) b_{t-1}          (b = 0 without trend)
/// season s1_t = gamma1 (y_t - l_t - s2) + (1 - gamma1) s1_{t-m1}
/// season s2_t = gamma2 (y_t - l_t - s1) + (1 - gamma2) s2_{t-m2}   (second period only)
/// forecast y_{t+h} = l_t + h b_t + s1_{t+h-m1} + s2_{t+h-m2}   (latest value of each phase)
///                   + phi^h e_t                                   (AR(1) adjustment)
/// ```
///
/// `e_t = y_t - (l_{t-1} + b_{t-1} + s1 + s2)` is the last one-step error of the smoothing part;
/// the adjustment (Taylor 2003; `errorCorrection`, on by default) lets the fit explain the
/// short-term persistence of the errors with `phi` instead of pushing alpha to 1.
///
/// Initial states come from a classical decomposition of the whole training series: a centred
/// moving average over the longest period gives the level (its value at the first complete
/// window, taken back to the start along the trend) and the trend (its average slope); the
/// first seasonal component is the average deviation from that moving average per phase of the
/// first period, the second the average of what remains per phase of the second period; both
/// centred to mean 0. (Fitted gammas on carbon-intensity data are near 0, so the seasonal states
/// barely move after initialisation: a profile from one or two cycles, or one with a jump where
/// the cycles wrap, would stay in every forecast.)
///
/// Parameters `(alpha, beta, gamma1[, gamma2], phi)` (beta and phi only when enabled), each in
/// `[0, 1]`, minimise the sum of squared one-step in-sample errors: a coarse grid (alpha in
/// {0.1, 0.5, 0.9}, beta in {0.01, 0.1}, gammas in {0.05, 0.3}, phi in {0.5, 0.9}) picks the
/// start of a bounded Nelder-Mead search (at most `maxEvaluations` runs of the filter, O(n)
/// each, grid included). A gap (NaN) is replaced by its one-step
/// forecast: states carry forward without learning and the error is not counted.
public struct HoltWintersModel: Forecaster {
    public struct Parameters: Sendable, Equatable {
        public var alpha: Double
        public var beta: Double
        /// One smoothing parameter per seasonal period.
        public var gamma: [Double]
        /// AR(1) coefficient of the one-step errors (0 without the adjustment).
        public var phi: Double
        public init(alpha: Double, beta: Double, gamma: [Double], phi: Double = 0) {
            self.alpha = alpha; self.beta = beta; self.gamma = gamma; self.phi = phi
        }
    }

    /// Seasonal periods in seconds, one or two, e.g. `[86_400]` or `[86_400, 604_800]`.
    public var periods: [Double]
    public var trend: Bool
    /// Adds Taylor's AR(1) adjustment: forecasts add `phi^h e_t`, `e_t` the last one-step error
    /// of the smoothing part, and `phi` is fitted with the other parameters.
    public var errorCorrection: Bool
    /// When set, `fit` uses these parameters instead of optimising them.
    public var fixedParameters: Parameters?
    public var maxEvaluations: Int
    public var intervals: IntervalCalibration

    /// The fitted parameters.
    public private(set) var parameters: Parameters?
    public private(set) var step: Double = 0
    /// Root mean square of the one-step in-sample errors at the fitted parameters.
    public private(set) var oneStepRMSE = Double.nan
    private var state = State(level: .nan, slope: 0, s1: [], s2: [])
    /// Index (from the start of the last series) of the first point to forecast.
    private var next = 0
    private var origin = 0.0
    private var profile = ErrorProfile()

    public init(periods: [Double] = [86_400], trend: Bool = true, errorCorrection: Bool = true,
                fixedParameters: Parameters? = nil, maxEvaluations: Int = 300,
                intervals: IntervalCalibration = IntervalCalibration()) {
        precondition((1...2).contains(periods.count), "Holt-Winters takes one or two seasonal periods")
        self.periods = periods; self.trend = trend; self.errorCorrection = errorCorrection
        self.fixedParameters = fixedParameters
        self.maxEvaluations = maxEvaluations; self.intervals = intervals
    }

    /// Two cycles of the longest period (the decomposition that starts the states needs them).
    public var minimumWindow: Double { 2 * (periods.max() ?? 0) }

    public var name: String {
        "holt-winters(" + periods.map(durationLabel).joined(separator: "+") + (trend ? "" : ", no trend")
            + (errorCorrection ? "" : ", no AR") + ")"
    }

    struct State: Sendable, Equatable {
        var level: Double
        var slope: Double
        var s1: [Double]
        var s2: [Double]
        /// The last one-step error of the smoothing part (for the AR(1) adjustment).
        var error = 0.0
    }

    private func seasonSteps(_ step: Double) throws(ForecastError) -> (Int, Int) {
        var m: [Int] = []
        for p in periods {
            guard let k = wholeSteps(p, step: step), k >= 2 else {
                throw .incompatibleStep("period \(p) s is not a whole number (>= 2) of \(step) s steps")
            }
            m.append(k)
        }
        return (m[0], m.count > 1 ? m[1] : 0)
    }

    public mutating func fit(_ series: TimeSeries) throws(ForecastError) {
        let (m1, m2) = try seasonSteps(series.step)
        let longest = max(m1, m2)
        let y = series.values
        let finite = y.reduce(0) { $0 + ($1.isFinite ? 1 : 0) }
        guard y.count >= 2 * longest, finite >= longest else {
            throw .insufficientData(required: 2 * longest, available: min(y.count, finite))
        }
        let initial = Self.initialState(y, m1: m1, m2: m2, trend: trend)
        let params: Parameters
        if let fixed = fixedParameters {
            params = fixed
        } else {
            let double = m2 > 0
            let trend = self.trend, ar = errorCorrection
            func unpack(_ x: [Double]) -> Parameters {
                var i = 0
                func take() -> Double { defer { i += 1 }; return x[i] }
                let a = take()
                let b = trend ? take() : 0
                let g = double ? [take(), take()] : [take()]
                return Parameters(alpha: a, beta: b, gamma: g, phi: ar ? take() : 0)
            }
            let objective: ([Double]) -> Double = { x in
                var s = initial
                return Self.run(y, unpack(x), state: &s).sse
            }
            var grid: [[Double]] = [[0.1], [0.5], [0.9]]
            if trend { grid = grid.flatMap { g in [0.01, 0.1].map { g + [$0] } } }
            for _ in 0..<(double ? 2 : 1) { grid = grid.flatMap { g in [0.05, 0.3].map { g + [$0] } } }
            if ar { grid = grid.flatMap { g in [0.5, 0.9].map { g + [$0] } } }
            var best = grid[0], bestValue = Double.infinity
            for g in grid {
                let v = objective(g)
                if v < bestValue { best = g; bestValue = v }
            }
            let result = NelderMead.minimize(objective, start: best, initialStep: 0.1,
                                             maxEvaluations: max(maxEvaluations - grid.count, 10))
            params = unpack(result.value <= bestValue ? result.x : best)
        }
        parameters = params
        step = series.step
        // Final pass, recording the states at the calibration origins.
        let calibrationOrigins = ErrorProfile.origins(count: y.count, step: series.step, calibration: intervals,
                                                      warmUp: longest - 1).origins
        var s = initial
        var snapshots: [State] = []
        let run = Self.run(y, params, state: &s, snapshotAt: calibrationOrigins, snapshots: &snapshots)
        oneStepRMSE = run.count > 0 ? (run.sse / Double(run.count)).squareRoot() : .nan
        state = s
        next = y.count
        origin = series.end
        let byOrigin = Dictionary(uniqueKeysWithValues: zip(calibrationOrigins, snapshots))
        profile = ErrorProfile.estimate(values: y, step: series.step, calibration: intervals, warmUp: longest - 1) { origins, steps in
            origins.map { o in byOrigin[o].map { Self.path(from: $0, next: o + 1, steps: steps, phi: params.phi) } ?? [] }
        }
    }

    public mutating func update(_ series: TimeSeries) throws(ForecastError) {
        guard let params = parameters, step > 0 else { throw .notFitted }
        guard series.step == step else { throw .incompatibleStep("fitted with \(step) s, updated with \(series.step) s") }
        let (m1, m2) = try seasonSteps(step)
        guard series.count >= max(m1, m2) else { throw .insufficientData(required: max(m1, m2), available: series.count) }
        var s = Self.initialState(series.values, m1: m1, m2: m2, trend: trend)
        _ = Self.run(series.values, params, state: &s)
        state = s
        next = series.count
        origin = series.end
    }

    public func forecast(steps: Int) -> Forecast {
        let values = parameters == nil ? [Double](repeating: .nan, count: steps) : Self.path(from: state, next: next, steps: steps, phi: parameters!.phi)
        return Forecast(model: name, origin: origin, step: step, values: values, standardErrors: profile.standardErrors(steps))
    }

    static func path(from s: State, next: Int, steps: Int, phi: Double) -> [Double] {
        var out = [Double](repeating: 0, count: steps)
        let m1 = s.s1.count, m2 = s.s2.count
        var correction = s.error
        for h in 0..<steps {
            correction *= phi
            var v = s.level + Double(h + 1) * s.slope + s.s1[(next + h) % m1] + correction
            if m2 > 0 { v += s.s2[(next + h) % m2] }
            out[h] = v
        }
        return out
    }

    static func initialState(_ y: [Double], m1: Int, m2: Int, trend: Bool) -> State {
        let n = y.count
        let longest = max(m1, m2)
        // Level: centred moving average over the longest period (2 x m for even m), NaN where
        // the window is incomplete or mostly gaps.
        let ma = centredMovingAverage(y, period: longest)
        let valid = ma.indices.filter { ma[$0].isFinite }
        var slope = 0.0, level = y.first { $0.isFinite } ?? 0
        if let first = valid.first, let last = valid.last {
            if trend && last > first { slope = (ma[last] - ma[first]) / Double(last - first) }
            // The level line, taken back to the state before index 0.
            level = ma[first] - slope * Double(first + 1)
        }
        // Seasonal profiles: average deviation from the moving average per phase.
        func profile(_ m: Int, _ deviation: (Int) -> Double) -> [Double] {
            var sum = [Double](repeating: 0, count: m), count = [Int](repeating: 0, count: m)
            for t in 0..<n {
                let d = deviation(t)
                if d.isFinite { sum[t % m] += d; count[t % m] += 1 }
            }
            var out = (0..<m).map { count[$0] > 0 ? sum[$0] / Double(count[$0]) : 0 }
            let mean = out.reduce(0, +) / Double(m)
            for j in 0..<m { out[j] -= mean }
            return out
        }
        let s1 = profile(m1) { y[$0] - ma[$0] }
        let s2 = m2 > 0 ? profile(m2) { y[$0] - ma[$0] - s1[$0 % m1] } : []
        return State(level: level, slope: slope, s1: s1, s2: s2)
    }

    /// Centred moving average of `period` points (a 2 x period average for even periods),
    /// ignoring gaps; NaN where the window leaves the series or holds under half the points.
    static func centredMovingAverage(_ y: [Double], period m: Int) -> [Double] {
        let n = y.count
        var out = [Double](repeating: .nan, count: n)
        let half = m / 2
        guard n > 2 * half else { return out }
        // Prefix sums of values and of finite counts.
        var sum = [Double](repeating: 0, count: n + 1), count = [Int](repeating: 0, count: n + 1)
        for i in 0..<n {
            let v = y[i]
            sum[i + 1] = sum[i] + (v.isFinite ? v : 0)
            count[i + 1] = count[i] + (v.isFinite ? 1 : 0)
        }
        for t in half..<(n - half) {
            var total: Double, k: Double
            if m % 2 == 1 {
                total = sum[t + half + 1] - sum[t - half]
                k = Double(count[t + half + 1] - count[t - half])
            } else {
                // Weights 1/2 at both ends, 1 inside.
                total = sum[t + half] - sum[t - half + 1]
                k = Double(count[t + half] - count[t - half + 1])
                for e in [t - half, t + half] where y[e].isFinite { total += y[e] / 2; k += 0.5 }
            }
            if k >= Double(m) / 2 { out[t] = total / k }
        }
        return out
    }

    /// Runs the recursions over `y` from `state`, returning the one-step squared error sum;
    /// records the state after each index in `snapshotAt` (sorted).
    @discardableResult
    static func run(_ y: [Double], alpha: Double, beta: Double, gamma1: Double, gamma2: Double, phi: Double,
                    state: inout State, snapshotAt: [Int] = [], snapshots: inout [State]) -> (sse: Double, count: Int) {
        let m1 = state.s1.count, m2 = state.s2.count
        var l = state.level, b = state.slope, previousError = state.error
        var sse = 0.0, count = 0
        var nextSnapshot = 0
        var i1 = 0, i2 = 0
        let n = y.count
        var s1Values = state.s1, s2Values = state.s2
        y.withUnsafeBufferPointer { y in
            s1Values.withUnsafeMutableBufferPointer { s1 in
                s2Values.withUnsafeMutableBufferPointer { s2 in
                    for t in 0..<n {
                        let a = s1[i1]
                        let c = m2 > 0 ? s2[i2] : 0
                        let smooth = l + b + a + c
                        let forecast = smooth + phi * previousError
                        var v = y[t]
                        if v.isFinite {
                            let e = v - forecast
                            sse += e * e
                            count += 1
                        } else {
                            v = forecast
                        }
                        previousError = v - smooth
                        let level = alpha * (v - a - c) + (1 - alpha) * (l + b)
                        b = beta * (level - l) + (1 - beta) * b
                        s1[i1] = gamma1 * (v - level - c) + (1 - gamma1) * a
                        if m2 > 0 { s2[i2] = gamma2 * (v - level - a) + (1 - gamma2) * c }
                        l = level
                        i1 += 1; if i1 == m1 { i1 = 0 }
                        if m2 > 0 { i2 += 1; if i2 == m2 { i2 = 0 } }
                        if nextSnapshot < snapshotAt.count && snapshotAt[nextSnapshot] == t {
                            snapshots.append(State(level: l, slope: b, s1: Array(s1), s2: Array(s2), error: previousError))
                            nextSnapshot += 1
                        }
                    }
                }
            }
        }
        state.s1 = s1Values
        state.s2 = s2Values
        state.level = l
        state.slope = b
        state.error = previousError
        return (sse, count)
    }

    static func run(_ y: [Double], _ p: Parameters, state: inout State) -> (sse: Double, count: Int) {
        var none: [State] = []
        return run(y, p, state: &state, snapshotAt: [], snapshots: &none)
    }

    static func run(_ y: [Double], _ p: Parameters, state: inout State, snapshotAt: [Int],
                    snapshots: inout [State]) -> (sse: Double, count: Int) {
        run(y, alpha: p.alpha, beta: p.beta, gamma1: p.gamma[0], gamma2: p.gamma.count > 1 ? p.gamma[1] : 0, phi: p.phi,
            state: &state, snapshotAt: snapshotAt, snapshots: &snapshots)
    }
}
