import Foundation
import Testing
import WattSupport
@testable import WattCLI

/// `watt run`'s window, clock and real-time options, and the progress display.
@Suite struct RunOptionsTests {
    func options(_ change: (inout RunCommand.Options) -> Void) -> RunCommand.Options {
        var o = RunCommand.Options()
        o.settings.policies = [Paths.root.appendingPathComponent("policies/peak").path]
        o.settings.cluster = Paths.root.appendingPathComponent("examples/clusters/small.yaml").path
        change(&o)
        return o
    }

    @Test(arguments: [
        ("60s", 60.0), ("5min", 300), ("5 min", 300), ("1.5h", 5400), ("2d", 172_800), ("250ms", 0.25), ("30", 30),
    ]) func durations(_ text: String, _ seconds: Double) {
        #expect(DurationText.parse(text) == seconds)
    }

    @Test(arguments: ["", "fast", "-5s", "5 parsecs", "nan"]) func badDurations(_ text: String) {
        #expect(DurationText.parse(text) == nil)
    }

    /// Flag values the parser refuses: usage errors (exit 64) that say what was expected.
    @Test(arguments: [
        (["--from", "June 3rd"], "`June 3rd` is not an ISO 8601 date or time (expected 4 digits of the year)"),
        (["--to", "2023-02-29"], "`2023-02-29` is not an ISO 8601 date or time (day 29 is not in February 2023 (1 to 28))"),
        (["--tick", "soon"], "`soon` is not a duration such as 60s, 5min, 6h or 2d"),
        (["--interval=-5s"], "`-5s` is not a duration such as 60s, 5min, 6h or 2d"),
    ]) func flagValues(_ arguments: [String], _ message: String) {
        do {
            _ = try Run.parse(arguments)
            Issue.record("\(arguments) was accepted")
        } catch {
            #expect(Run.exitCode(for: error).rawValue == 64)
            #expect(Run.message(for: error).contains(message), "\(Run.message(for: error))")
        }
    }

    /// Values of the right kind out of their bounds: usage errors from the settings.
    @Test(arguments: [
        ("tick", "--tick must be between 1 s and 1 day, found `0.5 s`"),
        ("tick-day", "--tick must be between 1 s and 1 day, found `48 h`"),
        ("days", "--days must be a number of days above 0 and at most 3653, found `-1.0`"),
        ("window", "the run ends (2020-01-06T00:00:00Z) before it starts (2020-01-07T00:00:00Z)"),
    ]) func usageErrors(_ setting: String, _ message: String) {
        let out = RunCommand.run(options { o in
            switch setting {
            case "tick": o.settings.tick = 0.5
            case "tick-day": o.settings.tick = 2 * 86_400
            case "window": o.settings.from = 1_578_355_200; o.settings.to = 1_578_268_800
            default: o.settings.days = -1
            }
        })
        #expect(out.exitCode == 64)
        #expect(out.stderr == "error[C0101]: \(message)\n", "\(out.stderr)")
    }

    @Test func windowAndTickAreReported() throws {
        let out = RunCommand.run(try Run.parse(["--from", "2020-01-07", "--to", "2020-01-07T06:00:00Z", "--tick", "1min",
                                                "--cluster", Paths.root.appendingPathComponent("examples/clusters/small.yaml").path,
                                                Paths.root.appendingPathComponent("policies/peak").path]).options(quiet: true))
        #expect(out.exitCode == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("2020-01-07T00:00:00Z to 2020-01-07T06:00:00Z, tick 1 min"))
        #expect(out.stdout.contains("slowdown p95"))
        #expect(out.stdout.contains("flaps (undone within 1 h)"))
    }

    @Test func gridFileReplacesTheClusterFilesSeries() {
        let grid = Paths.root.appendingPathComponent("examples/data/grid/fr_ci_2020.csv").path
        let out = RunCommand.run(options { $0.settings.grid = grid; $0.settings.days = 0.25 })
        #expect(out.exitCode == 0, "\(out.stdout)\(out.stderr)")
        let missing = RunCommand.run(options { $0.settings.grid = "/nonexistent/grid.csv"; $0.settings.days = 0.25 })
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("cannot read `/nonexistent/grid.csv`: no such file"), "\(missing.stderr)")
    }

    @Test func etaIsTheRemainingShareOfTheElapsedTime() {
        #expect(ProgressBar.eta(fraction: 0.25, elapsed: 10) == "ETA 0:30")
        #expect(ProgressBar.eta(fraction: 0.5, elapsed: 3600) == "ETA 1:00:00")
        #expect(ProgressBar.eta(fraction: 0, elapsed: 1) == "ETA --:--")
        #expect(ProgressBar.eta(fraction: 1, elapsed: 1) == "done")
    }

    @Test func progressWithoutATerminalIsALineEveryTenPercent() {
        final class Lines: @unchecked Sendable { var text = "" }
        let lines = Lines()
        let bar = ProgressBar(interactive: false) { lines.text += $0 }
        for i in 1...100 { bar.update(fraction: Double(i) / 100, simulatedTime: "t\(i)") }
        let printed = lines.text.split(separator: "\n")
        #expect(printed.count == 10)
        #expect(printed.last?.hasPrefix("  simulated 100 % (to t100)") == true)
    }

    @Test func journalCommandDoesNotCreateAMissingJournal() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("watt-none-\(UUID().uuidString).db").path
        let out = JournalCommand.summary(path: path)
        #expect(out.exitCode == 2)
        #expect(out.stderr.contains("no journal at"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
