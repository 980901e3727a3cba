import Foundation
import Testing
import WattCluster
@testable import WattSlurm

@Suite struct ProcessRunnerTests {
    let runner = ProcessRunner()

    @Test func outputStatusAndErrors() {
        let ok = runner.run(["printf", "%s|%s", "a b", "c"], timeout: 10)
        #expect(ok.succeeded && ok.stdout == "a b|c")
        let failed = runner.run(["sh", "-c", "echo oops >&2; exit 3"], timeout: 10)
        #expect(failed.status == 3)
        #expect(failed.failure == "oops")
        let missing = runner.run(["watt-no-such-program"], timeout: 10)
        #expect(missing.status == 127)
        #expect(missing.failure.contains("cannot run `watt-no-such-program`"))
    }

    @Test func aCommandThatHangsIsKilledAtItsTimeout() {
        let started = Date()
        let result = runner.run(["sleep", "30"], timeout: 0.3)
        #expect(result.timedOut)
        #expect(result.failure == "timed out")
        #expect(Date().timeIntervalSince(started) < 20)
    }

    /// Issue 18: a command holds only its standard streams, never a descriptor of the loop
    /// (its pipes, journal, metrics socket): one left open without close-on-exec here
    /// (a plain `pipe`) stays out of the child too.
    @Test func commandsInheritOnlyTheirStandardStreams() throws {
        var leaky: [Int32] = [-1, -1]
        try #require(pipe(&leaky) == 0)
        defer { close(leaky[0]); close(leaky[1]) }
        // `; true` keeps the shell from exec-ing `ls`, so `$$` is the shell the runner spawned.
        let result = runner.run(["sh", "-c", "ls /proc/$$/fd; true"], timeout: 10)
        #expect(result.succeeded, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").sorted() == ["0", "1", "2"], "\(result.stdout)")
    }

    /// A command that writes without end is stopped at the bound, not read into memory.
    @Test func aRunawayOutputIsStoppedAtTheBound() {
        let result = ProcessRunner(maxOutput: 1 << 20).run(["yes"], timeout: 20)
        #expect(!result.succeeded && result.stdout.isEmpty)
        #expect(result.failure == "its output passed 1 MiB: stopped")
    }

    /// Shell metacharacters, spaces and newlines reach the program as one argument each;
    /// nothing is executed by a shell.
    @Test(arguments: ["a; touch /tmp/watt-pwned", "$(touch /tmp/watt-pwned)", "`touch /tmp/watt-pwned`", "x\ny", "a b", "-rf", "'\"|&>"])
    func argumentsAreNeverInterpreted(_ hostile: String) {
        let result = runner.run(["printf", "%s", hostile], timeout: 10)
        #expect(result.stdout == hostile)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/watt-pwned"))
    }
}

@Suite struct SlurmNamesTests {
    @Test(arguments: ["1", "123", "123_4", "77+1"]) func jobIDs(_ s: String) { #expect(SlurmNames.isJobID(s)) }
    @Test(arguments: ["", "-1", "12 3", "1;2", "12\n", "a1", "$(id)"]) func badJobIDs(_ s: String) { #expect(!SlurmNames.isJobID(s)) }
    @Test(arguments: ["gpu", "efficient", "node-01.cluster", "a_b"]) func names(_ s: String) { #expect(SlurmNames.isName(s)) }
    @Test(arguments: ["", "-p", "a b", "a;b", "a\nb", "gpu,efficient", "x$(id)", "é"]) func badNames(_ s: String) { #expect(!SlurmNames.isName(s)) }
}

@Suite struct SlurmCommandsTests {
    func commands(_ action: ClusterAction, _ target: String, cap: CapExecutor? = nil) -> Result<[[String]], SlurmError> {
        SlurmCommands.commands(for: action, target: target, now: 1_591_000_000, cap: cap, uncapWatts: { _ in 700 })
    }

    @Test func eachVerbBecomesScontrol() throws {
        #expect(try commands(.move(jobs: ["12"], toPool: "efficient"), "12").get() == [["scontrol", "update", "JobId=12", "Partition=efficient"]])
        #expect(try commands(.release(jobs: ["12"]), "12").get() == [["scontrol", "update", "JobId=12", "StartTime=now"]])
        #expect(try commands(.preempt(jobs: ["12"]), "12").get() == [["scontrol", "requeue", "12"]])
        #expect(try commands(.suspend(nodes: ["n1"]), "n1").get() == [["scontrol", "update", "NodeName=n1", "State=POWER_DOWN"]])
        #expect(try commands(.wake(nodes: ["n1"]), "n1").get() == [["scontrol", "update", "NodeName=n1", "State=POWER_UP"]])
        let deferred = try commands(.deferJobs(["12"], for: 3600), "12").get()
        #expect(deferred[0][0...2] == ["scontrol", "update", "JobId=12"])
        #expect(deferred[0][3].hasPrefix("StartTime=20"))
        #expect(try commands(ClusterAction(.alert(severity: "info", message: "x"), targets: []), "").get() == [])
    }

    @Test func drainAndResumeNameTheRule() throws {
        #expect(try commands(.drain(nodes: ["n1"], rule: "too_hot"), "n1").get()
                == [["scontrol", "update", "NodeName=n1", "State=DRAIN", "Reason=watt: too_hot"]])
        #expect(try commands(.drain(nodes: ["n1"]), "n1").get() == [["scontrol", "update", "NodeName=n1", "State=DRAIN", "Reason=watt"]])
        #expect(try commands(.resume(nodes: ["n1"]), "n1").get() == [["scontrol", "update", "NodeName=n1", "State=RESUME"]])
    }

    /// A rule name reaches Slurm only as plain text inside the one `Reason=` argument.
    @Test(arguments: ["a\" State=RESUME", "x; reboot", "$(id)", "line 3", "r\nState=DOWN", "é", String(repeating: "r", count: 200)])
    func drainReasonsAreSanitised(_ rule: String) throws {
        let command = try #require(try commands(.drain(nodes: ["n1"], rule: rule), "n1").get().first)
        #expect(command.count == 5)
        let reason = command[4]
        #expect(reason.hasPrefix("Reason=watt: "))
        #expect(reason.count <= "Reason=watt: ".count + 64)
        #expect(reason.dropFirst("Reason=watt: ".count).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:/".contains($0)) })
    }

    @Test func capsNeedAnExecutor() throws {
        guard case .failure(let why) = commands(.cap(nodes: ["n1"], atWatts: 400), "n1") else { Issue.record("a cap ran without an executor"); return }
        #expect(why.message.contains("Slurm has no GPU power-cap API"))
        let executor = try CapExecutor(template: ["ssh", "{node}", "nvidia-smi", "-pl", "{watts}"])
        #expect(try commands(.cap(nodes: ["n1"], atWatts: 400), "n1", cap: executor).get() == [["ssh", "n1", "nvidia-smi", "-pl", "400"]])
        #expect(try commands(.uncap(nodes: ["n1"]), "n1", cap: executor).get() == [["ssh", "n1", "nvidia-smi", "-pl", "700"]])
        #expect(throws: SlurmError.self) { try CapExecutor(template: ["ssh", "host-{node}", "nvidia-smi", "-pl", "{watts}"]) }
        #expect(throws: SlurmError.self) { try CapExecutor(template: ["{node}"]) }
        #expect(throws: SlurmError.self) { try CapExecutor(template: ["nvidia-smi", "-pl"]) }
    }

    @Test(arguments: ["1; reboot", "$(id)", "12 13", "-1"]) func hostileJobIDsAreRefused(_ id: String) {
        guard case .failure(let why) = commands(.move(jobs: [id], toPool: "gpu"), id) else { Issue.record("`\(id)` reached a command"); return }
        #expect(why.message.hasPrefix("refused job id"))
    }

    @Test(arguments: ["gpu; reboot", "gpu efficient", "-p", "a\nb"]) func hostilePartitionsAndNodesAreRefused(_ name: String) {
        if case .success = commands(.move(jobs: ["12"], toPool: name), "12") { Issue.record("partition `\(name)` reached a command") }
        if case .success = commands(.suspend(nodes: [name]), name) { Issue.record("node `\(name)` reached a command") }
        if case .success = commands(.drain(nodes: [name], rule: "r"), name) { Issue.record("node `\(name)` reached a drain") }
        if case .success = commands(.resume(nodes: [name]), name) { Issue.record("node `\(name)` reached a resume") }
    }
}
