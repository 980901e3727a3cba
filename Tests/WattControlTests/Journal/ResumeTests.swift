import Foundation
import Testing
import WattTestSupport
import WattCluster
@testable import WattControl
import WattLanguage

/// A run stopped partway (every tick is committed to the journal, so stopping after a tick
/// is what a crash leaves) and resumed ends exactly like an uninterrupted run.
@Suite struct ResumeTests {
    static let repo = RepositoryRoot.url

    func policies() throws -> [SourceFile] {
        try ["policies/peak/peak.watt", "policies/consolidate/consolidate.watt", "policies/price/price.watt"].map { path in
            SourceFile(name: path, bytes: Array(try Data(contentsOf: Self.repo.appendingPathComponent(path))))
        }
    }

    func temporaryJournal() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("watt-resume-\(UUID().uuidString).db").path
    }

    @Test func resumedRunEqualsUninterruptedRun() throws {
        let cluster = Self.repo.appendingPathComponent("examples/clusters/small.yaml").path
        let full = temporaryJournal(), partial = temporaryJournal()
        defer { for p in [full, partial] { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: p + s) } } }
        let uninterrupted = try PolicyRun.run(clusterFile: cluster, traceFile: nil, policies: policies(), days: 0.5,
                                              journal: Journal(path: full))
        // The first run stops after a quarter of a day (a stop request; a crash leaves the
        // same: every tick is committed); the second, with the same settings, resumes it.
        var settings = RunSettings()
        settings.cluster = cluster
        settings.days = 0.5
        var ticks = 0
        var hooks = PolicyRun.Hooks()
        hooks.progress = { _, _ in ticks += 1 }
        hooks.shouldStop = { ticks >= 36 }
        let stopped = try PolicyRun.run(settings, policies: policies(), watch: nil, journal: Journal(path: partial), hooks: hooks)
        #expect(stopped.events.stoppedAt != nil)
        #expect(try Journal(path: partial).summary().ticks == 36)
        let resumed = try PolicyRun.run(clusterFile: cluster, traceFile: nil, policies: policies(), days: 0.5,
                                        journal: Journal(path: partial), resume: true)
        #expect(PolicyRun.json(policies: resumed.policies, baseline: resumed.baseline)
                == PolicyRun.json(policies: uninterrupted.policies, baseline: uninterrupted.baseline))
        #expect(resumed.policies.firings == uninterrupted.policies.firings)
        #expect(try Journal(path: partial).summary().ticks == Journal(path: full).summary().ticks)
    }
}

/// `per target` timers are journaled with the rule timers: a run stopped while elements are
/// pending (`for`) or cooling down and resumed acts on the same targets at the same times as
/// the uninterrupted run.
@Suite struct PerTargetResumeTests {
    static let policy = SourceFile(name: "per_target.watt", text: """
        rule cap_busy priority 5 {
          when count(nodes where utilization > 0.5) > 0 for 15 min
          then cap nodes where utilization > 0.5 at 350 W
          cooldown 1 h
          per target
        }
        rule uncap_quiet priority 4 {
          when count(nodes where present(power_cap) and utilization < 0.5) > 0 for 20 min
          then uncap nodes where present(power_cap) and utilization < 0.5
          per target
        }
        """)

    @Test(arguments: [5, 23, 40]) func stoppedMidTimerResumesToTheSameActions(stopAfter: Int) throws {
        let repo = RepositoryRoot.url
        let cluster = repo.appendingPathComponent("examples/clusters/small.yaml").path
        let full = ResumeTests().temporaryJournal(), partial = ResumeTests().temporaryJournal()
        defer { for p in [full, partial] { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: p + s) } } }
        let uninterrupted = try PolicyRun.run(clusterFile: cluster, traceFile: nil, policies: [Self.policy], days: 0.5,
                                              journal: Journal(path: full))
        var settings = RunSettings()
        settings.cluster = cluster
        settings.days = 0.5
        var ticks = 0
        var hooks = PolicyRun.Hooks()
        hooks.progress = { _, _ in ticks += 1 }
        hooks.shouldStop = { ticks >= stopAfter }
        _ = try PolicyRun.run(settings, policies: [Self.policy], watch: nil, journal: Journal(path: partial), hooks: hooks)
        // The stop leaves per-target state to carry over (else the test would show nothing).
        let states = try Journal(path: partial).ruleStates()
        #expect(states.values.contains { !($0.targets ?? [:]).isEmpty }, "no per-target timer was running at the stop")
        let resumed = try PolicyRun.run(clusterFile: cluster, traceFile: nil, policies: [Self.policy], days: 0.5,
                                        journal: Journal(path: partial), resume: true)
        #expect(PolicyRun.json(policies: resumed.policies, baseline: resumed.baseline)
                == PolicyRun.json(policies: uninterrupted.policies, baseline: uninterrupted.baseline))
        #expect(uninterrupted.policies.firings["cap_busy", default: 0] > 0, "the policy never acted")
        for node in ["default-001", "default-002", "efficient-001", "efficient-002"] {
            let a = try Journal(path: full).history(of: node).map { "\($0.time) \($0.action) \($0.status)" }
            let b = try Journal(path: partial).history(of: node).map { "\($0.time) \($0.action) \($0.status)" }
            #expect(a == b, "\(node)")
        }
    }
}
