import Foundation
import Testing
import WattSupport
import WattTestSupport
import WattBindings
import WattCLI
import WattCluster
import WattControl
import WattLanguage

/// `watt explain RULE` and `watt journal` on a run whose telemetry was refused: the rule that
/// could not decide says which value had none, and the tick's refused telemetry says why.
@Suite struct BadTelemetryExplainTests {
    final class NaNSite: Scheduler {
        let inner: Simulator
        init(_ inner: Simulator) { self.inner = inner }
        func snapshot() throws -> World {
            var world = inner.snapshot()
            world.site.itPower = .nan
            world.nodes[0].power = -.infinity
            return world
        }
        func apply(_ actions: [WattCluster.Action]) -> [ActionResult] { inner.apply(actions) }
    }

    @Test func explainSaysWhyARuleCouldNotDecide() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("watt-explain-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let repo = RepositoryRoot.url
        let simulator = try Simulator(clusterFile: repo.appendingPathComponent("examples/clusters/small.yaml").path)
        let scheduler = NaNSite(simulator)
        let binding = EnergyBinding(world: try scheduler.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        let program = try #require(Compilation.compile([SourceFile(name: "p.watt", text: "rule shave { when site.power > 30 kW then cap nodes at 400 W }")],
                                                       vocabulary: binding.vocabulary).program)
        let loop = ControlLoop(program: program, binding: binding, scheduler: scheduler)
        loop.explainAll = true
        let journal = try Journal(path: path)
        try journal.startRun(RunIdentity(cluster: "small", start: simulator.snapshot().now, tick: simulator.tick), at: simulator.snapshot().now)
        for _ in 0..<2 {
            try journal.record(try loop.tick(), timers: loop.timers)
            simulator.step()
        }
        let explained = JournalCommand.explain("shave", path: path)
        #expect(explained.exitCode == 0)
        #expect(explained.stdout == """
            rule `shave` at 2020-01-06T00:05:00Z: missing `site.power`, inactive:  rule `shave` did not run: `site.power` has no value
                telemetry refused at that tick: site.power: NaN ×1 (nan); node.power: infinite ×1 (`default-001` -inf)

            """)
        let summary = JournalCommand.summary(path: path)
        #expect(summary.stdout.contains("telemetry refused at 2 ticks; the latest, 2020-01-06T00:05:00Z: site.power: NaN ×1 (nan); node.power: infinite ×1 (`default-001` -inf)"),
                "\(summary.stdout)")
    }
}
