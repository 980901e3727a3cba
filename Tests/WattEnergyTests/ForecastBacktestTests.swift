import Foundation
import Testing
import WattTestSupport
@testable import WattEnergy

/// Rolling-origin backtest of every default model on the real 2020 grid carbon-intensity
/// series of Germany (15 min), Great Britain and France (30 min) (examples/data/grid/, from
/// Wiesner et al., "Let's Wait Awhile", Middleware 2021).
///
/// Set-up (as in docs/forecasting.md): 60 origins spread evenly from 16 January 2020 (the first
/// point with 28 days of data behind it) to 8 January 2021, a 28-day training window, every model refitted at every origin, forecasts
/// scored 1 h, 6 h and 24 h ahead. The numbers below were recorded from a run of this set-up;
/// the test fails when a model gets worse than `recorded * 1.05 + 0.2` (MAPE in points, MAE
/// in gCO2/kWh). Improvements pass; re-record them here and in docs/forecasting.md.
@Suite struct ForecastBacktestTests {
    static let repo = RepositoryRoot.url

    typealias Scores = (mape: [Double], mae: [Double])
    /// Recorded scores at 1 h, 6 h, 24 h.
    static let recorded: [String: [String: Scores]] = [
        "ger": [
            "persistence": (mape: [4.88, 16.16, 23.05], mae: [13.59, 44.69, 61.53]),
            "seasonal-naive(1d)": (mape: [24.05, 24.89, 23.05], mae: [64.65, 67.85, 61.53]),
            "seasonal-naive(7d)": (mape: [36.64, 38.04, 33.87], mae: [97.54, 99.65, 96.17]),
            "holt-winters(1d)": (mape: [3.44, 14.74, 23.99], mae: [9.08, 40.63, 64.12]),
            "holt-winters(1d+7d)": (mape: [3.96, 18.43, 27.09], mae: [10.34, 47.41, 73.08]),
            "linear-regression": (mape: [2.63, 14.53, 21.43], mae: [7.14, 39.84, 58.31]),
        ],
        "gb": [
            "persistence": (mape: [6.25, 22.05, 27.47], mae: [11.51, 42.29, 52.09]),
            "seasonal-naive(1d)": (mape: [23.09, 21.23, 27.47], mae: [41.45, 39.26, 52.09]),
            "seasonal-naive(7d)": (mape: [35.46, 29.21, 32.83], mae: [65.87, 59.00, 61.82]),
            "holt-winters(1d)": (mape: [5.26, 12.63, 28.39], mae: [9.77, 25.04, 54.07]),
            "holt-winters(1d+7d)": (mape: [6.14, 13.34, 31.17], mae: [11.57, 26.86, 57.32]),
            "linear-regression": (mape: [5.26, 10.41, 25.95], mae: [9.97, 21.67, 45.50]),
        ],
        "fr": [
            "persistence": (mape: [3.05, 11.97, 19.68], mae: [1.58, 5.83, 9.54]),
            "seasonal-naive(1d)": (mape: [14.73, 14.32, 19.68], mae: [7.46, 7.31, 9.54]),
            "seasonal-naive(7d)": (mape: [23.09, 21.85, 22.16], mae: [12.14, 11.99, 12.00]),
            "holt-winters(1d)": (mape: [2.57, 9.89, 20.10], mae: [1.36, 4.80, 9.72]),
            "holt-winters(1d+7d)": (mape: [3.24, 10.77, 18.21], mae: [1.64, 5.25, 8.53]),
            "linear-regression": (mape: [2.75, 10.84, 16.94], mae: [1.31, 5.18, 8.39]),
        ],
    ]
    static let horizons: [Double] = [3600, 21_600, 86_400]
    static let baselines = ["persistence", "seasonal-naive(1d)", "seasonal-naive(7d)"]
    /// Region and horizon (s) where no model beats persistence (see docs/forecasting.md).
    static let noBetterModel: Set<String> = ["fr@86400"]

    @Test(arguments: ["ger", "gb", "fr"]) func realSeries(_ region: String) throws {
        let series = try GridCarbonCSV.load(path: Self.repo.appendingPathComponent("examples/data/grid/\(region)_ci_2020.csv").path)
        let backtest = Backtest(trainingWindow: 28 * 86_400, horizons: Self.horizons, origins: 60, refitEvery: 1)
        let selection = try ModelSelector(backtest: backtest, criterion: .mae).select(series)
        let report = selection.report
        #expect(report.originTimes.count == 60)
        #expect(report.fitFailures.allSatisfy { $0 == 0 })
        // The origins cover the year.
        #expect(report.originTimes.first! < 1_580_000_000 && report.originTimes.last! > 1_609_000_000)

        // No regression beyond the tolerance.
        let recorded = try #require(Self.recorded[region])
        #expect(Set(report.models) == Set(recorded.keys))
        for model in report.models {
            let expected = try #require(recorded[model])
            for (h, horizon) in Self.horizons.enumerated() {
                let score = try #require(report.score(model, horizon: horizon))
                #expect(score.count == 60)
                #expect(score.mape <= expected.mape[h] * 1.05 + 0.2, "\(region) \(model) MAPE at \(horizon) s: \(score.mape)")
                #expect(score.mae <= expected.mae[h] * 1.05 + 0.2, "\(region) \(model) MAE at \(horizon) s: \(score.mae)")
            }
        }

        // The chosen model beats every baseline where a better model exists. On these 60
        // origins it beats all three baselines everywhere, but the 360-origin run in
        // docs/forecasting.md finds no model better than persistence for France at 24 h
        // (persistence 16.2 %, linear regression 17.7 %): there only "not much worse than
        // persistence" is required. Elsewhere the 24 h margins are small (about 1.2 to 1.5
        // MAPE points over 360 origins); seasonal-naive(1d) equals persistence at 24 h.
        #expect(selection.chosen == "linear-regression")
        for horizon in Self.horizons {
            let chosen = try #require(report.score(selection.chosen, horizon: horizon))
            if Self.noBetterModel.contains("\(region)@\(Int(horizon))") {
                let persistence = try #require(report.score("persistence", horizon: horizon))
                #expect(chosen.mape <= persistence.mape * 1.15)
                continue
            }
            for baseline in Self.baselines {
                let b = try #require(report.score(baseline, horizon: horizon))
                #expect(chosen.mape < b.mape, "\(region): \(selection.chosen) vs \(baseline) at \(horizon) s")
                #expect(chosen.mae < b.mae, "\(region): \(selection.chosen) vs \(baseline) at \(horizon) s")
            }
        }

        // The fitted model forecasts from the end of the series.
        let forecast = selection.model.forecast(horizon: 6 * 3600)
        #expect(forecast.origin == series.end)
        #expect(forecast.values.allSatisfy { $0.isFinite && $0 > 0 })
    }
}

@Suite struct ForecastSummaryTests {
    @Test func textReport() throws {
        let series = try GridCarbonCSV.load(path: ForecastBacktestTests.repo.appendingPathComponent("examples/data/grid/fr_ci_2020.csv").path)
        var settings = ForecastSettings.defaults(for: "grid.carbon_intensity")
        settings.models = ["persistence", "seasonal-naive(1d)", "linear-regression"]
        settings.origins = 6
        let summary = try ForecastSummary(name: "fr", series: series, horizon: 3 * 3600, settings: settings)
        let text = summary.text
        #expect(text.hasPrefix("series: fr: 18574 points every 30min, 0 gaps, 2019-12-20 00:00 to 2021-01-09 22:30 UTC\n"))
        #expect(text.contains("settings (grid.carbon_intensity): history 35d; windows 7d, 14d; 6 origins; horizons 1h, 6h, 1d; "))
        // The last reselection boundary is 2021-01-09 00:00: 35 days of history before it, the
        // first origin with 14 days (the longest window) behind it, the last 1 day before it.
        #expect(text.contains("backtest: 6 origins from 2020-12-19 00:00 to 2021-01-08 00:00, 7d training window, refit at every origin"))
        #expect(text.contains("| persistence | "))
        #expect(text.contains("chosen: \(summary.forecaster.chosen) (lowest mean MAE over 1h, 6h, 1d)"))
        #expect(text.contains("training window: "))
        #expect(text.contains("intervals: 80 % from the model's out-of-sample errors over the last 21d (96 forecasts), calibrated to 1d: 1h ["))
        #expect(!text.contains("note: forecasting"))
        #expect(text.contains("forecast from 2021-01-09 22:30 UTC"))
        #expect(text.contains("\n2021-01-10 01:30  "))   // the sixth and last point
        #expect(!text.contains("2021-01-10 02:00"))
        #expect(text.contains("lowest: 2021-01-"))
        #expect(text.contains("\ndecision: "))
        #expect(summary.forecast.count == 6)
        #expect(summary.forecast.calibration != nil && summary.forecast.floor == 0)
        #expect(ForecastSummary.time(0) == "1970-01-01 00:00")
        #expect(ForecastSummary.time(1_582_979_400) == "2020-02-29 12:30")
    }
}
