import Foundation
import Testing
import WattCluster
@testable import WattSlurm

/// Answers commands from a script, and records them (from several threads at once: the
/// `nvidia-smi` source runs a few commands in parallel).
final class ScriptedRunner: CommandRunning, @unchecked Sendable {
    var answers: [String: [CommandResult]] = [:]
    private(set) var ran: [[String]] = []
    private let lock = NSLock()

    func answer(_ prefix: String, _ results: CommandResult...) { answers[prefix] = results }

    func run(_ arguments: [String], timeout: Double) -> CommandResult {
        lock.lock()
        defer { lock.unlock() }
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
        s.report = { _ in }
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

    final class Told: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        var lines: [String] { lock.lock(); defer { lock.unlock() }; return items }
        func add(_ line: String) { lock.lock(); items.append(line); lock.unlock() }
    }

    @Test func snapshotsCarryNodePowerAndSayWhereItCameFrom() throws {
        let (s, runner) = try scheduler()
        let told = Told()
        s.report = { told.add($0) }  // instead of stderr
        let smi = try NvidiaSmiPowerSource(runner: runner, template: ["ssh", "{node}", "nvidia-smi"])
        s.telemetry = PowerTelemetry(source: smi)
        runner.answer("ssh vm nvidia-smi", CommandResult(status: 0, stdout: "0, [N/A]\n1, 200\n", stderr: ""))
        var world = try s.snapshot()
        #expect(world.nodes[0].powerSource == "model" && world.nodes[0].power! > 0)
        #expect(world.site.itPower == world.nodes[0].power)
        _ = try s.snapshot()
        // Each note and problem is told once while it lasts.
        #expect(told.lines == ["node `vm`: GRES `gpu:2` names no GPU type and no feature names a catalog GPU: profile `dgx-h100-like` assumed",
                               "nvidia-smi on `vm`: GPU 0 power.draw is `[N/A]`"])
        runner.answer("ssh vm nvidia-smi", CommandResult(status: 0, stdout: "0, 300\n1, 200\n", stderr: ""))
        world = try s.snapshot()
        #expect(world.nodes[0].powerSource == "nvidia-smi" && world.powerSources == "nvidia-smi:1")
        runner.answer("ssh vm nvidia-smi", CommandResult(status: 0, stdout: "0, [N/A]\n1, 200\n", stderr: ""))
        _ = try s.snapshot()
        #expect(told.lines.count == 3, "told again after it had gone away")
    }

    /// Slurm refuses to resume a node that is not drained (`slurm_update error: Invalid node
    /// state specified`, Fixtures/errors_resume.txt): the latest snapshot answers instead.
    @Test func drainAndResumeAreIdempotent() throws {
        let (s, runner) = try scheduler()
        _ = try s.snapshot()  // `vm` is allocated, not draining
        let resumed = s.apply([.resume(nodes: ["vm"])])
        #expect(resumed.map(\.status) == [.unchanged] && resumed[0].detail == "not draining")
        runner.answer("scontrol update NodeName=vm State=DRAIN", CommandResult(status: 0, stdout: "", stderr: ""))
        let drained = s.apply([.drain(nodes: ["vm"], rule: "too_hot")])
        #expect(drained.map(\.status) == [.applied])
        #expect(drained[0].detail == "ran `scontrol update NodeName=vm State=DRAIN Reason=watt: too_hot`")
        runner.answer("sinfo --json", CommandResult(status: 0, stdout: try SlurmSnapshotTests.fixture("sinfo_draining.json"), stderr: ""))
        _ = try s.snapshot()
        #expect(s.apply([.drain(nodes: ["vm"])]).map(\.detail) == ["already draining"])
        runner.answer("scontrol update NodeName=vm State=RESUME", CommandResult(status: 0, stdout: "", stderr: ""))
        #expect(s.apply([.resume(nodes: ["vm"])]).map(\.status) == [.applied])
        #expect(runner.ran.filter { $0.first == "scontrol" }.count == 2)
    }

    /// A node drained by an operator (or down) is theirs: Watt resumes only what it drained.
    @Test(arguments: [("bad DIMM, ticket 4711", " for `bad DIMM, ticket 4711`"), ("wattage over budget", " for `wattage over budget`"), ("", "")])
    func nodesDrainedByOperatorsAreNotResumed(_ reason: String, _ shown: String) throws {
        let (s, runner) = try scheduler()
        let drained = try SlurmSnapshotTests.fixture("sinfo_draining.json")
        let byOperator = drained.replacingOccurrences(of: #""reason": "watt: too_hot""#, with: #""reason": "\#(reason)""#)
        #expect(byOperator != drained)
        runner.answer("sinfo --json", CommandResult(status: 0, stdout: byOperator, stderr: ""))
        _ = try s.snapshot()
        let result = try #require(s.apply([.resume(nodes: ["vm"], rule: "cooled")]).first)
        #expect(result.status == .rejected)
        #expect(result.detail == "node `vm` is drained or down\(shown), not by a rule: only nodes Watt drained are resumed")
        // Draining it is no change either: the operator's reason stays.
        #expect(s.apply([.drain(nodes: ["vm"], rule: "hot")]).map(\.status) == [.unchanged])
        #expect(!runner.ran.contains { $0.first == "scontrol" })
    }

    @Test func capsWithoutAnExecutorAreRejectedWithTheReason() throws {
        let (s, _) = try scheduler()
        let result = try #require(s.apply([.cap(nodes: ["vm"], atWatts: 300)]).first)
        #expect(result.status == .rejected)
        #expect(result.detail.contains("Slurm has no GPU power-cap API"))
    }
}
