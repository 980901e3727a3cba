import WattEnergy

/// Energy-domain benchmarks (fitting and forecasting every tick must be cheap).
enum EnergyBenchmarks {
    static var all: [Benchmark] { [] + ForecastBenchmarks.all + PowerBenchmarks.all }
}

/// Filled in by the forecasting work.
enum ForecastBenchmarks { static var all: [Benchmark] { [] } }
/// Filled in by the power-model work.
enum PowerBenchmarks { static var all: [Benchmark] { [] } }
