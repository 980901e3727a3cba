import Foundation
import Testing
import WattCluster
@testable import WattSlurm

/// A Slurm whose commands take time on a clock of the test's: `squeue` and `sinfo` answer
/// the fixtures at once (unless `hung`), `scontrol` takes `scontrolSeconds`; a command
/// that takes longer than its timeout is cut there, as `ProcessRunner` cuts it.
final class SlowSlurm: CommandRunning, @unchecked Sendable {
    private let lock = NSLock()
    private var clock = 0.0
    var hung = false
    var scontrolSeconds = 0.0
    private(set) var timeouts: [(String, Double)] = []
    let squeue: String, sinfo: String

    init() throws {
        squeue = try SlurmSnapshotTests.fixture("squeue.json")
        sinfo = try SlurmSnapshotTests.fixture("sinfo.json")
    }

    var now: Double { lock.lock(); defer { lock.unlock() }; return clock }

    func run(_ arguments: [String], timeout: Double) -> CommandResult {
        lock.lock()
        defer { lock.unlock() }
        timeouts.append((arguments[0], timeout))
        let takes: Double
        switch arguments[0] {
        case "squeue", "sinfo": takes = hung ? .infinity : 0
        default: takes = scontrolSeconds
        }
        guard takes <= timeout else {
            clock += timeout
            return CommandResult(status: 137, stdout: "", stderr: "", timedOut: true)
        }
        clock += takes
        let out = arguments[0] == "squeue" ? squeue : arguments[0] == "sinfo" ? sinfo : ""
        return CommandResult(status: 0, stdout: out, stderr: "")
    }
}

/// Issue 18: one budget per tick for every Slurm command of the tick, snapshot and actions.
@Suite struct SlurmTickBudgetTests {
    func scheduler(_ slow: SlowSlurm) -> SlurmScheduler {
        let s = SlurmScheduler(runner: slow, site: .init(powerCap: 10_000))
        s.clock = { SlurmSnapshotTests.now }
        s.monotonic = { slow.now }
        s.retryPause = 0
        s.report = { _ in }
        return s
    }

    /// A hung `squeue` took two full 20 s timeouts (41 s with the pause); now the retry gets
    /// what is left of the tick's 30 s and `sinfo` is not even started.
    @Test func aHungControllerCostsAtMostTheTickBudget() throws {
        let slow = try SlowSlurm()
        slow.hung = true
        let s = scheduler(slow)
        #expect(throws: SlurmError.self) { try s.snapshot() }
        #expect(slow.now <= s.tickBudget)
        #expect(slow.timeouts.map(\.0) == ["squeue", "squeue"])
        #expect(slow.timeouts.map(\.1) == [20, 10])
        // The next tick has a budget of its own.
        slow.hung = false
        #expect(throws: Never.self) { try s.snapshot() }
    }

    /// Actions past the budget are not run: each is rejected saying so, and the tick's
    /// report lists the commands skipped.
    @Test func actionsPastTheBudgetAreRejectedSayingSo() throws {
        let slow = try SlowSlurm()
        let s = scheduler(slow)
        let told = SlurmSchedulerTests.Told()
        s.report = { told.add($0) }
        _ = try s.snapshot()
        slow.scontrolSeconds = 12
        let results = s.apply([.move(jobs: ["23", "24", "25", "26"], toPool: "efficient", rule: "r")])
        #expect(results.map(\.status) == [.applied, .applied, .rejected, .rejected])
        #expect(results[2].detail.hasSuffix("timed out"), "6 s were left: the command was cut there")
        #expect(results[3].detail == "`scontrol update JobId=26 Partition=efficient`: " + SlurmScheduler.budgetSpent(30))
        #expect(slow.timeouts.filter { $0.0 == "scontrol" }.map(\.1) == [20, 18, 6], "each timeout cut to what is left")
        #expect(told.lines.filter { $0.contains("budget") } == ["the tick's 30 s budget for Slurm commands was spent: 1 command not run, its action rejected: `scontrol update JobId=26 Partition=efficient`"])
        #expect(s.skippedCommands == 1)
        #expect(s.log.last?.skipped == true)
    }
}
