import Testing
import WattCluster
@testable import WattControl

@Suite struct FlapCounterTests {
    func applied(_ action: ClusterAction, _ target: String) -> ActionResult {
        ActionResult(action: action, target: target, status: .applied, detail: "")
    }

    @Test func suspendThenWakeWithinTheWindowIsAFlap() {
        var counter = FlapCounter(window: 3600)
        #expect(counter.record([applied(ClusterAction(.suspend, targets: ["n1"]), "n1")], now: 0) == 0)
        #expect(counter.record([applied(ClusterAction(.wake, targets: ["n1"]), "n1")], now: 1800) == 1)
        // Another target, and the same reversal after the window, are not.
        #expect(counter.record([applied(ClusterAction(.wake, targets: ["n2"]), "n2")], now: 1800) == 0)
        #expect(counter.record([applied(ClusterAction(.suspend, targets: ["n1"]), "n1")], now: 1800 + 3600) == 0)
    }

    @Test func drainThenResumeWithinTheWindowIsAFlap() {
        var counter = FlapCounter(window: 3600)
        #expect(counter.record([applied(.drain(nodes: ["n1"]), "n1")], now: 0) == 0)
        #expect(counter.record([applied(.resume(nodes: ["n1"]), "n1")], now: 600) == 1)
        #expect(counter.record([applied(.drain(nodes: ["n1"]), "n1")], now: 1200) == 1, "and draining it again")
        #expect(counter.record([applied(.resume(nodes: ["n1"]), "n1")], now: 1200 + 3600) == 0)
        // Draining after a suspend is no reversal.
        _ = counter.record([applied(.suspend(nodes: ["n2"]), "n2")], now: 0)
        #expect(counter.record([applied(.drain(nodes: ["n2"]), "n2")], now: 60) == 0)
    }

    @Test func capUncapDeferReleaseAndShuttlingMoves() {
        var counter = FlapCounter()
        _ = counter.record([applied(ClusterAction(.cap(watts: 400), targets: ["n"]), "n"),
                            applied(ClusterAction(.deferFor(600), targets: ["j"]), "j"),
                            applied(.move(jobs: ["k"], toPool: "a"), "k")], now: 0)
        let flaps = counter.record([applied(ClusterAction(.uncap, targets: ["n"]), "n"),
                                    applied(ClusterAction(.release, targets: ["j"]), "j"),
                                    applied(.move(jobs: ["k"], toPool: "b"), "k")], now: 300)
        #expect(flaps == 3)
    }

    @Test func onlyAppliedResultsCount() {
        var counter = FlapCounter()
        _ = counter.record([applied(ClusterAction(.suspend, targets: ["n"]), "n")], now: 0)
        let rejected = ActionResult(action: ClusterAction(.wake, targets: ["n"]), target: "n", status: .rejected, detail: "no")
        let unchanged = ActionResult(action: ClusterAction(.wake, targets: ["n"]), target: "n", status: .unchanged, detail: "")
        #expect(counter.record([rejected, unchanged], now: 60) == 0)
        // Capping twice is not a reversal.
        _ = counter.record([applied(ClusterAction(.cap(watts: 400), targets: ["m"]), "m")], now: 0)
        #expect(counter.record([applied(ClusterAction(.cap(watts: 300), targets: ["m"]), "m")], now: 60) == 0)
    }

    /// The stability section's figures: who undid whose action, as what change, where.
    @Test func statsNameThePairOfRulesTheChangeAndTheTarget() {
        var counter = FlapCounter()
        _ = counter.record([applied(ClusterAction(.suspend, targets: ["n1", "n2"], rule: "idle"), "n1"),
                            applied(ClusterAction(.suspend, targets: ["n1", "n2"], rule: "idle"), "n2")], now: 0)
        _ = counter.record([applied(ClusterAction(.wake, targets: ["n1"], rule: "wake"), "n1")], now: 600)
        _ = counter.record([applied(ClusterAction(.suspend, targets: ["n1"], rule: "idle"), "n1")], now: 1200)
        _ = counter.record([applied(ClusterAction(.wake, targets: ["n2"]), "n2")], now: 1800)
        let stats = counter.stats
        #expect(stats.total == 3)
        #expect(stats.byPair[.init(undone: "idle", undoing: "wake", change: "suspend → wake")] == 1)
        #expect(stats.byPair[.init(undone: "wake", undoing: "idle", change: "wake → suspend")] == 1)
        #expect(stats.byPair[.init(undone: "idle", undoing: "-", change: "suspend → wake")] == 1, "a change by no rule is `-`")
        #expect(stats.topTargets(1).map(\.target) == ["n1"])
        #expect(stats.byUndoingRule == ["wake": 1, "idle": 1, "-": 1])
        #expect(stats.byChange == ["suspend → wake": 2, "wake → suspend": 1])
        #expect(stats.times["idle"] == [1200])
        // Replaying the same results rebuilds the same figures (a resumed run).
        var replayed = FlapCounter()
        _ = replayed.record([applied(ClusterAction(.suspend, targets: ["n1", "n2"], rule: "idle"), "n1"),
                             applied(ClusterAction(.suspend, targets: ["n1", "n2"], rule: "idle"), "n2")], now: 0)
        _ = replayed.record([applied(ClusterAction(.wake, targets: ["n1"], rule: "wake"), "n1")], now: 600)
        _ = replayed.record([applied(ClusterAction(.suspend, targets: ["n1"], rule: "idle"), "n1")], now: 1200)
        _ = replayed.record([applied(ClusterAction(.wake, targets: ["n2"]), "n2")], now: 1800)
        #expect(replayed.stats == stats)
    }
}
