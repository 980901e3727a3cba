import Foundation
import Testing
import WattTestSupport
import WattBindings
import WattCluster
@testable import WattControl
import WattLanguage

/// `per target`: each element of a rule's targets has its own `for` and `cooldown`.
@Suite struct TargetTimerTests {
    /// `for 10 min` at 5-minute ticks: an element acted on once it was among the targets at
    /// 0, 5 and 10 min; one that joined later waits its own 10 minutes.
    @Test func eachElementWaitsOutItsOwnFor() {
        var timer = RuleTimer()
        var step = timer.advanceTargets(present: ["node a"], now: 0, holdFor: 600, cooldown: nil)
        #expect(step.ready.isEmpty && step.pending == ["node a": 600])
        step = timer.advanceTargets(present: ["node a", "node b"], now: 300, holdFor: 600, cooldown: nil)
        #expect(step.ready.isEmpty && step.pending == ["node a": 300, "node b": 600])
        step = timer.advanceTargets(present: ["node a", "node b"], now: 600, holdFor: 600, cooldown: nil)
        #expect(step.ready == ["node a"] && step.pending == ["node b": 300])
        timer.markActed(step.ready, now: 600)
        #expect(timer.perTargetDecision(step, acted: true) == .act)
        step = timer.advanceTargets(present: ["node a", "node b"], now: 900, holdFor: 600, cooldown: nil)
        #expect(step.ready == ["node a", "node b"])
    }

    /// Leaving the targets resets an element's `for`; a gap of one tick is enough.
    @Test func leavingTheTargetsResets() {
        var timer = RuleTimer()
        _ = timer.advanceTargets(present: ["node a"], now: 0, holdFor: 600, cooldown: nil)
        _ = timer.advanceTargets(present: ["node a"], now: 300, holdFor: 600, cooldown: nil)
        let gap = timer.advanceTargets(present: [], now: 600, holdFor: 600, cooldown: nil)
        #expect(gap.ready.isEmpty && gap.pending.isEmpty)
        #expect(timer.targets == [:], "nothing left to time: the state is dropped")
        let back = timer.advanceTargets(present: ["node a"], now: 900, holdFor: 600, cooldown: nil)
        #expect(back.pending == ["node a": 600])
        #expect(timer.perTargetDecision(back, acted: false) == .pending(remaining: 600))
    }

    /// An element acted on is not acted on again within the cooldown, even after leaving the
    /// targets and coming back; the others are not held by it.
    @Test func cooldownIsPerElement() {
        var timer = RuleTimer()
        var step = timer.advanceTargets(present: ["node a"], now: 0, holdFor: nil, cooldown: 3600)
        #expect(step.ready == ["node a"])
        timer.markActed(step.ready, now: 0)
        step = timer.advanceTargets(present: [], now: 300, holdFor: nil, cooldown: 3600)
        #expect(timer.targets?["node a"] == TargetTimer(since: nil, lastActed: 0), "its cooldown runs on out of the targets")
        step = timer.advanceTargets(present: ["node a", "node b"], now: 1800, holdFor: nil, cooldown: 3600)
        #expect(step.ready == ["node b"] && step.cooling == ["node a": 1800])
        timer.markActed(step.ready, now: 1800)
        step = timer.advanceTargets(present: ["node a"], now: 3600, holdFor: nil, cooldown: 3600)
        #expect(step.ready == ["node a"])
        #expect(timer.perTargetDecision(RuleTimer.TargetStep(cooling: ["node a": 60]), acted: false) == .coolingDown(remaining: 60))
        // Once the cooldown is over and the element gone, nothing is kept for it.
        _ = timer.advanceTargets(present: [], now: 9000, holdFor: nil, cooldown: 3600)
        #expect(timer.targets == [:])
    }

    /// Journals written before `per target` have no `targets`: they decode, and a rule timed as
    /// a whole journals exactly as before (no new key).
    @Test func oldJournalStatesDecodeAndWholeRuleTimersEncodeAsBefore() throws {
        let old = #"{"clearSince":null,"lastActed":600,"limitedTargets":[],"phase":"firing","since":0}"#
        let decoded = try JSONDecoder().decode(RuleTimer.self, from: Data(old.utf8))
        #expect(decoded.phase == .firing && decoded.lastActed == 600 && decoded.targets == nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(!String(decoding: try encoder.encode(decoded), as: UTF8.self).contains("targets"))
        var timer = RuleTimer()
        timer.markActed(["node a"], now: 300)
        let again = try JSONDecoder().decode(RuleTimer.self, from: encoder.encode(timer))
        #expect(again == timer && again.targets?["node a"]?.lastActed == 300)
    }

    // MARK: In the control loop

    func loop(_ policy: String) throws -> (ControlLoop, Simulator) {
        let simulator = try Simulator(clusterFile: RepositoryRoot.url.appendingPathComponent("examples/clusters/small.yaml").path)
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        let compiled = Compilation.compile([SourceFile(name: "p.watt", text: policy)], vocabulary: binding.vocabulary)
        let program = try #require(compiled.program, "\(DiagnosticRenderer.text(compiled.diagnostics))")
        var everything = Guardrails()
        everything.maxCappedGPUShare = 1  // the guardrails are not under test
        return (ControlLoop(program: program, binding: binding, scheduler: simulator, guardrails: everything), simulator)
    }

    /// The targets (node ids) the rule `r` proposed at each 5-minute tick.
    func proposed(_ policy: String, ticks: Int) throws -> [[String]] {
        let (loop, simulator) = try loop(policy)
        var out: [[String]] = []
        for _ in 0..<ticks {
            let record = try loop.tick()
            out.append(record.proposed.filter { $0.rule == "r" && !$0.targets.isEmpty }.flatMap(\.targets).sorted())
            simulator.step()
        }
        return out
    }

    /// The default pool's nodes are targets from the start, the efficient pool's from 15 min:
    /// with `for 10 min`, each is capped 10 minutes after it joined, and with `cooldown 30 min`
    /// again 30 minutes after that. Timed as a whole, the rule would cap all four together.
    @Test func loopActsOnEachElementOnItsOwnClock() throws {
        let start = "time(\"2020-01-06T00:15:00Z\")"
        let policy = """
        rule r {
          when true for 10 min
          then cap nodes where pool == "default" or now >= \(start) at 400 W
          cooldown 30 min
          per target
        }
        """
        let ticks = try proposed(policy, ticks: 14)
        let d = ["default-001", "default-002"], e = ["efficient-001", "efficient-002"]
        #expect(ticks[2] == d)      // 10 min
        #expect(ticks[5] == e)      // 25 min: 10 min after they joined at 15
        #expect(ticks[8] == d)      // 40 min: the default nodes' cooldown is over
        #expect(ticks[11] == e)     // 55 min
        for (i, t) in ticks.enumerated() where ![2, 5, 8, 11].contains(i) { #expect(t.isEmpty, "tick \(i): \(t)") }
        let whole = try proposed(policy.replacingOccurrences(of: "  per target\n", with: ""), ticks: 14)
        #expect(whole[2] == d && whole[8] == d + e)
    }

    /// A targetless action (an alert) goes along only when an element is acted on; the rule
    /// is `firing` then, `pending` while an element waits, `inactive` when its condition is false.
    @Test func statesAndTargetlessActions() throws {
        let (loop, simulator) = try loop("""
        rule r {
          when true for 10 min
          then cap nodes where pool == "default" at 400 W; alert "capped"
          cooldown 1 h
          per target
        }
        """)
        var states: [String] = [], alerts: [Int] = []
        for _ in 0..<4 {
            let record = try loop.tick()
            states.append((record.decisions["r"] ?? .inactive).stateName)
            alerts.append(record.proposed.filter { if case .alert = $0.kind { true } else { false } }.count)
            simulator.step()
        }
        #expect(states == ["pending", "pending", "firing", "cooling"])
        #expect(alerts == [0, 0, 1, 0])
        #expect(loop.timers["r"]?.targets?.count == 2)
    }

    /// `limit` applies to the ready elements; those it leaves out are not marked acted on and
    /// are acted on at the next ticks.
    @Test func limitLeavesTheRestReady() throws {
        let ticks = try proposed("""
        rule r {
          when true
          then cap nodes at 400 W
          cooldown 1 h
          limit 1 per tick
          per target
        }
        """, ticks: 5)
        #expect(ticks.map(\.count) == [1, 1, 1, 1, 0])
        #expect(Set(ticks.flatMap { $0 }).count == 4)
    }
}
