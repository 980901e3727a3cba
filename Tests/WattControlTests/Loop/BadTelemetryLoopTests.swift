import Foundation
import Testing
import WattSupport
import WattBindings
import WattCluster
@testable import WattControl
import WattLanguage
import WattTestSupport

/// End to end: a node whose power reading is NaN (or negative) never drives an action; the
/// rule that would act on it does not run, and the journal says why.
@Suite struct BadTelemetryLoopTests {
    /// The simulator with its snapshots corrupted the way a broken exporter would.
    final class CorruptingScheduler: Scheduler {
        let inner: Simulator
        var corrupt: (inout World) -> Void
        init(_ inner: Simulator, corrupt: @escaping (inout World) -> Void) { self.inner = inner; self.corrupt = corrupt }
        func snapshot() throws -> World {
            var world = inner.snapshot()
            corrupt(&world)
            return world
        }
        func apply(_ actions: [WattCluster.Action]) -> [ActionResult] { inner.apply(actions) }
    }

    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("watt-bad-telemetry-\(UUID().uuidString).db").path
    }

    @Test func aNaNReadingNeverCapsAndTheJournalSaysWhy() throws {
        let path = temporaryPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let simulator = try Simulator(clusterFile: ControlLoopTests.small)
        // `default-001` reports NaN watts; the site meter (its sum) is poisoned with it.
        let scheduler = CorruptingScheduler(simulator) { world in
            world.nodes[0].power = .nan
            world.site.itPower = .nan
        }
        let binding = EnergyBinding(world: try scheduler.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        let policy = """
        # Would cap every node at the first tick if NaN compared as a number.
        rule site_cap { when site.power > 0 W then cap nodes at 400 W }
        rule fleet_cap { when sum(nodes, power) > 0 W then cap nodes at 400 W }
        # Acts per node: a node without a trusted reading is not selected.
        rule node_cap { when true then cap nodes where pool == "default" and power > 0 W at 450 W }
        """
        let compiled = Compilation.compile([SourceFile(name: "p.watt", text: policy)], vocabulary: binding.vocabulary)
        let program = try #require(compiled.program, "\(DiagnosticRenderer.text(compiled.diagnostics))")
        var guardrails = Guardrails()
        guardrails.maxCappedGPUShare = 1
        let loop = ControlLoop(program: program, binding: binding, scheduler: scheduler, guardrails: guardrails)
        loop.explainAll = true
        let journal = try Journal(path: path)
        try journal.startRun(RunIdentity(cluster: "small", start: simulator.snapshot().now, tick: simulator.tick, policies: ["p.watt": ""]), at: simulator.snapshot().now)
        let record = try loop.tick()
        try journal.record(record, timers: loop.timers)

        let status = Dictionary(uniqueKeysWithValues: record.outcomes.map { ($0.rule, $0.status) })
        #expect(status["site_cap"] == .missing("site.power"))
        #expect(status["fleet_cap"] == .missing("sum(nodes, power)") || status["fleet_cap"] == .missing("power"), "\(status)")
        #expect(status["node_cap"] == .fired)
        // Only `node_cap` acted, and never on the node it could not read.
        let capped = Set(record.results.filter { $0.status == .applied }.map(\.target))
        #expect(record.results.allSatisfy { $0.action.rule == "node_cap" })
        #expect(!capped.contains("default-001") && capped == ["default-002"])
        #expect(simulator.snapshot().nodes[0].powerCap == nil)
        // The tick's record and the journal say what was refused and why the rules did not run.
        let quality = try #require(record.dataQuality)
        #expect(quality.description == "site.power: NaN ×1 (nan); node.power: NaN ×1 (`default-001` nan)")
        #expect(try journal.dataQuality().map(\.issues) == [quality.description])
        let outcome = try #require(try journal.lastOutcome(of: "site_cap"))
        #expect(outcome.status == "missing `site.power`")
        #expect(outcome.explanation.contains("rule `site_cap` did not run: `site.power` has no value"))
        #expect(try journal.dataQuality(at: outcome.time) == quality.description)
        var tally = Tally()
        let journaledQuality = try journal.dataQuality(at: outcome.time)
        tally.count("NaN telemetry through the control loop", status["site_cap"] == .missing("site.power") && status["node_cap"] == .fired
            && capped == ["default-002"] && simulator.snapshot().nodes[0].powerCap == nil
            && outcome.explanation.contains("`site.power` has no value") && journaledQuality == quality.description)
        tally.record("bad-data", part: "loop-nan", test: "Tests/WattControlTests/BadTelemetryLoopTests.swift")
    }

    /// Over a run, the rejections are counted tick by tick; a clean tick journals nothing.
    @Test func rejectionsAreCountedPerTick() throws {
        let simulator = try Simulator(clusterFile: ControlLoopTests.small)
        var tick = 0
        let scheduler = CorruptingScheduler(simulator) { world in
            if tick % 2 == 1 { world.nodes[1].power = -50 }
        }
        let binding = EnergyBinding(world: try scheduler.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        let program = try #require(Compilation.compile([SourceFile(name: "p.watt", text: "rule r { when site.power > 1 GW then uncap nodes }")],
                                                       vocabulary: binding.vocabulary).program)
        let loop = ControlLoop(program: program, binding: binding, scheduler: scheduler)
        var refused: [Int] = []
        for i in 0..<6 {
            tick = i
            let record = try loop.tick()
            refused.append(record.dataQuality?.rejected ?? -1)
            simulator.step()
        }
        #expect(refused == [0, 1, 0, 1, 0, 1])
        #expect(binding.rejectedTotal == 3)
        var tally = Tally()
        for (i, n) in refused.enumerated() { tally.count("tick with rejections counted", n == i % 2) }
        tally.record("bad-data", part: "loop-ticks", test: "Tests/WattControlTests/BadTelemetryLoopTests.swift")
    }
}
