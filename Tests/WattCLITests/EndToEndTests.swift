import Foundation
import Testing

/// The built `watt` binary, as a user runs it: stdout and exit status.
@Suite(.serialized) struct EndToEndTests {
    @Test func binaryExists() {
        #expect(FileManager.default.isExecutableFile(atPath: Paths.binary), "build first: swift build")
    }

    @Test func evalPrintsSixKilowattHours() throws {
        let result = try runWatt(["eval", "3 kW * 2 h"])
        #expect(result.stdout == "6 kWh\n")
        #expect(result.status == 0)
    }

    @Test func evalCarbon() throws {
        let result = try runWatt(["eval", "(6 kWh * 400 g/kWh)"])
        #expect(result.stdout == "2.4 kg\n")
    }

    @Test func evalUnitErrorExitsOne() throws {
        let result = try runWatt(["eval", "900 kW > 2 h"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("error[E0401]: cannot compare power (kW) with time (h)"))
    }

    @Test func checkExitCodes() throws {
        #expect(try runWatt(["check", Paths.fixture("clean.watt")]).status == 0)
        let bad = try runWatt(["check", Paths.fixture("three_errors.watt")])
        #expect(bad.status == 1)
        #expect(bad.stdout.hasSuffix("3 errors, 1 warning in 1 file\n"))
    }

    @Test func helpListsTheSubcommands() throws {
        let result = try runWatt(["--help"])
        #expect(result.status == 0)
        for command in ["check", "eval", "fmt", "parse", "units"] { #expect(result.stdout.contains(command)) }
    }

    @Test func badFlagIsAUsageError() throws {
        let result = try runWatt(["check", "--format", "xml", Paths.fixture("clean.watt")])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--format must be text or json"))
    }
}

/// `kill -9` in the middle of `watt run`, then `--resume`: the final report equals an
/// uninterrupted run's, and the journal passes SQLite's integrity check.
@Suite(.serialized) struct CrashRecoveryTests {
    func journalTicks(_ path: String) -> Int {
        let check = try? runWatt(["journal", path])
        guard let text = check?.stdout, let range = text.range(of: #": (\d+) ticks"#, options: .regularExpression) else { return 0 }
        return Int(text[range].dropFirst(2).split(separator: " ")[0]) ?? 0
    }

    @Test func killedRunResumesToTheSameResult() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("run.db").path
        let args = ["run", "policies/peak", "policies/consolidate", "--cluster", "examples/clusters/demo.yaml", "--days", "1"]

        let reference = try runWatt(args + ["--json", dir.appendingPathComponent("reference.json").path])
        #expect(reference.status == 0)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = args + ["--journal", journal]
        process.currentDirectoryURL = Paths.root
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while journalTicks(journal) < 60 && Date() < deadline && process.isRunning { usleep(50_000) }
        #expect(process.isRunning, "the run finished before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let ticksAtCrash = journalTicks(journal)
        #expect(ticksAtCrash >= 60 && ticksAtCrash < 288)

        let resumed = try runWatt(args + ["--journal", journal, "--resume", "--json", dir.appendingPathComponent("resumed.json").path])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let a = try String(contentsOf: dir.appendingPathComponent("reference.json"), encoding: .utf8)
        let b = try String(contentsOf: dir.appendingPathComponent("resumed.json"), encoding: .utf8)
        #expect(a == b)
        #expect(journalTicks(journal) == 288)
        #expect(try runWatt(["journal", journal]).stdout.contains("integrity ok"))
    }
}
