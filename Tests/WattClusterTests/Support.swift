import Foundation
import Testing
import WattTestSupport
import WattEnergy
@testable import WattCluster

/// Small clusters and helpers shared by the tests.
enum Fixture {
    static let repo = RepositoryRoot.url
    static func path(_ relative: String) -> String { repo.appendingPathComponent(relative).path }

    /// 2020-01-06T00:00:00Z, a Monday.
    static let start = 1_578_268_800.0

    static func node(_ name: String) -> NodeProfile { try! HardwareCatalog.builtIn.node(named: name) }

    static var h100: DeviceProfile { try! HardwareCatalog.builtIn.device(named: "h100-sxm5-80gb") }

    /// Pools of `dgx-h100-like` nodes (8 GPUs, 128 CPUs each) by default.
    static func cluster(_ pools: [(name: String, profile: String, nodes: Int)] = [("default", "dgx-h100-like", 2)],
                        tick: Double = 300, pue: PUEModel = .constant(1.25), gpuCap: Double? = nil,
                        grid: GridDefinition = GridDefinition(region: "DE", carbonIntensity: .constant(SI.gramsPerKWh(300)),
                                                              price: .constant(SI.perKWh(0.2)), currency: "EUR"),
                        nodes: NodeBehavior = NodeBehavior(), jobs: JobBehavior = JobBehavior(), seed: UInt64 = 1) -> ClusterDefinition {
        ClusterDefinition(name: "test", start: start, tick: tick, seed: seed, powerCap: 100_000, pue: pue, grid: grid,
                          pools: pools.map { PoolDefinition(name: $0.name, node: node($0.profile), count: $0.nodes, gpuCap: gpuCap) },
                          nodes: nodes, jobs: jobs)
    }

    static func simulator(_ cluster: ClusterDefinition = cluster(), jobs: [JobSpec]) -> Simulator {
        try! Simulator(cluster: cluster, jobs: jobs)
    }

    /// A job at full utilization.
    static func job(_ id: String, at submit: Double = 0, gpus: Int = 1, duration: Double = 3600, pool: String? = nil,
                    flexible: Bool = true, preemptible: Bool? = nil, deadline: Double? = nil, priority: Int = 0,
                    utilization: Double = 1, cpus: Int? = nil) -> JobSpec {
        JobSpec(id: id, submit: submit, user: "u", pool: pool, gpus: gpus, cpus: cpus, duration: duration,
                utilization: utilization, flexible: flexible, preemptible: preemptible, deadline: deadline, priority: priority)
    }

    /// A day-long synthetic trace sized for `gpus` GPUs.
    static func syntheticJobs(seed: UInt64 = 3, gpus: Int, days: Double = 1, load: Double = 0.8,
                              pools: [String] = ["default"]) -> [JobSpec] {
        var classes = TraceGenerator.defaultClasses
        for i in classes.indices { classes[i].pools = pools.map { TraceGenerator.PoolWeight($0, 1) } }
        return TraceGenerator(seed: seed, start: start, duration: days * 86_400, gpuCapacity: gpus, offeredLoad: load,
                              classes: classes).generate()
    }
}

extension World {
    func job(_ id: String) -> World.Job? { jobs.first { $0.id == id } }
    func node(_ id: String) -> World.Node? { nodes.first { $0.id == id } }
}

extension Simulator {
    func job(_ id: String) -> World.Job? { allJobs().first { $0.id == id } }
}

func close(_ a: Double, _ b: Double, relative: Double = 1e-12) -> Bool {
    abs(a - b) <= relative * max(abs(a), abs(b), 1e-300)
}
