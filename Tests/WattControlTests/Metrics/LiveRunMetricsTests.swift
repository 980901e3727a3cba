import Foundation
import Testing
import WattCluster
@testable import WattControl
import WattLanguage

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
        // Calls: 1 the first snapshot; then per tick the loop's and the journal's. Call 4 is
        // the second tick's own snapshot: that tick is skipped.
        let scheduler = FlakyScheduler(simulator, failing: [4])
        let page = MetricsPage()
        let policy = SourceFile(name: "p.watt", text: "rule capper { when true then cap nodes where pool == \"default\" at 400 W limit 1 per tick }\n")
        let summary = try LiveRun.run(scheduler: scheduler, policies: [policy], watch: nil, journal: nil, interval: 0.01, ticks: 3,
                                      dryRun: false, metricsPage: page)
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
}
