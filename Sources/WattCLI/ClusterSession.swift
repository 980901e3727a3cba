import Foundation
import WattBindings
import WattCluster
import WattEnergy
import WattLanguage

/// A simulated cluster bound to the language: loads a cluster file (and its trace), runs
/// the simulator for a warm-up so forecasts have history, and yields the vocabulary and
/// the current inputs. Used by `watt eval --cluster` and `watt check --cluster`.
struct ClusterSession {
    let simulator: Simulator
    let binding: EnergyBinding

    struct Failure: Error { var message: String }

    static func load(cluster: String, trace: String?, warmup: Double) throws(Failure) -> ClusterSession {
        let simulator: Simulator
        do {
            simulator = try Simulator(clusterFile: cluster, traceFile: trace)
        } catch {
            throw Failure(message: "error: \(error)")
        }
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick,
                                    forecast: simulator.cluster.forecast)
        let end = simulator.snapshot().now + max(0, warmup)
        // Every tick's telemetry goes into the history, as the control loop will do.
        while simulator.snapshot().now < end {
            binding.record(simulator.snapshot())
            simulator.step()
        }
        return ClusterSession(simulator: simulator, binding: binding)
    }

    var world: World { simulator.snapshot() }

    /// Parses a duration such as `2d`, `6h`, `30min` or `0` (seconds when bare).
    static func duration(_ text: String) -> Double? {
        let units: [(String, Double)] = [("min", 60), ("d", 86_400), ("h", 3600), ("s", 1)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)).map { $0 * factor }
        }
        return Double(text)
    }
}
