import Foundation
import Testing
@testable import WattEnergy

@Suite struct TelemetryModelsTests {
    @Test func shortHistoryUsesPersistenceAndNeverPeeksAhead() throws {
        let models = TelemetryModels(step: 300)
        #expect(models.forecast("site.power", horizon: 3600) == nil)
        models.record("site.power", 800_000, at: 0)
        models.record("site.power", 810_000, at: 300)
        let f = try #require(models.forecast("site.power", horizon: 3600))
        #expect(f.model == "persistence")
        #expect(f.mean == 810_000)
        #expect(f.low <= f.mean && f.mean <= f.high)
        // Persistence is flat: no time in the window is better than now, so no argmin.
        #expect(f.argmin == nil && !f.informative && f.saving == 0)
    }

    @Test func realCarbonSeriesGetsAChosenModelAndAWindowMinimum() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/data/grid/ger_ci_2020.csv")
        let series = try GridCarbonCSV.load(path: url.path, step: 900)
        let models = TelemetryModels(step: 900)
        // Feed ten days, one tick at a time, as the control loop will.
        for i in 0..<(10 * 96) {
            models.record("grid.carbon_intensity", series.values[i], at: series.time(at: i))
        }
        let f = try #require(models.forecast("grid.carbon_intensity", horizon: 6 * 3600))
        #expect(f.model != "persistence" || f.mean.isFinite)
        #expect(f.min <= f.average + 1e-9 && f.average <= f.max + 1e-9, "\(f)")
        if let argmin = f.argmin { #expect(argmin > models.now && argmin <= models.now + 6 * 3600) }
        #expect(f.informative == (f.savingLow > 0))
        // The mean stays in the range of what carbon intensity does.
        #expect(f.mean > 0 && f.mean < 1000)
        let h = try #require(models.history("grid.carbon_intensity", window: 86_400))
        #expect(h.min <= h.average && h.average <= h.max)
    }
}
