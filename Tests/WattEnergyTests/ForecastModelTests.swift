import Foundation
import Testing
@testable import WattEnergy

/// A series on a `step` grid from `start` with `value(t)` (t in seconds since the epoch).
func makeSeries(start: Double = 1_600_000_000, step: Double, count: Int, _ value: (Double) -> Double) -> TimeSeries {
    TimeSeries(start: start, step: step, values: (0..<count).map { value(start + Double($0) * step) })
}

func close(_ a: [Double], _ b: [Double], _ tolerance: Double) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

@Suite struct LeastSquaresTests {
    @Test func recoversExactCoefficients() throws {
        // y = 3 - 2 x1 + 0.5 x2 with x1, x2 on very different scales.
        let n = 50
        let x1 = (0..<n).map { Double($0) * 1e4 }
        let x2 = (0..<n).map { sin(Double($0)) * 1e-3 }
        let y = (0..<n).map { 3 - 2 * x1[$0] + 0.5 * x2[$0] }
        let s = try LeastSquares.solve(columns: [[Double](repeating: 1, count: n), x1, x2], y: y)
        #expect(abs(s.coefficients[0] - 3) < 1e-6)
        #expect(abs(s.coefficients[1] + 2) < 1e-12)
        #expect(abs(s.coefficients[2] - 0.5) < 1e-6)
        #expect(s.ridge == 0 && s.condition < 100)
        #expect(s.residualSumOfSquares < 1e-12)
    }

    @Test func rankDeficientDesignFallsBackToRidgeOrThrows() throws {
        // Column 3 = column 1 + column 2: exactly dependent.
        let n = 40
        let a = (0..<n).map { Double($0) }
        let b = (0..<n).map { Double($0 * $0 % 7) }
        let c = zip(a, b).map(+)
        let y = (0..<n).map { 1 + 2 * a[$0] + 3 * b[$0] }
        #expect(throws: ForecastError.self) {
            try LeastSquares.solve(columns: [[Double](repeating: 1, count: n), a, b, c], y: y, onIllConditioned: .error)
        }
        let s = try LeastSquares.solve(columns: [[Double](repeating: 1, count: n), a, b, c], y: y)
        #expect(s.condition.isInfinite || s.condition > 1e10)
        #expect(s.ridge > 0)
        #expect(s.coefficients.allSatisfy { $0.isFinite })
        // The fit is still (nearly) exact: the weight is split between the collinear columns.
        #expect(s.residualSumOfSquares / Double(n) < 1e-6)
        #expect(abs((s.coefficients[1] + s.coefficients[3]) - 2) < 1e-3)
        #expect(abs((s.coefficients[2] + s.coefficients[3]) - 3) < 1e-3)
    }

    @Test func nearlyCollinearDesignIsDetected() throws {
        let n = 30
        let a = (0..<n).map { Double($0) }
        let b = a.map { $0 * (1 + 1e-13) + 1e-12 }
        #expect(throws: ForecastError.self) {
            try LeastSquares.solve(columns: [a, b], y: a, onIllConditioned: .error)
        }
    }
}

@Suite struct LinearRegressionTests {
    @Test func recoversSeasonalAutoregressiveCoefficients() throws {
        // y_t = 5 + 2 sin(2 pi t / day) + cos(2 pi t / day) + 0.6 y_{t-1}, exactly.
        let step = 3600.0, start = 1_600_000_000.0
        var values: [Double] = [10]
        for i in 1..<(24 * 20) {
            let t = start + Double(i) * step
            let w = 2 * Double.pi * t.truncatingRemainder(dividingBy: 86_400) / 86_400
            values.append(5 + 2 * sin(w) + cos(w) + 0.6 * values[i - 1])
        }
        let series = TimeSeries(start: start, step: step, values: values)
        var model = LinearRegressionModel(fourier: [.init(period: 86_400, harmonics: 1)], recentLags: 1, seasonalLags: [])
        try model.fit(series)
        #expect(model.featureNames == ["intercept", "sin(1d,1)", "cos(1d,1)", "lag(1)"])
        #expect(close(model.coefficients, [5, 2, 1, 0.6], 1e-8))
        #expect(model.ridgeUsed == 0)
        // Forecasts continue the recursion exactly.
        var expected: [Double] = []
        var last = values.last!
        for h in 1...48 {
            let t = series.end + Double(h) * step
            let w = 2 * Double.pi * t.truncatingRemainder(dividingBy: 86_400) / 86_400
            last = 5 + 2 * sin(w) + cos(w) + 0.6 * last
            expected.append(last)
        }
        let f = model.forecast(horizon: 48 * 3600)
        #expect(f.count == 48 && f.origin == series.end)
        #expect(close(f.values, expected, 1e-7))
        #expect(f.standardErrors.allSatisfy { $0 < 1e-6 })
    }

    @Test func trendAndExogenousFeatures() throws {
        // y = 100 + 0.5 * (days since start) + 3 * temperature, temperature known a day ahead.
        let step = 1800.0, start = 1_600_000_000.0
        let temperature = makeSeries(start: start, step: step, count: 48 * 15) { 20 + 5 * sin($0 / 7_000) }
        let history = makeSeries(start: start, step: step, count: 48 * 14) { t in
            100 + 0.5 * (t - start) / 86_400 + 3 * temperature.value(at: t)!
        }
        var model = LinearRegressionModel(trend: true, fourier: [], recentLags: 0, seasonalLags: [], exogenous: [temperature])
        try model.fit(history)
        let f = model.forecast(horizon: 86_400)
        let expected = f.times.map { 100 + 0.5 * ($0 - start) / 86_400 + 3 * temperature.value(at: $0)! }
        #expect(close(f.values, expected, 1e-6))
        #expect(model.name == "linear-regression(trend, +1 exog)")
    }

    @Test func collinearExogenousSeriesIsHandled() throws {
        // An exogenous series equal to a constant duplicates the intercept.
        let step = 3600.0
        let series = makeSeries(step: step, count: 24 * 10) { 50 + 10 * sin(2 * .pi * $0 / 86_400) }
        let constant = makeSeries(step: step, count: 24 * 12) { _ in 1 }
        let daily = [LinearRegressionModel.Fourier(period: 86_400, harmonics: 1)]
        var strict = LinearRegressionModel(fourier: daily, recentLags: 0, seasonalLags: [], exogenous: [constant],
                                           conditioning: .error)
        #expect(throws: ForecastError.self) { try strict.fit(series) }
        var model = LinearRegressionModel(fourier: daily, recentLags: 0, seasonalLags: [], exogenous: [constant])
        try model.fit(series)
        #expect(model.ridgeUsed > 0 && !(model.condition <= 1e10))
        let f = model.forecast(horizon: 86_400)
        let expected = f.times.map { 50 + 10 * sin(2 * .pi * $0 / 86_400) }
        #expect(close(f.values, expected, 1e-3))
    }

    /// y_t = 40 + 8 cos(2 pi t / day) + 0.5 y_{t-1} on an hourly grid.
    static func autoregressive(days: Int) -> TimeSeries {
        let start = 1_600_000_000.0
        var values: [Double] = [80]
        for i in 1..<(24 * days) {
            let t = start + Double(i) * 3600
            values.append(40 + 8 * cos(2 * .pi * t / 86_400) + 0.5 * values[i - 1])
        }
        return TimeSeries(start: start, step: 3600, values: values)
    }

    @Test func gapsAreSkippedAndUpdateMovesTheOrigin() throws {
        let full = Self.autoregressive(days: 15)
        var series = full[0..<(24 * 14)]
        for i in stride(from: 5, to: series.count - 1, by: 17) { series.values[i] = .nan }
        var model = LinearRegressionModel(fourier: [.init(period: 86_400, harmonics: 1)], recentLags: 1, seasonalLags: [])
        try model.fit(series)
        #expect(close(model.coefficients, [40, 0, 8, 0.5], 1e-8))
        // Updating with a later window keeps the coefficients and moves the origin.
        let later = full[24..<(24 * 15 - 12)]
        let coefficients = model.coefficients
        try model.update(later)
        #expect(model.coefficients == coefficients)
        let g = model.forecast(steps: 12)
        #expect(g.origin == later.end)
        #expect(close(g.values, Array(full.values.suffix(12)), 1e-8))
        #expect(throws: ForecastError.self) { try model.update(TimeSeries(start: 0, step: 60, values: [1, 2, 3])) }
    }

    @Test func tooLittleDataThrows() {
        var model = LinearRegressionModel()
        #expect(throws: ForecastError.self) { try model.fit(makeSeries(step: 3600, count: 30) { $0 }) }
        var unfitted = LinearRegressionModel()
        #expect(throws: ForecastError.notFitted) { try unfitted.update(makeSeries(step: 3600, count: 30) { $0 }) }
        #expect(unfitted.forecast(steps: 3).values.allSatisfy { $0.isNaN })
    }
}

@Suite struct HoltWintersTests {
    static func daily(_ t: Double) -> Double { 30 * sin(2 * .pi * t / 86_400) + 10 * cos(4 * .pi * t / 86_400) }
    static func weekly(_ t: Double) -> Double { 15 * sin(2 * .pi * t / 604_800) }

    @Test func pureDailySeasonIsForecastExactly() throws {
        let series = makeSeries(step: 3600, count: 24 * 21) { 200 + Self.daily($0) }
        var model = HoltWintersModel(periods: [86_400])
        try model.fit(series)
        let f = model.forecast(horizon: 3 * 86_400)
        let expected = f.times.map { 200 + Self.daily($0) }
        #expect(f.count == 72)
        #expect(close(f.values, expected, 1e-6))
        #expect(model.oneStepRMSE < 1e-6)
        let p = try #require(model.parameters)
        #expect(([p.alpha, p.beta, p.phi] + p.gamma).allSatisfy { (0...1).contains($0) })
    }

    @Test func dailyPlusWeeklySeasonIsForecastNearlyExactly() throws {
        let series = makeSeries(step: 3600, count: 24 * 35) { 200 + Self.daily($0) + Self.weekly($0) }
        var model = HoltWintersModel(periods: [86_400, 604_800])
        try model.fit(series)
        #expect(model.name == "holt-winters(1d+7d)")
        let f = model.forecast(horizon: 7 * 86_400)
        let expected = f.times.map { 200 + Self.daily($0) + Self.weekly($0) }
        #expect(close(f.values, expected, 1e-3))
    }

    @Test func fixedParametersAndGaps() throws {
        var series = makeSeries(step: 3600, count: 24 * 14) { 100 + Self.daily($0) }
        for i in [30, 31, 32, 200] { series.values[i] = .nan }
        // A slow level and a fast season, so the seasonal states learn the shape quickly.
        let fixed = HoltWintersModel.Parameters(alpha: 0.1, beta: 0.1, gamma: [0.5])
        var model = HoltWintersModel(periods: [86_400], errorCorrection: false, fixedParameters: fixed)
        try model.fit(series)
        #expect(model.parameters == fixed)
        // The gaps disturb the initial decomposition (by about 0.4); the smoothing forgets it.
        let f = model.forecast(steps: 24)
        #expect(close(f.values, f.times.map { 100 + Self.daily($0) }, 1e-3))
    }

    @Test func rejectsPeriodsOffTheGridAndShortSeries() {
        var model = HoltWintersModel(periods: [86_400])
        #expect(throws: ForecastError.self) { try model.fit(makeSeries(step: 7 * 3600, count: 100) { $0 }) }
        #expect(throws: ForecastError.self) { try model.fit(makeSeries(step: 3600, count: 30) { $0 }) }
    }
}

@Suite struct BaselineTests {
    @Test func persistenceRepeatsTheLastFiniteValue() throws {
        var model = PersistenceModel()
        try model.fit(TimeSeries(start: 0, step: 60, values: [1, 2, 3, 7, .nan]))
        let f = model.forecast(horizon: 300)
        #expect(f.values == [7, 7, 7, 7, 7])
        #expect(f.origin == 240 && f.times == [300, 360, 420, 480, 540])
        try model.update(TimeSeries(start: 600, step: 60, values: [4, 5]))
        #expect(model.forecast(steps: 2).values == [5, 5])
    }

    @Test func seasonalNaiveRepeatsTheLastSeason() throws {
        var model = SeasonalNaiveModel(period: 240)
        #expect(model.name == "seasonal-naive(4min)")
        // Season of 4 steps; the gap at index 9 takes the value one season earlier (index 5).
        try model.fit(TimeSeries(start: 0, step: 60, values: [1, 2, 3, 4, 5, 6, 7, 8, 9, .nan, 11, 12]))
        #expect(model.forecast(steps: 6).values == [9, 6, 11, 12, 9, 6])
        var offGrid = SeasonalNaiveModel(period: 90)
        #expect(throws: ForecastError.self) { try offGrid.fit(TimeSeries(start: 0, step: 60, values: [1, 2, 3])) }
    }

    @Test func seasonalNaiveIsPerfectOnAPeriodicSeries() throws {
        let series = makeSeries(step: 900, count: 96 * 40) { 10 + sin(2 * .pi * $0 / 86_400) }
        let report = Backtest(trainingWindow: 7 * 86_400, horizons: [900, 86_400], origins: 10)
            .run([SeasonalNaiveModel(period: 86_400), PersistenceModel()], on: series)
        #expect(report.originTimes.count == 10)
        #expect(report.scores[0].allSatisfy { $0.mae < 1e-9 && $0.count == 10 })
        #expect(report.scores[1][0].mae > 0)
        // At exactly one period ahead persistence and seasonal naive coincide.
        #expect(report.scores[1][1].mae < 1e-9)
        #expect(report.best(horizon: 900) == "seasonal-naive(1d)")
        #expect(report.markdown().contains("| seasonal-naive(1d) | 0.00 / 0.00 | 0.00 / 0.00 |"))
    }
}

@Suite struct ForecastWindowTests {
    static let forecast = Forecast(model: "test", origin: 1000, step: 100,
                                   values: [5, 3, 4, 1, 1, 8, 2], standardErrors: [1, 1, 2, 2, 3, 3, 4])

    @Test func windowQueries() {
        let f = Self.forecast
        #expect(f.times == [1100, 1200, 1300, 1400, 1500, 1600, 1700])
        #expect(f.min(over: f.next(700)) == 1)
        #expect(f.argmin(over: f.next(700)) == 1400)      // the earliest of the two minima
        #expect(f.argmax(over: f.next(700)) == 1600)
        #expect(f.max(over: 1100...1300) == 5)
        #expect(f.mean(over: 1150...1350) == 3.5)
        #expect(f.argmin(over: f.next(300)) == 1200)
        #expect(f.indices(in: 1100...1100) == 0..<1)
        #expect(f.mean(over: 0...1099) == nil)
        #expect(f.min(over: 5000...6000) == nil)
    }

    @Test func interpolationAndIntervals() {
        let f = Self.forecast
        #expect(f.value(at: 1150) == 4)
        #expect(f.value(at: 1050) == 5)
        #expect(f.value(at: 1700) == 2)
        #expect(f.value(at: 1701) == nil)
        #expect(abs(Forecast.z(0.8) - 1.2815515655) < 1e-8)
        #expect(abs(Forecast.z(0.95) - 1.9599639845) < 1e-8)
        let i = f.interval(2, level: 0.95)
        #expect(abs(i.lowerBound - (4 - 2 * 1.959963984540054)) < 1e-9 && abs(i.upperBound - (4 + 2 * 1.959963984540054)) < 1e-9)
        #expect(f.lower(level: 0.8)[0] < 5 && f.upper(level: 0.8)[0] > 5)
        #expect(f.upper(level: 0.95)[0] > f.upper(level: 0.8)[0])
    }

    @Test func intervalsWidenWithTheHorizonOnARandomWalk() throws {
        var seed: UInt64 = 1
        var level = 0.0
        let values = (0..<2000).map { _ -> Double in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            level += Double(seed >> 11) / Double(1 << 53) - 0.5
            return level
        }
        var model = PersistenceModel(intervals: IntervalCalibration(horizon: 50 * 60, origins: 200))
        try model.fit(TimeSeries(start: 0, step: 60, values: values))
        let se = model.forecast(steps: 100).standardErrors
        #expect(zip(se, se.dropFirst()).allSatisfy { $0 <= $1 })
        // Random walk with uniform(-0.5, 0.5) steps: sigma(h) ~ sqrt(h / 12).
        #expect(abs(se[0] - (1.0 / 12).squareRoot()) < 0.1)
        #expect(abs(se[24] / se[0] - 5) < 2)
        // Beyond the calibrated 50 steps sigma grows as sqrt(h).
        #expect(abs(se[99] - se[49] * 2.0.squareRoot()) < 1e-9)
    }
}

@Suite struct SelectionTests {
    @Test func selectorPicksTheModelThatFitsTheStructure() throws {
        // A deterministic daily cycle: seasonal naive and Holt-Winters are exact, persistence is not.
        let series = makeSeries(step: 3600, count: 24 * 60) { 100 + 20 * sin(2 * .pi * $0 / 86_400) }
        let selector = ModelSelector(candidates: [PersistenceModel(), SeasonalNaiveModel(period: 86_400)],
                                     backtest: Backtest(trainingWindow: 14 * 86_400, horizons: [3600, 6 * 3600], origins: 8))
        let selection = try selector.select(series)
        #expect(selection.chosen == "seasonal-naive(1d)")
        #expect(selection.report.models == ["persistence", "seasonal-naive(1d)"])
        #expect(selection.report.meanScore("seasonal-naive(1d)", by: .mae) < 1e-9)
        let f = selection.model.forecast(horizon: 6 * 3600)
        #expect(f.origin == series.end)
        #expect(close(f.values, f.times.map { 100 + 20 * sin(2 * .pi * $0 / 86_400) }, 1e-6))
        #expect(throws: ForecastError.self) { try selector.select(makeSeries(step: 3600, count: 100) { $0 }) }
    }

    @Test func nelderMeadFindsABoundedMinimum() {
        let r = NelderMead.minimize({ x in pow(x[0] - 0.3, 2) + pow(x[1] - 0.7, 2) }, start: [0.9, 0.1])
        #expect(abs(r.x[0] - 0.3) < 1e-3 && abs(r.x[1] - 0.7) < 1e-3)
        // The unconstrained minimum (1.5, -1) lies outside the box: the corner (1, 0) wins.
        let c = NelderMead.minimize({ x in pow(x[0] - 1.5, 2) + pow(x[1] + 1, 2) }, start: [0.5, 0.5])
        #expect(abs(c.x[0] - 1) < 1e-6 && abs(c.x[1]) < 1e-6)
    }
}

/// Backtests that score point forecasts only (`Backtest.scoresIntervals` false, as the
/// control loop's daily model choice uses) fit without interval calibration: the point
/// scores, hence the choice, are exactly those of the calibrated backtest.
@Suite struct PointOnlyBacktestTests {
    /// Eight days of a noisy daily cycle with a trend and a few gaps, at 5 minutes.
    static func series(days: Int = 9) -> TimeSeries {
        var seed: UInt64 = 7
        return makeSeries(start: 1_590_969_600, step: 300, count: days * 288) { t in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let noise = Double(seed >> 11) / Double(1 << 53) - 0.5
            let i = Int((t - 1_590_969_600) / 300)
            return i % 997 == 5 ? .nan : 300 + 80 * sin(2 * .pi * t / 86_400) + 0.0002 * (t - 1_590_969_600) / 300 + 20 * noise
        }
    }

    @Test func pointScoresAndTheChoiceAreUnchanged() throws {
        let data = Self.series()
        var calibrated = Backtest(trainingWindow: 7 * 86_400, horizons: [3600, 21_600], origins: 8)
        var pointOnly = calibrated
        pointOnly.scoresIntervals = false
        calibrated.scoresIntervals = true
        let models = ModelSelector.defaultCandidates
        let a = calibrated.run(models, on: data), b = pointOnly.run(models, on: data)
        #expect(a.models == b.models && a.originTimes == b.originTimes && a.fitFailures == b.fitFailures)
        func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
        var scored = 0
        for m in a.models.indices {
            for h in a.horizons.indices {
                let x = a.scores[m][h], y = b.scores[m][h]
                #expect(same(x.mae, y.mae) && same(x.mape, y.mape) && same(x.rmse, y.rmse) && x.count == y.count, "\(a.models[m])")
                #expect(y.coverage80.isNaN && y.coverage95.isNaN)
                if x.coverage80.isFinite { scored += 1 }
            }
        }
        // Coverage is scored where a model's window allows a calibration (not the weekly
        // seasonal naive on a one-week window).
        #expect(scored >= 8)
        // The selection fits the chosen model with its intervals either way.
        let one = try ModelSelector(backtest: calibrated).select(data), two = try ModelSelector(backtest: pointOnly).select(data)
        #expect(one.chosen == two.chosen)
        let f1 = one.model.forecast(horizon: 43_200), f2 = two.model.forecast(horizon: 43_200)
        #expect(f1.values == f2.values)
        #expect(f1.standardErrors == f2.standardErrors)
        #expect(f2.standardErrors.allSatisfy { $0.isFinite })
    }

    @Test func modelsFittedWithoutIntervalsForecastTheSamePoints() throws {
        let data = Self.series(days: 16)
        for candidate in ModelSelector.defaultCandidates {
            var with = candidate, without = candidate
            without.intervals = .none
            try with.fit(data)
            try without.fit(data)
            let a = with.forecast(steps: 144), b = without.forecast(steps: 144)
            #expect(a.values == b.values, "\(candidate.name)")
            #expect(b.standardErrors.allSatisfy { $0.isNaN }, "\(candidate.name)")
        }
    }

    /// Persistence's interval calibration sums the errors point by point (no path per
    /// origin): the same sums in the same order as the path-based estimate.
    @Test func persistenceProfileMatchesThePathEstimate() throws {
        var values = Self.series(days: 3).values
        values[10] = .nan
        let calibration = IntervalCalibration()
        let filled = forwardFilled(values)
        let first = values.firstIndex(where: \.isFinite)!
        let byPaths = ErrorProfile.estimate(values: values, step: 300, calibration: calibration, warmUp: first) { origins, steps in
            origins.map { [Double](repeating: filled[$0], count: steps) }
        }
        let byPoints = ErrorProfile.estimate(values: values, step: 300, calibration: calibration, warmUp: first) { o, _ in filled[o] }
        #expect(byPaths == byPoints)
        #expect(!byPoints.sigma.isEmpty)
        var model = PersistenceModel()
        try model.fit(TimeSeries(start: 0, step: 300, values: values))
        #expect(model.forecast(steps: 288).standardErrors == byPaths.standardErrors(288))
    }
}
