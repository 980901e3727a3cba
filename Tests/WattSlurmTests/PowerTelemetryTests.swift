import Foundation
import Testing
import WattCluster
import WattEnergy
@testable import WattSlurm

/// A source that measures what the test says, to test the chain around it.
final class FixedPowerSource: NodePowerSource, @unchecked Sendable {
    let name = "fixed"
    var survey: PowerSurvey
    init(_ survey: PowerSurvey) { self.survey = survey }
    func measure(_ nodes: [World.Node]) -> PowerSurvey { survey }
}

/// The model estimate and the chain, on the real `sinfo --json` of an H100 node
/// (Fixtures/sinfo_typed.json: 2 × H100 by GRES, 1 allocated; 2 sockets of Xeon 8480 by
/// feature; CPU load 4.39 on 2 CPUs).
@Suite struct PowerTelemetryTests {
    func parsed(_ sinfo: String = "sinfo_typed.json") throws -> SlurmSnapshot.Parsed {
        try SlurmSnapshot.parse(squeue: SlurmSnapshotTests.fixture("squeue.json"), sinfo: SlurmSnapshotTests.fixture(sinfo),
                                now: SlurmSnapshotTests.now, site: .init(powerCap: 10_000, pue: 1.25), hardware: SlurmHardwareMap())
    }

    // By hand from the catalog: H100 SXM 75–700 W, Xeon 8480+ 87.5–350 W, overhead 2500 W.
    static let gpusAtHalf = 2 * (75 + 0.5 * (700 - 75.0))   // 775: one of two GPUs allocated
    static let cpusFull = 2 * 350.0                           // load 4.39 on 2 CPUs: busy
    static let overhead = 2500.0

    @Test func theModelEstimatesFromUtilizationAndTheProfile() throws {
        var p = try parsed()
        let problems = PowerTelemetry().fill(&p)
        #expect(problems.isEmpty)
        let node = try #require(p.world.nodes.first)
        #expect(abs(node.power! - (Self.gpusAtHalf + Self.cpusFull + Self.overhead)) < 1e-9)
        #expect(node.powerSource == "model")
        #expect(p.world.site.itPower == node.power)
        #expect(abs(p.world.site.facilityPower - node.power! * 1.25) < 1e-9)
        // The node is in both partitions: each pool's power counts it.
        #expect(p.world.pools.map(\.power) == [node.power!, node.power!])
        #expect(p.world.powerSources == "model:1")
    }

    @Test func aGpuMeasurementGetsTheRestOfTheNodeFromTheModel() throws {
        var p = try parsed()
        let source = FixedPowerSource(PowerSurvey(measured: ["vm": PowerMeasurement(watts: 1000, covers: .gpus)]))
        _ = PowerTelemetry(source: source).fill(&p)
        let node = try #require(p.world.nodes.first)
        #expect(abs(node.power! - (1000 + Self.cpusFull + Self.overhead)) < 1e-9)
        #expect(node.powerSource == "fixed")
        source.survey = PowerSurvey(measured: ["vm": PowerMeasurement(watts: 300, covers: .cpus)])
        var q = try parsed()
        _ = PowerTelemetry(source: source).fill(&q)
        #expect(abs(q.world.nodes[0].power! - (Self.gpusAtHalf + 300 + Self.overhead)) < 1e-9)
        source.survey = PowerSurvey(measured: ["vm": PowerMeasurement(watts: 4321, covers: .node)])
        var r = try parsed()
        _ = PowerTelemetry(source: source).fill(&r)
        #expect(r.world.nodes[0].power == 4321)
    }

    @Test func whatASourceCannotMeasureFallsBackToTheModelAndItsProblemsAreSaid() throws {
        var p = try parsed()
        let source = FixedPowerSource(PowerSurvey(measured: ["vm": PowerMeasurement(watts: .nan, covers: .gpus)],
                                                  problems: ["nvidia-smi on `vm`: GPU 0 power.draw is `[N/A]`"]))
        let problems = PowerTelemetry(source: source).fill(&p)
        #expect(problems == ["nvidia-smi on `vm`: GPU 0 power.draw is `[N/A]`"])
        #expect(p.world.nodes[0].powerSource == "model")
        #expect(abs(p.world.nodes[0].power! - (Self.gpusAtHalf + Self.cpusFull + Self.overhead)) < 1e-9)
    }

    @Test func aPoweredDownNodeDrawsStandbyPower() throws {
        var p = try parsed("sinfo_powered_down.json")
        _ = PowerTelemetry(model: ModelPowerEstimate(standbyWatts: 40)).fill(&p)
        #expect(p.world.nodes[0].state == .suspended && p.world.nodes[0].power == 40)
    }

    @Test func aGpuCapLimitsTheEstimate() throws {
        var p = try parsed("sinfo_drained.json")  // idle: nothing allocated
        p.world.nodes[0].powerCap = 200
        p.hardware[0].cpuLoad = 0
        _ = PowerTelemetry().fill(&p)
        // Idle GPUs (75 W) are under the 200 W cap; idle CPUs; the overhead.
        #expect(abs(p.world.nodes[0].power! - (2 * 75 + 2 * 87.5 + Self.overhead)) < 1e-9)
        p.world.nodes[0].utilization = 1
        _ = PowerTelemetry().fill(&p)
        #expect(abs(p.world.nodes[0].power! - (2 * 200 + 2 * 87.5 + Self.overhead)) < 1e-9)
    }

    @Test func summariesCountNodesPerSource() {
        func node(_ id: String, _ source: String?) -> World.Node {
            World.Node(id: id, pool: "p", profile: "x", state: .idle, power: 1, powerCap: nil, utilization: 0, temperature: 0,
                       jobs: [], gpus: 0, gpusFree: 0, cpus: 0, cpusFree: 0, powerSource: source)
        }
        let site = World.Site(itPower: 0, facilityPower: 0, powerCap: 0, pue: 1, outdoorTemperature: nil, itEnergy: 0, itEnergyToday: 0)
        let grid = World.Grid(carbonIntensity: nil, price: nil, region: "x", currency: "EUR")
        let world = World(now: 0, site: site, grid: grid, pools: [], nodes: [node("a", "rapl"), node("b", "model"), node("c", "model"), node("d", "model")], jobs: [])
        #expect(world.powerSources == "rapl:1,model:3")
        #expect(World(now: 0, site: site, grid: grid, pools: [], nodes: [node("a", nil)], jobs: []).powerSources == nil)
    }
}
