import Foundation
import Testing
import WattCluster
@testable import WattControl
import WattLanguage
import WattSupport

/// A scheduler whose controller goes away for some snapshot calls (1-based), as Slurm's does.
final class FlakyScheduler: Scheduler {
    let inner: Simulator
    let failing: Set<Int>
    private(set) var calls = 0
    struct Down: Error, CustomStringConvertible { var description: String { "controller down" } }

    init(_ inner: Simulator, failing: Set<Int>) {
        self.inner = inner
        self.failing = failing
    }

    func snapshot() throws -> World {
        calls += 1
        if failing.contains(calls) { throw Down() }
        return inner.snapshot()
    }

    func apply(_ actions: [ClusterAction]) -> [ActionResult] { inner.apply(actions) }
}

/// `LiveRun` (`watt run --scheduler ...`) feeds the same metrics to the page the endpoint serves.
@Suite struct LiveRunMetricsTests {
    @Test func liveTicksAndSkippedTicksReachThePage() throws {
        let simulator = try Simulator(cluster: ClusterDefinition.load(path: PolicyRunTests.small))
        // One snapshot per tick: call 1 makes the vocabulary and is the first tick's world;
        // call 2 is the second tick's: that tick is skipped.
        let scheduler = FlakyScheduler(simulator, failing: [2])
        let page = MetricsPage()
        let policy = SourceFile(name: "p.watt", text: "rule capper { when true then cap nodes where pool == \"default\" at 400 W limit 1 per tick }\n")
        var settings = RunSettings()
        settings.scheduler = .slurm
        settings.interval = 0.01
        settings.ticks = 3
        let summary = try LiveRun.run(scheduler: scheduler, settings: settings, policies: [policy], watch: nil, journal: nil,
                                      metrics: .init(page: page))
        #expect(summary.failedSnapshots.count == 1)
        let text = page.current
        try MetricsExporterTests.checkWellFormed(text)
        #expect(text.contains("watt_ticks_total 2\n"))
        #expect(text.contains("watt_ticks_skipped_total 1\n"))
        // The same first node both times (the simulator does not step here): capped, then already capped.
        #expect(text.contains("watt_actions_proposed_total{verb=\"cap\"} 2\n"))
        #expect(text.contains("watt_actions_total{verb=\"cap\",status=\"applied\"} 1\n"))
        #expect(text.contains("watt_actions_total{verb=\"cap\",status=\"unchanged\"} 1\n"))
        #expect(text.contains("watt_rule_state{rule=\"capper\",state=\"firing\"} 1\n"))
    }

    /// One scheduler snapshot per tick, journal and metrics included (against Slurm each
    /// snapshot is a `squeue`/`sinfo` sweep): N ticks, N calls.
    @Test(arguments: [1, 4]) func oneSnapshotPerTick(_ ticks: Int) throws {
        let simulator = try Simulator(cluster: ClusterDefinition.load(path: PolicyRunTests.small))
        let scheduler = FlakyScheduler(simulator, failing: [])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-live-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = try Journal(path: dir.appendingPathComponent("j.db").path)
        let policy = SourceFile(name: "p.watt", text: "rule capper { when true then cap nodes where pool == \"default\" at 400 W limit 1 per tick }\n")
        var settings = RunSettings()
        settings.scheduler = .slurm
        settings.interval = 0.001
        settings.ticks = ticks
        let summary = try LiveRun.run(scheduler: scheduler, settings: settings, policies: [policy], watch: nil, journal: journal,
                                      metrics: .init(page: MetricsPage()))
        #expect(summary.ticks == ticks)
        // (The simulator does not step here: every tick has the same time, one journal row.)
        #expect(scheduler.calls == ticks, "the loop, the journal and the metrics share each tick's snapshot")
        #expect(try journal.summary().ticks == 1)
    }
}
