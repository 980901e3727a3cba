import Foundation
import WattEnergy

/// Energy-domain benchmarks (fitting and forecasting every tick must be cheap).
enum EnergyBenchmarks {
    static var all: [Benchmark] { [] + ForecastBenchmarks.all + PowerBenchmarks.all }
}

/// Power models and accounting, which run per node per tick.
enum PowerBenchmarks {
    static var all: [Benchmark] { [
        Benchmark(name: "power: node power, 8-GPU catalog node") {
            let node = HardwareCatalog.builtIn.nodes.first { $0.count(of: .gpu) >= 8 } ?? HardwareCatalog.builtIn.nodes[0]
            let model = NodePowerModel(profile: node)
            var u = 0.0
            return {
                u = u >= 1 ? 0 : u + 0.001
                blackHole(model.power(gpuUtilization: u, cpuUtilization: 0.3, gpuCapWatts: 500))
            }
        },
        Benchmark(name: "accounting: carbon of 30 days at 5 min") {
            let samples = (0..<8640).map { PowerSample(time: Double($0) * 300, watts: 5000 + 1000 * sin(Double($0) / 50)) }
            let intensity = try! StepSeries(times: (0..<2880).map { Double($0) * 900 },
                                            values: (0..<2880).map { SI.gramsPerKWh(300 + 100 * cos(Double($0) / 40)) })
            return { blackHole(Accounting.account(samples, intensity: intensity).grams) }
        },
    ] }
}

/// Keeps a result alive so the optimiser cannot drop the work.
@inline(never) func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }
