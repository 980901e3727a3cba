import Foundation
import Testing

/// `kill -9` in the middle of `watt run`, then `--resume`: the final report equals an
/// uninterrupted run's, and the journal passes SQLite's integrity check. The kill is a real
/// SIGKILL, placed deterministically by the fault-injection variable
/// `WATT_FAULT_KILL_AFTER_TICK=N` (after tick N is applied to the scheduler and before it is
/// journaled: the worst moment, the tick in flight is lost).
@Suite(.serialized) struct CrashRecoveryTests {
    static let args = ["run", "policies/peak", "policies/consolidate", "--cluster", "examples/clusters/demo.yaml", "--days", "0.5"]
    static let ticks = 144

    func journalTicks(_ path: String) -> Int {
        let check = try? runWatt(["journal", path])
        guard let text = check?.stdout, let range = text.range(of: #": (\d+) ticks"#, options: .regularExpression) else { return 0 }
        return Int(text[range].dropFirst(2).split(separator: " ")[0]) ?? 0
    }

    func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The first tick (nothing journaled yet), one in the middle, the last.
    @Test(arguments: [1, 61, 144]) func killedRunResumesToTheSameResult(killAfter: Int) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("run.db").path
        let reference = try runWatt(Self.args + ["--json", dir.appendingPathComponent("reference.json").path])
        #expect(reference.status == 0)

        let killed = try runWatt(Self.args + ["--journal", journal], environment: ["WATT_FAULT_KILL_AFTER_TICK": "\(killAfter)"])
        #expect(killed.status != 0, "the run was not killed")
        #expect(journalTicks(journal) == killAfter - 1, "the tick in flight is lost, the ones before it are not")

        let resumed = try runWatt(Self.args + ["--journal", journal, "--resume", "--json", dir.appendingPathComponent("resumed.json").path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let a = try String(contentsOf: dir.appendingPathComponent("reference.json"), encoding: .utf8)
        let b = try String(contentsOf: dir.appendingPathComponent("resumed.json"), encoding: .utf8)
        #expect(a == b)
        #expect(journalTicks(journal) == Self.ticks)
        #expect(try runWatt(["journal", journal]).stdout.contains("integrity ok"))
    }
}

/// `--resume` continues the same run or none: a dry-run journal cut short and resumed as a
/// real run, or with another cluster, window or policy, is refused with exit 2, each
/// difference named, and the journal left as it was.
@Suite(.serialized) struct ResumeIdentityTests {
    static let args = ["run", "policies/peak", "--cluster", "examples/clusters/demo.yaml", "--days", "0.5"]

    @Test func aDifferentRunIsRefusedAndTheJournalIsUnchanged() throws {
        let dir = try CrashRecoveryTests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("run.db").path
        let killed = try runWatt(Self.args + ["--dry-run", "--journal", journal], environment: ["WATT_FAULT_KILL_AFTER_TICK": "40"])
        #expect(killed.status != 0, "the run was not killed")
        func state() throws -> String {
            try runWatt(["journal", journal]).stdout + runWatt(["journal", journal, "--actions"]).stdout
        }
        let before = try state()
        #expect(before.contains("39 ticks"), "\(before)")

        let small = Paths.root.appendingPathComponent("examples/clusters/small.yaml").path
        let policy = dir.appendingPathComponent("other.watt")
        try "rule other { when false then wake nodes }\n".write(to: policy, atomically: true, encoding: .utf8)
        let cases: [(arguments: [String], differences: [String])] = [
            (Self.args + ["--journal", journal, "--resume"], ["dry run: the run has `--dry-run`, now no `--dry-run`"]),
            (["run", "policies/peak", "--cluster", small, "--days", "0.5", "--dry-run", "--journal", journal, "--resume"],
             ["cluster: the run has `examples/clusters/demo.yaml`, now `\(small)`"]),
            (Self.args + ["--dry-run", "--tick", "60s", "--journal", journal, "--resume"], ["tick: the run has 5 min, now 1 min"]),
            (Self.args + [policy.path, "--dry-run", "--journal", journal, "--resume"], ["policies: `\(policy.path)` was not in the run"]),
        ]
        for (arguments, differences) in cases {
            let refused = try runWatt(arguments)
            #expect(refused.status == 2, "\(arguments): \(refused.stdout)\(refused.stderr)")
            #expect(refused.stderr.hasPrefix("error[C0204]: `--resume` with settings that differ from the journaled run's:\n"), "\(refused.stderr)")
            for difference in differences { #expect(refused.stderr.contains("  - \(difference)"), "\(refused.stderr)") }
            #expect(refused.stderr.contains("help: resume with the run's own settings, or start afresh"))
            #expect(!refused.stdout.contains("IT energy"), "nothing ran")
            #expect(try state() == before, "the journal changed")
        }
        // With its own settings it resumes.
        let resumed = try runWatt(Self.args + ["--dry-run", "--journal", journal, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try runWatt(["journal", journal]).stdout.contains("144 ticks"))
    }
}

/// Signals to a running `watt run` in real-time mode.
@Suite(.serialized) struct SignalTests {
    /// Starts a paced run (50 ms a tick, a day of ticks: far longer than the test) and waits
    /// until its journal has a few ticks.
    func startPacedRun(_ dir: URL, policies: String) throws -> (Process, Pipe, String) {
        let journal = dir.appendingPathComponent("run.db").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = ["run", policies, "--cluster", "examples/clusters/demo.yaml", "--days", "1", "--interval", "50ms",
                             "--journal", journal]
        process.currentDirectoryURL = Paths.root
        let out = Pipe()
        process.standardOutput = out
        let errors = dir.appendingPathComponent("stderr.txt")
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while CrashRecoveryTests().journalTicks(journal) < 3 && process.isRunning && Date() < deadline { usleep(100_000) }
        return (process, out, journal)
    }

    @Test func sigtermStopsCleanlyAfterTheCurrentTick() throws {
        let dir = try CrashRecoveryTests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (process, out, journal) = try startPacedRun(dir, policies: "policies/peak")
        #expect(process.isRunning)
        kill(process.processIdentifier, SIGTERM)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(stdout.contains("stopped by SIGTERM at"))
        #expect(stdout.contains("IT energy"), "the report so far is printed")
        let ticks = CrashRecoveryTests().journalTicks(journal)
        #expect(ticks >= 3 && ticks < 288)
        #expect(try runWatt(["journal", journal]).stdout.contains("integrity ok"))
    }

    /// Issue 18: SIGTERM waited for the tick in flight however long (minutes on a tiny
    /// tick). Tick 5 here never ends (`WATT_FAULT_HANG_AFTER_TICK`): the run ends 10 s after
    /// SIGTERM, saying so, with exit 143; the journal holds ticks 1 to 4 and `--resume` ends
    /// like the uninterrupted run.
    @Test func sigtermEndsARunWhoseTickDoesNotEnd() throws {
        let dir = try CrashRecoveryTests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("run.db").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = CrashRecoveryTests.args + ["--journal", journal]
        process.currentDirectoryURL = Paths.root
        process.environment = ProcessInfo.processInfo.environment.merging(["WATT_FAULT_HANG_AFTER_TICK": "5"]) { $1 }
        let errors = dir.appendingPathComponent("stderr.txt")
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while CrashRecoveryTests().journalTicks(journal) < 4 && process.isRunning && Date() < deadline { usleep(100_000) }
        usleep(300_000)
        kill(process.processIdentifier, SIGTERM)
        let stopping = Date()
        while process.isRunning && Date().timeIntervalSince(stopping) < 60 { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        let stderr = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        #expect(stderr.contains("watt: stopped by SIGTERM: the tick in progress did not end within 10 s"), "\(stderr)")
        #expect(CrashRecoveryTests().journalTicks(journal) == 4)
        let reference = try runWatt(CrashRecoveryTests.args + ["--json", dir.appendingPathComponent("reference.json").path])
        let resumed = try runWatt(CrashRecoveryTests.args + ["--journal", journal, "--resume", "--json", dir.appendingPathComponent("resumed.json").path])
        #expect(reference.status == 0 && resumed.status == 0, "\(resumed.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("reference.json"), encoding: .utf8)
                == String(contentsOf: dir.appendingPathComponent("resumed.json"), encoding: .utf8))
        #expect(try runWatt(["journal", journal]).stdout.contains("integrity ok"))
    }

    @Test func sighupReloadsAndABrokenFileKeepsThePreviousVersion() throws {
        let dir = try CrashRecoveryTests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let policy = dir.appendingPathComponent("peak.watt")
        try FileManager.default.copyItem(atPath: Paths.root.appendingPathComponent("policies/peak/peak.watt").path, toPath: policy.path)
        let (process, out, journal) = try startPacedRun(dir, policies: policy.path)
        #expect(process.isRunning, "\((try? String(contentsOf: dir.appendingPathComponent("stderr.txt"), encoding: .utf8)) ?? "")")
        let original = try String(contentsOf: policy, encoding: .utf8)
        try (original + "\nlet broken = 1 kW + 1 h\n").write(to: policy, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        let deadline = Date().addingTimeInterval(60)
        func reloads() -> String { (try? runWatt(["journal", journal]).stdout) ?? "" }
        while !reloads().contains("rejected") && process.isRunning && Date() < deadline { usleep(100_000) }
        try (original + "\nrule added { when false then wake nodes }\n").write(to: policy, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        while !reloads().contains("reloaded") && process.isRunning && Date() < deadline { usleep(100_000) }
        kill(process.processIdentifier, SIGINT)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(stdout.contains("reload rejected: \(policy.path) has errors, the previous version keeps running"))
        #expect(stdout.contains("reloaded \(policy.path)"))
        #expect(stdout.contains("stopped by SIGINT"))
    }
}
