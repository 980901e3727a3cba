/// Chooses a model per metric by rolling-origin backtest.
///
/// `select` backtests every candidate on the series, picks the one with the lowest
/// `criterion` averaged over the backtest's horizons, and returns it fitted on the last
/// training window of the series, with the report for inspection.
public struct ModelSelector: Sendable {
    public var candidates: [any Forecaster]
    public var backtest: Backtest
    public var criterion: Criterion

    public init(candidates: [any Forecaster] = ModelSelector.defaultCandidates, backtest: Backtest = Backtest(),
                criterion: Criterion = .mae) {
        self.candidates = candidates; self.backtest = backtest; self.criterion = criterion
    }

    /// Persistence, seasonal naive (daily, weekly), Holt-Winters (daily; daily + weekly) and
    /// linear regression with its default features.
    public static var defaultCandidates: [any Forecaster] {
        [
            PersistenceModel(),
            SeasonalNaiveModel(period: 86_400),
            SeasonalNaiveModel(period: 604_800),
            HoltWintersModel(periods: [86_400]),
            HoltWintersModel(periods: [86_400, 604_800]),
            LinearRegressionModel(),
        ]
    }

    public struct Selection: Sendable {
        /// The chosen model, fitted on the last training window.
        public var model: any Forecaster
        public var report: BacktestReport
        /// The criterion the model was chosen by (averaged over the backtest horizons).
        public var criterion: Criterion
        public var chosen: String { model.name }
    }

    /// Backtests the candidates and fits the best. Throws `insufficientData` when the series is
    /// too short for a single origin, or the fit error of the chosen model.
    public func select(_ series: TimeSeries) throws(ForecastError) -> Selection {
        let report = backtest.run(candidates, on: series)
        guard !report.originTimes.isEmpty else {
            let needed = backtest.windowCount(step: series.step) + Int((backtest.horizons.max()! / series.step).rounded())
            throw .insufficientData(required: needed, available: series.count)
        }
        let ranked = candidates.indices.sorted {
            report.meanScore(modelAt: $0, by: criterion) < report.meanScore(modelAt: $1, by: criterion)
        }
        let w = backtest.windowCount(step: series.step)
        let window = series[max(0, series.count - w)..<series.count]
        var lastError = ForecastError.insufficientData(required: w, available: series.count)
        for index in ranked {
            var model = candidates[index]
            do {
                try model.fit(window)
                return Selection(model: model, report: report, criterion: criterion)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }
}
