import Foundation
import Testing
@testable import WattEnergy

/// A seeded normal random source (Box-Muller over a 64-bit LCG): tests are reproducible.
struct SeededNormal {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return (Double(state >> 11) + 0.5) / Double(1 << 53)
    }
    mutating func next() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform())
    }
}

/// `days` of a series every `step` seconds from a day boundary: `value(t) + sigma * noise`.
func synthetic(days: Double, step: Double = 1800, sigma: Double, seed: UInt64 = 1, _ value: (Double) -> Double) -> TimeSeries {
    var rng = SeededNormal(seed: seed)
    let start = 1_600_041_600.0   // 2020-09-14 00:00 UTC
    let n = Int(days * 86_400 / step)
    return TimeSeries(start: start, step: step, values: (0..<n).map { value(start + Double($0) * step) + sigma * rng.next() })
}

@Suite struct ForecastSettingsTests {
    @Test func defaultsPerMetric() {
        let carbon = ForecastSettings.defaults(for: "grid.carbon_intensity")
        #expect(carbon.nonNegative && carbon.horizons == [3600, 21_600, 86_400] && carbon.origins == 8)
        let windows: [Double] = [604_800, 1_209_600]
        #expect(carbon.trainingWindows == windows)
        #expect(carbon.models == ["ensemble"] && carbon.intervalLevel == 0.8 && carbon.shiftConfidence == 0.75)
        #expect(carbon.history == 35 * 86_400 && carbon.calibrationSpan == 21 * 86_400)
        #expect(ForecastSettings.defaults(for: "site.power").nonNegative)
        // Prices can be negative.
        #expect(!ForecastSettings.defaults(for: "grid.price").nonNegative)
        // Temperatures are readings in degC: frost is below 0, which must not be a floor.
        #expect(!ForecastSettings.defaults(for: "site.outdoor_temperature").nonNegative)
        #expect(carbon.problems().isEmpty)
        #expect(carbon.text.contains("horizons: 1h, 6h, 1d\n"))
    }

    @Test func everyModelNameMakesItsModel() throws {
        for name in ForecastSettings.modelNames {
            let model = try #require(ForecastSettings.model(named: name))
            #expect(model.name == name)
        }
        #expect(ForecastSettings.modelName("Holt-Winters 1d+7d") == "holt-winters(1d+7d)")
        #expect(ForecastSettings.modelName("seasonal-naive-1d") == "seasonal-naive(1d)")
        #expect(ForecastSettings.modelName("prophet") == nil)
    }

    @Test func outOfBoundsSettingsAreNamed() {
        var s = ForecastSettings()
        s.trainingWindows = [60]
        s.origins = 0
        s.horizons = [.infinity]
        s.models = ["prophet"]
        s.intervalLevel = 1.5
        s.reselectEvery = 10
        s.history = .nan
        let problems = s.problems()
        for field in ["training_windows", "origins", "horizons", "models", "interval_level", "reselect_every", "history"] {
            #expect(problems.contains { $0.hasPrefix(field + ":") }, "\(field): \(problems)")
        }
        #expect(problems.contains("models: unknown model `prophet`; known: " + ForecastSettings.modelNames.joined(separator: ", ")))
    }

    @Test func durations() {
        #expect(parseDurations("1h,6h,24h") == [3600, 21_600, 86_400])
        #expect(parseDurations("30min, 7d") == [1800, 604_800])
        #expect(parseDurations("1h,") == nil)
        #expect(parseDurations("6") == nil)   // a unit is required
        #expect(parseDuration("-1h") == nil && parseDuration("infh") == nil)
    }

    /// The loop's models use the same settings as `watt forecast`, and the same data give the
    /// same choice and the same forecast through both.
    @Test func loopAndCommandShareSettingsAndResults() throws {
        let models = TelemetryModels(step: 1800)
        for metric in ForecastSettings.knownMetrics { #expect(models.settings(for: metric) == ForecastSettings.defaults(for: metric)) }
        var settings = ForecastSettings.defaults(for: "grid.carbon_intensity")
        settings.models = ["persistence", "seasonal-naive(1d)", "daily-profile"]
        settings.horizons = [3600, 6 * 3600]
        settings.trainingWindows = [3 * 86_400, 5 * 86_400]
        settings.history = 12 * 86_400
        #expect(models.configure("grid.carbon_intensity", settings).isEmpty)
        #expect(models.settings(for: "grid.carbon_intensity") == settings)
        let series = synthetic(days: 14.3, sigma: 5) { 300 + 80 * sin(2 * .pi * $0 / 86_400) }
        for (i, v) in series.values.enumerated() { models.record("grid.carbon_intensity", v, at: series.time(at: i)) }
        let loop = try #require(models.path("grid.carbon_intensity", horizon: 8 * 3600))
        let summary = try ForecastSummary(name: "synthetic", metric: "grid.carbon_intensity", series: series, horizon: 8 * 3600, settings: settings)
        #expect(summary.forecast == loop)
        #expect(summary.forecaster.chosen == models.forecaster(for: "grid.carbon_intensity")?.chosen)
        #expect(summary.forecaster.window == models.forecaster(for: "grid.carbon_intensity")?.window)
        // Bad settings are refused and the old ones kept.
        var bad = settings
        bad.origins = 0
        #expect(!models.configure("grid.carbon_intensity", bad).isEmpty)
        #expect(models.settings(for: "grid.carbon_intensity") == settings)
    }
}

/// A model whose forecast runs away (as a recursive regression can on a short smooth window).
struct RunawayModel: Forecaster {
    var intervals = IntervalCalibration.none
    private(set) var step: Double = 0
    private var origin = 0.0
    var name: String { "runaway" }
    mutating func fit(_ series: TimeSeries) throws(ForecastError) { step = series.step; origin = series.end }
    mutating func update(_ series: TimeSeries) throws(ForecastError) { origin = series.end }
    func forecast(steps: Int) -> Forecast {
        Forecast(model: name, origin: origin, step: step, values: (1...max(steps, 1)).prefix(steps).map { 1000 * Double($0) },
                 standardErrors: Array(repeating: .nan, count: steps))
    }
}

@Suite struct EnsembleModelTests {
    @Test func theMeanOfItsMembersLeavingOutOneThatRunsAway() throws {
        let series = synthetic(days: 3, sigma: 1, seed: 2) { 100 + 10 * sin(2 * .pi * $0 / 86_400) }
        var both = EnsembleModel("test", members: [PersistenceModel(), SeasonalNaiveModel(period: 86_400)], intervals: .none)
        try both.fit(series)
        var persistence = PersistenceModel(intervals: .none), naive = SeasonalNaiveModel(period: 86_400, intervals: .none)
        try persistence.fit(series); try naive.fit(series)
        let f = both.forecast(steps: 12), p = persistence.forecast(steps: 12), n = naive.forecast(steps: 12)
        for i in 0..<12 { #expect(abs(f.values[i] - (p.values[i] + n.values[i]) / 2) < 1e-9) }
        var guarded = EnsembleModel("test", members: [PersistenceModel(), RunawayModel()], intervals: .none)
        try guarded.fit(series)
        #expect(guarded.forecast(steps: 12).values == p.values)
    }
}
