import Foundation
import Testing
@testable import WattEnergy

/// A flat or uninformative forecast never becomes a decision; a clear cycle does.
@Suite struct ShiftDecisionTests {
    static func forecast(_ values: [Double], halfWidth: Double) -> Forecast {
        // Calibrated errors uniform in [-halfWidth, halfWidth] at every step.
        let errors = (0...100).map { -halfWidth + 2 * halfWidth * Double($0) / 100 }
        return Forecast(model: "test", origin: 0, step: 3600, values: values, standardErrors: values.map { _ in .nan },
                        calibration: ResidualCalibration(errors: Array(repeating: errors, count: values.count)))
    }

    @Test func aConstantForecastHasNoArgmin() throws {
        let f = Self.forecast(Array(repeating: 200, count: 8), halfWidth: 0)
        let d = try #require(f.shift(over: f.next(8 * 3600), from: .value(200)))
        #expect(d.start == nil && !d.informative)
        #expect(d.saving == 0)
        // The point argmin is still reported, as the accident it is: the first point.
        #expect(d.best == 3600)
    }

    @Test func aDipWithinTheUncertaintyIsNotADecision() throws {
        // 10 below now, but the interval's upper end at the dip is 12.2 above the point.
        var values = Array(repeating: 200.0, count: 8)
        values[5] = 190
        let f = Self.forecast(values, halfWidth: 15)
        let d = try #require(f.shift(over: f.next(8 * 3600), from: .value(200)))
        #expect(d.saving == 10 && d.savingLow < 0 && d.start == nil)
        // Certain enough: it is one.
        let sure = Self.forecast(values, halfWidth: 5)
        let s = try #require(sure.shift(over: sure.next(8 * 3600), from: .value(200)))
        #expect(s.start == 21_600.0 && s.savingLow > 0 && abs(s.relativeSaving - 0.05) < 1e-12)
    }

    @Test func aFutureReferenceAddsItsOwnUncertaintyAndJobsAverageTheirPoints() throws {
        // Nominal start at 3 h (value 220); a two-hour job is best started at 5 h (mean 200).
        let f = Self.forecast([230, 225, 220, 215, 200, 200, 230, 240], halfWidth: 6)
        let d = try #require(f.shift(over: f.next(8 * 3600), from: .time(3 * 3600), duration: 2 * 3600))
        #expect(d.referenceValue == 217.5)   // the job from 3 h covers 220 and 215
        #expect(d.bestValue == 200 && d.best == 5 * 3600)
        // Both sides uncertain: 17.5 - sqrt(w^2 + w^2), w the 80 % half-width (rank 91.8 of
        // 101 errors from -6 to 6: 4.896).
        let w = try #require(f.calibration).offsets(step: 1, level: 0.8).upper
        #expect(abs(w - 4.896) < 1e-9)
        #expect(abs(d.savingLow - (17.5 - (2 * w * w).squareRoot())) < 1e-9)
        #expect(d.start == 18_000.0)
    }

    /// Through the loop: a flat noisy series gives `forecast(...).argmin` missing, a clear
    /// daily cycle gives the trough.
    @Test func theLoopsForecastDecidesOnlyOnAClearCycle() throws {
        var settings = ForecastSettings.defaults(for: "grid.carbon_intensity")
        settings.models = ["persistence", "seasonal-naive(1d)", "daily-profile"]
        settings.horizons = [3600, 12 * 3600]   // calibrated over the whole window asked for
        settings.history = 10 * 86_400
        func summary(_ series: TimeSeries) throws -> TelemetryModels.Summary {
            let models = TelemetryModels(step: series.step)
            models.configure("grid.carbon_intensity", settings)
            for (i, v) in series.values.enumerated() { models.record("grid.carbon_intensity", v, at: series.time(at: i)) }
            return try #require(models.forecast("grid.carbon_intensity", horizon: 12 * 3600))
        }
        let flat = try summary(synthetic(days: 12, sigma: 5, seed: 11) { _ in 300 })
        #expect(flat.argmin == nil && !flat.informative, "\(flat)")
        #expect(flat.savingLow <= 0)
        // 12 days ending at 23:30: the next 12 hours go from the peak (00:00) towards the
        // trough (12:00).
        let cycle = synthetic(days: 12, sigma: 5, seed: 11) { 300 + 100 * cos(2 * .pi * $0 / 86_400) }
        let s = try summary(cycle)
        let argmin = try #require(s.argmin)
        #expect(s.informative && s.savingLow > 0 && s.saving > 50, "\(s)")
        let hour = (argmin - cycle.end) / 3600
        #expect(hour > 10 && hour <= 12, "argmin \(hour) h ahead")
    }
}

extension ShiftDecisionTests {
    /// The lower bound of a saving comes from what each calibration origin's own forecast
    /// would have chosen: the quick path (a one-step job from now) agrees with a direct count.
    @Test func savingErrorsComeFromEachOriginsOwnChoice() throws {
        var rng = SeededNormal(seed: 9)
        let forecasts = (0..<40).map { _ in (0..<24).map { _ in 100 + 10 * rng.next() } }
        let errors = (0..<40).map { _ in (0..<24).map { _ in 5 * rng.next() } }
        let calibration = ResidualCalibration(paths: errors, forecasts: forecasts)
        for (goal, window) in [(ShiftDecision.Goal.lowest, 12), (.highest, 24), (.lowest, 1)] {
            var expected: [Double] = []
            for (f, e) in zip(forecasts, errors) {
                let best = (1...window).min { goal == .lowest ? f[$0 - 1] < f[$1 - 1] : f[$0 - 1] > f[$1 - 1] }!
                if best != 1 { expected.append(goal == .lowest ? e[0] - e[best - 1] : e[best - 1] - e[0]) }
            }
            let q = calibration.savingErrorQuantile(starts: 1...window, job: 1, reference: 1, goal: goal, probability: 0.25)
            #expect(q == (expected.count >= 8 ? ResidualCalibration.conformalQuantile(expected, probability: 0.25) : nil))
        }
        // A constant series forecast with noise: picking the lowest point picks where the
        // forecast errs low, so every realized saving (0) falls short of the predicted one.
        let noisy = (0..<40).map { _ in (0..<24).map { _ in 100 + 10 * rng.next() } }
        let curse = ResidualCalibration(paths: noisy.map { $0.map { 100 - $0 } }, forecasts: noisy)
        let shortfall = try #require(curse.savingErrorQuantile(starts: 1...12, job: 1, reference: 1, goal: .lowest, probability: 0.9))
        #expect(shortfall < 0)
    }
}
