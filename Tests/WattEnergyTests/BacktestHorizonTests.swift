import Testing
@testable import WattEnergy

/// A horizon shorter than half the series' step (1 h on the daily grid of `--tick 1d`) is
/// scored one step ahead; the origins leave room for that step. Before, the origins counted
/// it as zero steps and the last origin read past the end of the series (`watt run --tick
/// 86400s` crashed with an index out of range in Backtest.swift).
@Suite struct BacktestHorizonTests {
    static let daily = TimeSeries(start: 0, step: 86_400, values: (0..<20).map { 100 + Double($0 % 7) })

    @Test func horizonsShorterThanAStepAreOneStepAhead() {
        let backtest = Backtest(trainingWindow: 2 * 86_400, horizons: [3600, 21_600], origins: 8)
        #expect(backtest.horizonSteps(step: 86_400) == [1, 1])
        let origins = backtest.originIndices(in: Self.daily)
        #expect(!origins.isEmpty)
        #expect(origins.allSatisfy { $0 + 1 < Self.daily.count })
        let report = backtest.run([PersistenceModel()], on: Self.daily)
        #expect(report.scores[0].allSatisfy { $0.count == origins.count })
    }

    /// The documented daily tick with the default horizons (1 h, 6 h, 24 h).
    @Test func theDefaultHorizonsOnADailyGrid() {
        let backtest = Backtest(trainingWindow: 7 * 86_400, horizons: [3600, 21_600, 86_400], origins: 4)
        let report = backtest.run([PersistenceModel(), DailyProfileModel()], on: Self.daily)
        #expect(report.originTimes.count == 4)
        #expect(report.scores.allSatisfy { $0.count == 3 })
    }
}
