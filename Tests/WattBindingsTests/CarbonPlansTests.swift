import Foundation
import Testing
@testable import WattBindings
import WattCluster
import WattEnergy
import WattLanguage

/// `carbon_plan` and `shift` on a small simulated pool, with the true intensity as the
/// planning forecast (`oracle`): one clean hour, room for one held job in it.
@Suite struct CarbonPlansTests {
    static let start = 1_578_268_800.0   // 2020-01-06T00:00:00Z

    /// One pool of two 8-GPU nodes; `inf` (inflexible) fills one node for 12 h from the start;
    /// `flex1` and `flex2` (8 GPUs, 1 h, flexible) arrive at 5 min and queue.
    static func session() throws -> (Simulator, EnergyBinding, now: Double) {
        let node = try HardwareCatalog.builtIn.node(named: "dgx-h100-like")
        let cluster = ClusterDefinition(start: start, powerCap: 100_000, pue: .constant(1.2),
                                        pools: [PoolDefinition(name: "default", node: node, count: 2)])
        func job(_ id: String, at submit: Double, duration: Double, flexible: Bool) -> JobSpec {
            JobSpec(id: id, submit: submit, user: "u", pool: "default", gpus: 8, cpus: nil, duration: duration,
                    utilization: 1, flexible: flexible, preemptible: flexible, deadline: nil, priority: 0)
        }
        let simulator = try Simulator(cluster: cluster, jobs: [
            job("inf", at: 0, duration: 12 * 3600, flexible: false),
            job("flex1", at: 300, duration: 3600, flexible: true), job("flex2", at: 300, duration: 3600, flexible: true),
        ])
        simulator.placesArrivalsImmediately = false
        simulator.step()
        let now = simulator.snapshot().now
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        // 400 g/kWh, except 100 g/kWh for the hour from 2 h after now (two planning steps).
        let clean = (now + 7200)..<(now + 10_800)
        binding.plans.oracle = { t in SI.gramsPerKWh(clean.contains(t) ? 100 : 400) }
        binding.plans.timing.budget = 12 * 3600
        binding.plans.timing.share = 10
        return (simulator, binding, now)
    }

    func shiftActions(_ policy: String, _ simulator: Simulator, _ binding: EnergyBinding) throws -> [ClusterAction] {
        let compiled = Compilation.compile([SourceFile(name: "p.watt", text: policy)], vocabulary: binding.vocabulary)
        let program = try #require(compiled.program, "\(DiagnosticRenderer.text(compiled.diagnostics))")
        let world = simulator.snapshot()
        let evaluation = program.evaluate(binding.inputs(for: world), now: world.now)
        return try evaluation.actions.flatMap { try binding.clusterActions($0) }
    }

    /// The first job is held for the clean hour; it fills the pool's room there, so the second
    /// is not shifted (the condition's `carbon_plan`, made before the hold, would still be).
    @Test func aHeldJobTakesTheRoomOfTheCleanHour() throws {
        let (simulator, binding, now) = try Self.session()
        #expect(simulator.snapshot().jobs.filter { $0.state == .queued }.map(\.id) == ["flex1", "flex2"])
        let actions = try shiftActions("rule r { when true then shift jobs where state == \"queued\" }", simulator, binding)
        #expect(actions.map(\.kind) == [.deferUntil(now + 7200)])
        #expect(actions.first?.targets == ["flex1"])
    }

    /// A flat intensity plans nothing: no condition sees a start, `shift` has nothing to do.
    @Test func aFlatForecastPlansNothing() throws {
        let (simulator, binding, _) = try Self.session()
        binding.plans.oracle = { _ in SI.gramsPerKWh(300) }
        let actions = try shiftActions("rule r { when count(jobs where present(carbon_plan(job).start)) > 0 then shift jobs }",
                                       simulator, binding)
        #expect(actions.isEmpty)
        _ = binding.inputs(for: simulator.snapshot())
        #expect(binding.plans.plan(id: "flex1")?.start == nil)
        #expect(binding.plans.plan(id: "flex1")?.saving == 0)
    }
}
