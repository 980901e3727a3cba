import Foundation
import Testing
import WattSupport
@testable import WattCLI

/// `watt run`'s window, clock and real-time options, and the progress display.
@Suite struct RunOptionsTests {
    func options(_ change: (inout RunCommand.Options) -> Void) -> RunCommand.Options {
        var o = RunCommand.Options()
        o.paths = [Paths.root.appendingPathComponent("policies/peak").path]
        o.cluster = Paths.root.appendingPathComponent("examples/clusters/small.yaml").path
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

    @Test(arguments: [
        ("from", "June 3rd", "--from `June 3rd` is not an ISO 8601 date"),
        ("to", "tomorrow", "--to `tomorrow` is not an ISO 8601 date"),
        ("tick", "0.5s", "--tick `0.5s` is not a duration of at least 1 s"),
        ("interval", "soon", "--interval `soon` is not a positive duration"),
        ("days", "-1", "--days must be a positive number"),
    ]) func usageErrors(_ option: String, _ value: String, _ message: String) {
        let out = RunCommand.run(options { o in
            switch option {
            case "from": o.from = value
            case "to": o.to = value
            case "tick": o.tick = value
            case "interval": o.interval = value
            default: o.days = Double(value) ?? 0
            }
        })
        #expect(out.exitCode == 2)
        #expect(out.stderr.contains(message), "\(out.stderr)")
    }

    @Test func windowAndTickAreReported() {
        let out = RunCommand.run(options { $0.from = "2020-01-07"; $0.to = "2020-01-07T06:00:00Z"; $0.tick = "1min" })
        #expect(out.exitCode == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.contains("2020-01-07T00:00:00Z to 2020-01-07T06:00:00Z, tick 1 min"))
        #expect(out.stdout.contains("slowdown p95"))
        #expect(out.stdout.contains("flaps (undone within 1 h)"))
    }

    @Test func gridFileReplacesTheClusterFilesSeries() {
        let grid = Paths.root.appendingPathComponent("examples/data/grid/fr_ci_2020.csv").path
        let out = RunCommand.run(options { $0.grid = grid; $0.days = 0.25 })
        #expect(out.exitCode == 0, "\(out.stdout)\(out.stderr)")
        let missing = RunCommand.run(options { $0.grid = "/nonexistent/grid.csv"; $0.days = 0.25 })
        #expect(missing.exitCode == 1)
        #expect(missing.stdout.contains("cannot read `/nonexistent/grid.csv`: no such file"))
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
