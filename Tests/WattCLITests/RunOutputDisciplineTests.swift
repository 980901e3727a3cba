import Foundation
import Testing
import WattSupport
@testable import WattCLI

/// `watt run`'s outputs: failures on stderr as `error[CODE]:` with the code's exit status,
/// outputs checked before the run, `--json -` to stdout, usage errors alike whoever finds
/// them, `--version`, and an empty policy folder refused as `watt check` refuses it.
@Suite struct RunOutputDisciplineTests {
    static let small = Paths.root.appendingPathComponent("examples/clusters/small.yaml").path
    static let peak = Paths.root.appendingPathComponent("policies/peak").path

    func temporary() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Into a folder that is not there: refused before the run (nothing simulated, no table).
    @Test(arguments: ["--json", "--svg"]) func anOutputIntoAMissingFolderFailsFirst(_ flag: String) {
        var o = RunCommand.Options()
        o.settings.policies = [Self.peak]
        o.settings.cluster = Self.small
        o.settings.days = 30
        if flag == "--json" { o.jsonPath = "/nonexistent-watt-dir/report.json" } else { o.svgPath = "/nonexistent-watt-dir/run.svg" }
        let out = RunCommand.run(o)
        #expect(out.exitCode == 2)
        #expect(out.stdout.isEmpty, "the run went on: \(out.stdout.prefix(200))")
        #expect(out.stderr.hasPrefix("error[C0205]: \(flag): cannot write `/nonexistent-watt-dir/"), "\(out.stderr)")
        #expect(out.stderr.contains("no such directory `/nonexistent-watt-dir`"))
    }

    @Test func jsonToStdoutIsTheJSONAlone() throws {
        let dir = try temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try runWatt(["run", Self.peak, "--cluster", Self.small, "--days", "0.1", "--json", "-"], in: dir)
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["policies"] != nil)
        #expect(result.stderr.contains("facility energy"), "the table goes to stderr")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("-").path), "a file named `-` was written")
        let both = RunCommand.run({
            var o = RunCommand.Options()
            o.settings.policies = [Self.peak]
            o.jsonPath = "-"
            o.svgPath = "-"
            return o
        }())
        #expect(both.exitCode == 64 && both.stderr.hasPrefix("error[C0101]: --json and --svg cannot both write to stdout"))
    }

    @Test func anEmptyFolderIsRefusedAsCheckRefusesIt() throws {
        let dir = try temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try runWatt(["run", dir.path, "--days", "0.1"])
        let check = try runWatt(["check", dir.path])
        #expect(run.status == 2 && check.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.hasPrefix("error[C0201]: no policy files in `\(dir.path)`"), "\(run.stderr)")
    }

    /// The parser's usage errors read like Watt's own: stderr, `error[C0101]:`, exit 64, the
    /// range for a number out of it.
    @Test(arguments: [
        (["run", "--days", "-1"], "--days must be a number of days above 0 and at most 3653, found `-1`"),
        (["run", "--days", "1e308"], "--days must be a number of days above 0 and at most 3653, found `1e308`"),
        (["run", "--tick", "0.001s"], "--tick must be from 1 s to 1 day (86400 s), found `0.001s`"),
        (["run", "--tick", "2d"], "--tick must be from 1 s to 1 day (86400 s), found `2d`"),
        (["run", "--no-such-flag"], "Unknown option '--no-such-flag'"),
        // Every number read from a flag has bounds.
        (["run", "policies/", "--scheduler", "slurm", "--ticks", "-3"], "--ticks must be a whole number from 1 to 1000000000, found `-3`"),
        (["run", "policies/", "--scheduler", "slurm", "--power-cap", "1e308"], "--power-cap must be a number from 1 to 10000000000 W, found `1e308`"),
        (["test", "policies/", "--timeout", "1e308"], "--timeout must be a number from 0.001 to 86400 s, found `1e308`"),
        (["test", "policies/", "--threshold", "500"], "--threshold must be a number from 0 to 100, found `500`"),
        (["repl", "--history-size", "-1"], "The value '-1' is invalid for '--history-size <history-size>': --history-size must be a whole number from 0 to 1000000, found `-1`"),
    ]) func usageErrorsAreAlike(_ arguments: [String], _ message: String) throws {
        let result = try runWatt(arguments)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("error[C0101]: "), "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func aMissingClusterFileIsAnErrorOnStderr() throws {
        let result = try runWatt(["run", Self.peak, "--cluster", "/nonexistent-watt-dir/c.yaml", "--days", "0.1"])
        #expect(result.status == 2 && result.stdout.isEmpty)
        #expect(result.stderr == "error[C0202]: /nonexistent-watt-dir/c.yaml: no such file\n")
    }

    @Test func version() throws {
        let result = try runWatt(["--version"])
        #expect(result.status == 0 && result.stdout == WattVersion.current + "\n")
    }

    /// The documented longest tick runs (it crashed in the forecasters' backtest).
    @Test func aDailyTickRuns() throws {
        let result = try runWatt(["run", "--cluster", Self.small, "--tick", "86400s", "--days", "2"])
        #expect(result.status == 0, "\(result.stderr.suffix(400))")
        #expect(result.stdout.contains("tick 24 h"))
    }
}
