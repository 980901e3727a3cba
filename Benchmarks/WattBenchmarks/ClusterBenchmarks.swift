// Cluster simulator benchmarks.
import Foundation
import WattCluster
import WattEnergy

/// The simulator must run a week of a 1,000-GPU cluster in seconds (release build).
/// Run from the repository root: `swift run -c release watt-bench cluster`.
enum ClusterBenchmarks {
    static let clusterFile = "examples/clusters/demo.yaml"

    static var all: [Benchmark] { [
        Benchmark(name: "cluster: a week of 1,000 GPUs, snapshot each tick") {
            let cluster = try! ClusterDefinition.load(path: clusterFile)
            let jobs = try! cluster.loadTrace()
            return {
                let sim = try! Simulator(cluster: cluster, jobs: jobs)
                let end = cluster.start + 7 * 86_400
                while sim.now < end {
                    blackHole(sim.snapshot().site.itPower)
                    sim.step()
                }
                blackHole(sim.report().carbonGrams)
            }
        },
        Benchmark(name: "cluster: a week of 1,000 GPUs, no snapshots") {
            let cluster = try! ClusterDefinition.load(path: clusterFile)
            let jobs = try! cluster.loadTrace()
            return {
                let sim = try! Simulator(cluster: cluster, jobs: jobs)
                sim.run(until: cluster.start + 7 * 86_400)
                blackHole(sim.itEnergy)
            }
        },
        Benchmark(name: "cluster: one tick of 1,000 GPUs (snapshot + step)") {
            let cluster = try! ClusterDefinition.load(path: clusterFile)
            let sim = try! Simulator(cluster: cluster, jobs: try! cluster.loadTrace())
            sim.run(until: cluster.start + 3 * 86_400)
            return {
                blackHole(sim.snapshot().jobs.count)
                sim.step()
            }
        },
        Benchmark(name: "cluster: generate a week's trace for 1,000 GPUs") {
            let generator = TraceGenerator(seed: 2020, start: 1_590_969_600)
            return { blackHole(generator.generate().count) }
        },
        Benchmark(name: "cluster: parse examples/traces/week.csv") {
            let text = try! String(contentsOfFile: "examples/traces/week.csv", encoding: .utf8)
            return { blackHole(try! JobTrace.parse(csv: text, file: "week.csv").count) }
        },
    ] }
}
