import Foundation
import Testing
import WattTestSupport
@testable import WattBindings
import WattCluster
import WattEnergy
import WattLanguage

/// The energy vocabulary bound to the simulated small cluster: policies read the world,
/// their actions go back to the simulator, applied or rejected with a reason.
@Suite struct EnergyBindingTests {
    static let repo = RepositoryRoot.url

    func session(hours: Double = 6) throws -> (Simulator, EnergyBinding) {
        let simulator = try Simulator(clusterFile: Self.repo.appendingPathComponent("examples/clusters/small.yaml").path)
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        let end = simulator.snapshot().now + hours * 3600
        while simulator.snapshot().now < end {
            binding.record(simulator.snapshot())
            simulator.step()
        }
        return (simulator, binding)
    }

    func evaluate(_ policy: String, _ simulator: Simulator, _ binding: EnergyBinding) throws -> (Evaluation, World) {
        let result = Compilation.compile([SourceFile(name: "p.watt", text: policy)], vocabulary: binding.vocabulary)
        let program = try #require(result.program, "\(DiagnosticRenderer.text(result.diagnostics))")
        let world = simulator.snapshot()
        return (program.evaluate(binding.inputs(for: world), now: world.now), world)
    }

    func eval(_ expression: String, _ simulator: Simulator, _ binding: EnergyBinding) -> String {
        let world = simulator.snapshot()
        switch ExpressionEvaluator.evaluate(SourceFile(name: "e", text: expression), vocabulary: binding.vocabulary,
                                            inputs: binding.inputs(for: world), now: world.now) {
        case .success(let r): return r.formatted
        case .failure(.diagnostics(let d)): return "error: \(DiagnosticRenderer.text(d))"
        case .failure(.evaluation(let d)): return "error: \(d.message)"
        }
    }

    @Test func worldFieldsReadWithUnits() throws {
        let (simulator, binding) = try session()
        let world = simulator.snapshot()
        #expect(eval("count(nodes)", simulator, binding) == "\(world.nodes.count)")
        #expect(eval("count(jobs)", simulator, binding) == "\(world.jobs.filter { $0.state != .done }.count)")
        #expect(eval("site.power == sum(nodes, power ?? 0 kW)", simulator, binding) == "true")
        #expect(eval("site.power_cap", simulator, binding) == "40 kW")
        #expect(eval("grid.carbon_intensity", simulator, binding) == "200 g/kWh")
        #expect(eval("grid.region", simulator, binding) == "\"GB\"")
        #expect(eval("pools.name", simulator, binding) == "[\"default\", \"efficient\"]")
        #expect(eval("site.facility_power / site.power", simulator, binding) == "1.25")
    }

    @Test func forecastsAndHistoryUseOnlyThePast() throws {
        let (simulator, binding) = try session()
        // The small cluster's grid is a constant 200 g/kWh.
        #expect(eval("forecast(grid.carbon_intensity, 6 h).mean", simulator, binding) == "200 g/kWh")
        // A constant grid has no cleaner time: no argmin, nothing to save.
        #expect(eval("present(forecast(grid.carbon_intensity, 6 h).argmin)", simulator, binding) == "false")
        #expect(eval("forecast(grid.carbon_intensity, 6 h).informative", simulator, binding) == "false")
        #expect(eval("forecast(grid.carbon_intensity, 6 h).saving", simulator, binding) == "0 g/kWh")
        #expect(eval("history(site.power, 1 h).max >= history(site.power, 1 h).min", simulator, binding) == "true")
        #expect(eval("profile(\"dgx-h100-like\").gpus", simulator, binding) == "8")
    }

    /// A cluster file's `forecast` settings reach the loop's models; others keep the defaults.
    @Test func forecastSettingsFromTheClusterApply() throws {
        let simulator = try Simulator(clusterFile: Self.repo.appendingPathComponent("examples/clusters/small.yaml").path)
        var carbon = ForecastSettings.defaults(for: "grid.carbon_intensity")
        carbon.horizons = [3600, 43_200]
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick,
                                    forecast: ["grid.carbon_intensity": carbon])
        #expect(binding.models.settings(for: "grid.carbon_intensity") == carbon)
        #expect(binding.models.settings(for: "site.power") == ForecastSettings.defaults(for: "site.power"))
    }

    @Test func actionsAreAppliedThroughTheScheduler() throws {
        let (simulator, binding) = try session()
        let policy = """
        rule cap_default { when site.power > 0 kW then cap nodes where pool == "default" at 400 W }
        rule hello { when true then alert "tick" with severity "info" }
        """
        let (evaluation, _) = try evaluate(policy, simulator, binding)
        let actions = try evaluation.actions.map { try binding.clusterAction($0) }
        #expect(actions.count == 2)
        #expect(actions[0].rule == "cap_default")
        #expect(!actions[0].reason.isEmpty)
        let results = simulator.apply(actions)
        #expect(results.filter { $0.action.rule == "cap_default" }.allSatisfy { $0.status == .applied })
        #expect(simulator.snapshot().nodes.filter { $0.pool == "default" }.allSatisfy { $0.powerCap == 400 })
        // Applying the same actions again is harmless.
        #expect(simulator.apply(actions).filter { $0.action.rule == "cap_default" }.allSatisfy { $0.status == .unchanged })
    }

    @Test func rejectedActionsSayWhy() throws {
        let (simulator, binding) = try session()
        // Caps below the GPU's allowed range are rejected by the scheduler, with a reason.
        let (evaluation, _) = try evaluate("if true then cap nodes where pool == \"default\" at 10 W", simulator, binding)
        let results = simulator.apply(try evaluation.actions.map { try binding.clusterAction($0) })
        #expect(!results.isEmpty)
        #expect(results.allSatisfy { $0.status == .rejected && !$0.detail.isEmpty })
    }
}
