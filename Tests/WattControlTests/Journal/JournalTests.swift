import Foundation
import Testing
import WattSupport
import WattBindings
import WattCluster
@testable import WattControl
import WattLanguage

@Suite struct JournalTests {
    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("watt-journal-\(UUID().uuidString).db").path
    }

    @Test func everyTickActionAndRuleStateIsJournaledInWALMode() throws {
        let path = temporaryPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let simulator = try Simulator(clusterFile: ControlLoopTests.small)
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        let policy = "rule cap_default { when true for 10 min then cap nodes where pool == \"default\" at 400 W cooldown 1 h }"
        let program = try #require(Compilation.compile([SourceFile(name: "p.watt", text: policy)], vocabulary: binding.vocabulary).program)
        let loop = ControlLoop(program: program, binding: binding, scheduler: simulator)
        let journal = try Journal(path: path)
        try journal.startRun(RunIdentity(cluster: "small", start: simulator.snapshot().now, tick: simulator.tick, policies: ["p.watt": ""]), at: simulator.snapshot().now)
        for _ in 0..<6 {
            let record = try loop.tick()
            try journal.record(record, timers: loop.timers)
            simulator.step()
        }
        let summary = try journal.summary()
        #expect(summary.ticks == 6)
        // Two default nodes, capped once (cooldown 1 h); the guardrail (at most half the GPUs
        // capped) lets one through and stops the other, which the journal also records.
        #expect(summary.applied == 1)
        let stopped = try journal.history(of: "default-002")
        #expect(stopped.first?.status == "stopped")
        #expect(stopped.first?.detail.contains("max_capped_share") == true)
        #expect(summary.journalMode == "wal")
        // Timers come back as they were: what a restart resumes from.
        #expect(try Journal(path: path).ruleStates() == loop.timers)
        let history = try journal.history(of: "default-001")
        #expect(history.count == 1)
        #expect(history[0].rule == "cap_default")
        #expect(history[0].status == "applied")
        let last = try #require(try journal.lastOutcome(of: "cap_default"))
        #expect(last.decision.hasPrefix("cooling down"))
    }

    @Test func anUnwritableJournalIsAClearError() {
        #expect(throws: WattError.self) { try Journal(path: "/nonexistent-dir/watt/journal.db") }
        do {
            _ = try Journal(path: "/nonexistent-dir/watt/journal.db")
        } catch {
            #expect(error.message.hasPrefix("cannot open journal `/nonexistent-dir/watt/journal.db`"))
        }
    }
}
