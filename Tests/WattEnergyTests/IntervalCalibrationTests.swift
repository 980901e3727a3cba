import Foundation
import Testing
@testable import WattEnergy

/// Intervals from out-of-sample errors (`ResidualCalibration`), their coverage on held-out
/// data, and truncation at zero.
@Suite struct IntervalCalibrationTests {
    /// The first model's 80 % intervals cover within 5 points of nominal at every horizon,
    /// over more than 100 forecasts each.
    static func expectCalibrated(_ report: ReplayReport, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (h, score) in report.scores[0].enumerated() {
            let coverage = try #require(score.coverage, sourceLocation: sourceLocation)
            #expect(score.count > 100, sourceLocation: sourceLocation)
            #expect(abs(coverage - 0.8) <= 0.05, "horizon \(report.horizons[h]): coverage \(coverage)", sourceLocation: sourceLocation)
        }
    }

    @Test func quantilesUseTheConformalRank() {
        // Errors 1 ... 99 at step 1: the 80 % interval runs from rank 0.1 x 100 to 0.9 x 100.
        let c = ResidualCalibration(errors: [(1...99).map(Double.init).shuffled()])
        let o = c.offsets(step: 1, level: 0.8)
        #expect(abs(o.lower - 10) < 1e-9 && abs(o.upper - 90) < 1e-9)
        let wide = c.offsets(step: 1, level: 0.95)   // ranks 2.5 and 97.5, interpolated
        #expect(abs(wide.lower - 2.5) < 1e-9 && abs(wide.upper - 97.5) < 1e-9)
        // A level not precomputed is computed on demand, alike.
        let half = c.offsets(step: 1, level: 0.6)
        #expect(abs(half.lower - 20) < 1e-9 && abs(half.upper - 80) < 1e-9)
    }

    @Test func widthsNeverShrinkAndAreExtrapolatedPastTheLastStep() {
        // Step 2's errors are narrower than step 1's: its interval keeps step 1's width.
        let c = ResidualCalibration(errors: [(-10...10).map(Double.init), (-5...5).map(Double.init), (-20...20).map(Double.init)])
        #expect(c.steps == 3)
        let (a, b) = (c.offsets(step: 1, level: 0.8), c.offsets(step: 2, level: 0.8))
        #expect(b.lower <= a.lower && b.upper >= a.upper)
        let last = c.offsets(step: 3, level: 0.8), far = c.offsets(step: 12, level: 0.8)
        #expect(abs((far.upper - far.lower) - 2 * (last.upper - last.lower)) < 1e-9)   // sqrt(12 / 3) = 2
        // Too few errors at a step: calibration stops there.
        #expect(ResidualCalibration(errors: [[1, 2, 3]]).isEmpty)
    }

    /// A daily cycle plus independent normal noise (sigma 10): on a held-out fortnight (an
    /// origin every hour), the loop's forecaster's 80 % intervals cover 75 to 85 % of the
    /// actual values at 1 h and 6 h.
    @Test func coverageOnHeldOutDataIsNearNominal() throws {
        let series = synthetic(days: 40, sigma: 10, seed: 3) { 300 + 80 * sin(2 * .pi * $0 / 86_400) }
        var settings = ForecastSettings.defaults(for: "grid.carbon_intensity")
        settings.models = ["persistence", "seasonal-naive(1d)", "daily-profile"]
        settings.horizons = [3600, 6 * 3600]
        settings.trainingWindows = [7 * 86_400]
        settings.history = 14 * 86_400
        let replay = ForecastReplay(metric: "grid.carbon_intensity", settings: settings, every: 3600, nightly: nil)
        let report = replay.run(series, from: series.end - 14 * 86_400)
        try Self.expectCalibrated(report)
        // The daily profile is the right model here, and beats persistence.
        #expect(report.chosen.first?.model.hasPrefix("daily-profile (") == true)
        #expect(report.scores[0][1].mae! < report.scores[1][1].mae!)
    }

    /// A series near zero with noise: without truncation lower bounds go below zero; with it
    /// (the default for carbon and power) no forecast point or bound does, and the calibration
    /// is of the truncated forecasts.
    @Test func nonNegativeSeriesAreTruncatedAtZero() throws {
        let series = synthetic(days: 20, sigma: 3, seed: 5) { max(0, 4 + 4 * sin(2 * .pi * $0 / 86_400)) }
        var settings = ForecastSettings.defaults(for: "site.power")
        settings.models = ["persistence", "daily-profile"]
        settings.horizons = [3600, 6 * 3600]
        settings.history = 14 * 86_400
        let truncated = try SeriesForecaster.select(series, settings: settings).forecast(horizon: 12 * 3600)
        #expect(truncated.floor == 0)
        for level in [0.5, 0.8, 0.95] { #expect(truncated.lower(level: level).allSatisfy { $0 >= 0 }) }
        #expect(truncated.values.allSatisfy { $0 >= 0 })
        settings.nonNegative = false
        let raw = try SeriesForecaster.select(series, settings: settings).forecast(horizon: 12 * 3600)
        #expect(raw.floor == nil)
        #expect(raw.lower(level: 0.95).contains { $0 < 0 })
    }

    /// Calibrated forecasts carry their calibration: the loop's summary reports it, and a
    /// forecast beyond the calibrated horizon says so.
    @Test func forecastsKnowHowFarTheyWereCalibrated() throws {
        let series = synthetic(days: 20, sigma: 5, seed: 7) { 300 + 50 * sin(2 * .pi * $0 / 86_400) }
        var settings = ForecastSettings.defaults(for: "grid.carbon_intensity")
        settings.models = ["daily-profile"]
        settings.horizons = [3600, 6 * 3600]
        settings.history = 14 * 86_400
        let forecaster = try SeriesForecaster.select(series, settings: settings)
        #expect(forecaster.selectionHorizon == 6 * 3600)
        let f = forecaster.forecast(horizon: 24 * 3600)
        #expect(f.calibratedSteps == 12)   // 6 h of 30-minute steps
        let summary = try ForecastSummary(name: "s", series: series, horizon: 24 * 3600, settings: settings)
        #expect(summary.beyondSelection)
        #expect(summary.text.contains("note: forecasting 1d ahead, beyond the horizons the model was chosen and calibrated on (up to 6h)"))
    }
}

extension IntervalCalibrationTests {
    @Test func isotonicRegressionPoolsViolators() {
        #expect(ResidualCalibration.isotonic([1, 3, 2, 4]) == [1, 2.5, 2.5, 4])
        #expect(ResidualCalibration.isotonic([5, 4, 3]) == [4, 4, 4])
        #expect(ResidualCalibration.isotonic([]) == [])
    }
}
