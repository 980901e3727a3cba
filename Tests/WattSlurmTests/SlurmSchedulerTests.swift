import Foundation
import Testing
import WattCluster
@testable import WattSlurm

/// Answers commands from a script, and records them.
final class ScriptedRunner: CommandRunning, @unchecked Sendable {
    var answers: [String: [CommandResult]] = [:]
    private(set) var ran: [[String]] = []

    func answer(_ prefix: String, _ results: CommandResult...) { answers[prefix] = results }

    func run(_ arguments: [String], timeout: Double) -> CommandResult {
        ran.append(arguments)
        let line = arguments.joined(separator: " ")
        guard let key = answers.keys.sorted(by: { $0.count > $1.count }).first(where: { line.hasPrefix($0) }) else {
            return CommandResult(status: 127, stdout: "", stderr: "not scripted: \(line)")
        }
        let next = answers[key]!.count > 1 ? answers[key]!.removeFirst() : answers[key]![0]
        return next
    }
}

@Suite struct SlurmSchedulerTests {
    func scheduler() throws -> (SlurmScheduler, ScriptedRunner) {
        let runner = ScriptedRunner()
        runner.answer("squeue --json", CommandResult(status: 0, stdout: try SlurmSnapshotTests.fixture("squeue.json"), stderr: ""))
        runner.answer("sinfo --json", CommandResult(status: 0, stdout: try SlurmSnapshotTests.fixture("sinfo.json"), stderr: ""))
        let s = SlurmScheduler(runner: runner, site: .init(powerCap: 10_000))
        s.clock = { SlurmSnapshotTests.now }
        s.retryPause = 0
        return (s, runner)
    }

    @Test func snapshotsComeFromSqueueAndSinfo() throws {
        let (s, _) = try scheduler()
        let world = try s.snapshot()
        #expect(world.jobs.count == 5)
        #expect(world.now == SlurmSnapshotTests.now)
    }

    @Test func aControllerThatIsDownIsAClearError() throws {
        let (s, runner) = try scheduler()
        // Slurm 22.05 exits 0 and reports the error inside the JSON.
        runner.answer("squeue --json", CommandResult(status: 0, stdout: #"{"errors": [{"error": "Unspecified error", "description": "Failed while looking for jobs"}], "jobs": []}"#, stderr: ""))
        #expect(throws: SlurmError.self) { try s.snapshot() }
    }

    @Test func actionsRunScontrolAndFailuresAreRejectedWithSlurmsError() throws {
        let (s, runner) = try scheduler()
        runner.answer("scontrol update JobId=25 Partition=efficient", CommandResult(status: 0, stdout: "", stderr: ""))
        runner.answer("scontrol update JobId=23 Partition=efficient", CommandResult(status: 1, stdout: "", stderr: "Job is no longer pending execution for job 23\n"))
        let results = s.apply([.move(jobs: ["25", "23", "1;reboot"], toPool: "efficient", rule: "r")])
        #expect(results.map(\.status) == [.applied, .rejected, .rejected])
        #expect(results[0].detail == "ran `scontrol update JobId=25 Partition=efficient`")
        #expect(results[1].detail.hasSuffix("Job is no longer pending execution for job 23"))
        #expect(results[2].detail.hasPrefix("refused job id"))
        #expect(!runner.ran.contains { $0.joined(separator: " ").contains("reboot") })
    }

    @Test func aTimeoutIsRetriedOnceExceptForRequeue() throws {
        let (s, runner) = try scheduler()
        runner.answer("scontrol update NodeName=vm State=POWER_DOWN",
                      CommandResult(status: 124, stdout: "", stderr: "", timedOut: true), CommandResult(status: 0, stdout: "", stderr: ""))
        #expect(s.apply([.suspend(nodes: ["vm"])]).first?.status == .applied)
        #expect(runner.ran.filter { $0.contains("State=POWER_DOWN") }.count == 2)
        runner.answer("scontrol requeue 23", CommandResult(status: 124, stdout: "", stderr: "", timedOut: true), CommandResult(status: 0, stdout: "", stderr: ""))
        #expect(s.apply([.preempt(jobs: ["23"])]).first?.status == .rejected)
        #expect(runner.ran.filter { $0 == ["scontrol", "requeue", "23"] }.count == 1)
    }

    @Test func capsWithoutAnExecutorAreRejectedWithTheReason() throws {
        let (s, _) = try scheduler()
        let result = try #require(s.apply([.cap(nodes: ["vm"], atWatts: 300)]).first)
        #expect(result.status == .rejected)
        #expect(result.detail.contains("Slurm has no GPU power-cap API"))
    }
}
