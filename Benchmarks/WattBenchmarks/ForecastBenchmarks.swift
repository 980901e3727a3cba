import Foundation
import WattBindings
import WattEnergy

/// Telemetry history and forecasting: a control loop refits models now and then (30 days of
/// 5-minute history, 8,640 points) and asks for forecasts every tick.
enum ForecastBenchmarks {
    /// 30 days of 5-minute synthetic telemetry: daily and weekly cycles plus AR(1) noise.
    static func synthetic(days: Int = 30, step: Double = 300) -> TimeSeries {
        var seed: UInt64 = 7
        func random() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Double(seed >> 11) / Double(1 << 53) - 0.5
        }
        let n = Int(Double(days) * 86_400 / step)
        let start = 1_600_000_200.0
        var noise = 0.0
        let values = (0..<n).map { i -> Double in
            let t = start + Double(i) * step
            noise = 0.95 * noise + 8 * random()
            return 300 + 80 * sin(2 * .pi * t / 86_400) + 20 * sin(2 * .pi * t / 604_800) + noise
        }
        return TimeSeries(start: start, step: step, values: values)
    }

    static func fitted<M: Forecaster>(_ model: M, _ series: TimeSeries) -> M {
        var m = model
        try! m.fit(series)
        return m
    }

    /// Telemetry models with `days` of grid carbon recorded, the model chosen (a boundary
    /// `reselectEvery` = a year is a week into the history, so benchmarks never cross the
    /// next one) and the last sample's time.
    static func telemetry(days: Int = 8) -> (TelemetryModels, Double) {
        let models = TelemetryModels(step: 300)
        var settings = models.settings(for: "grid.carbon_intensity")
        settings.reselectEvery = 365 * 86_400
        models.configure("grid.carbon_intensity", settings)
        let boundary = (1_600_000_000 / settings.reselectEvery).rounded(.up) * settings.reselectEvery
        let start = boundary - Double(days - 1) * 86_400
        let s = synthetic(days: days)
        for (i, v) in s.values.enumerated() { models.record("grid.carbon_intensity", v, at: start + Double(i) * 300) }
        let last = start + Double(s.values.count - 1) * 300
        _ = models.forecast("grid.carbon_intensity", horizon: 12 * 3600)
        return (models, last)
    }

    static var all: [Benchmark] {
        var list: [Benchmark] = [
            Benchmark(name: "forecast: fit linear regression, 8,640 pts") {
                let s = synthetic()
                return { blackHole(fitted(LinearRegressionModel(), s)) }
            },
            Benchmark(name: "forecast: fit Holt-Winters 1d, 8,640 pts") {
                let s = synthetic()
                return { blackHole(fitted(HoltWintersModel(periods: [86_400]), s)) }
            },
            Benchmark(name: "forecast: fit Holt-Winters 1d+7d, 8,640 pts") {
                let s = synthetic()
                return { blackHole(fitted(HoltWintersModel(periods: [86_400, 604_800]), s)) }
            },
            Benchmark(name: "forecast: fit seasonal naive 1d, 8,640 pts") {
                let s = synthetic()
                return { blackHole(fitted(SeasonalNaiveModel(period: 86_400), s)) }
            },
            Benchmark(name: "forecast: linear regression 1 h (12 pts)") {
                let m = fitted(LinearRegressionModel(), synthetic())
                return { blackHole(m.forecast(horizon: 3600)) }
            },
            Benchmark(name: "forecast: linear regression 24 h (288 pts)") {
                let m = fitted(LinearRegressionModel(), synthetic())
                return { blackHole(m.forecast(horizon: 86_400)) }
            },
            Benchmark(name: "forecast: Holt-Winters 1d+7d 24 h (288 pts)") {
                let m = fitted(HoltWintersModel(periods: [86_400, 604_800]), synthetic())
                return { blackHole(m.forecast(horizon: 86_400)) }
            },
            Benchmark(name: "forecast: update linear regression (new tick)") {
                let s = synthetic()
                var m = fitted(LinearRegressionModel(), s)
                return { try! m.update(s) }
            },
            Benchmark(name: "forecast: update Holt-Winters 1d (new tick)") {
                let s = synthetic()
                var m = fitted(HoltWintersModel(periods: [86_400]), s)
                return { try! m.update(s) }
            },
            Benchmark(name: "forecast: argmin over next 6 h of 24 h forecast") {
                let f = fitted(LinearRegressionModel(), synthetic()).forecast(horizon: 86_400)
                return { blackHole(f.argmin(over: f.next(6 * 3600))) }
            },
            Benchmark(name: "history: append, full ring with downsampling") {
                var h = MetricHistory(capacity: 8_640, downsampling: .init(bucketWidth: 3600, bucketCapacity: 24 * 365))
                var t = 0.0
                for _ in 0..<20_000 { t += 300; h.append(time: t, value: 1) }
                return { t += 300; h.append(time: t, value: 2) }
            },
            Benchmark(name: "history: resample 8,640 samples to 5 min") {
                var h = MetricHistory(capacity: 8_640)
                let s = synthetic()
                for (i, v) in s.values.enumerated() { h.append(time: s.time(at: i) + 7, value: v) }
                return { blackHole(h.series(step: 300)) }
            },
        ]
        // What the control loop does (TelemetryModels, behind `forecast(...)` and `history(...)`):
        // choose a model by backtest at each reselection boundary (the refit), then per tick
        // update it with the new sample and summarise the forecast window (the query).
        list += [
            Benchmark(name: "telemetry: reselect model (backtest, 8 days of 5 min)") {
                let s = synthetic(days: 8)
                let settings = ForecastSettings.defaults(for: "grid.carbon_intensity")
                return { blackHole(try! SeriesForecaster.select(s, settings: settings).chosen) }
            },
            Benchmark(name: "telemetry: new tick + forecast(grid.carbon_intensity, 12 h)") {
                let (models, last) = telemetry()
                var t = last
                return {
                    t += 300
                    models.record("grid.carbon_intensity", 300 + 80 * sin(2 * .pi * t / 86_400), at: t)
                    blackHole(models.forecast("grid.carbon_intensity", horizon: 12 * 3600)?.argmin)
                }
            },
            Benchmark(name: "telemetry: history(grid.carbon_intensity, 24 h) over 30 days") {
                let (models, _) = telemetry(days: 30)
                return { blackHole(models.history("grid.carbon_intensity", window: 86_400)?.average) }
            },
        ]
        // A real-data backtest when run from the repository root.
        let path = "examples/data/grid/ger_ci_2020.csv"
        if FileManager.default.fileExists(atPath: path) {
            list.append(Benchmark(name: "forecast: backtest 6 models, DE, 60 origins") {
                let s = try! GridCarbonCSV.load(path: path)
                return { blackHole(Backtest().run(ModelSelector.defaultCandidates, on: s)) }
            })
        }
        return list
    }
}
