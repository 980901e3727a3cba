import Foundation
import Testing
@testable import WattCLI

/// `watt forecast`: the loop's forecaster on a file, its flags and output formats.
@Suite struct ForecastCommandTests {
    static let fr = Paths.root.appendingPathComponent("examples/data/grid/fr_ci_2020.csv").path

    static func options(_ configure: (inout ForecastCommand.Options) -> Void) -> ForecastCommand.Options {
        var o = ForecastCommand.Options(csv: [fr])
        o.model = "daily-profile"   // one model: quick in a debug build
        configure(&o)
        return o
    }

    @Test func badInputsAreUsageErrors() {
        let cases: [(ForecastCommand.Options, String)] = [
            (ForecastCommand.Options(csv: ["/no/such.csv"]), "/no/such.csv"),
            (Self.options { $0.criterion = "best" }, "--criterion must be `mae` or `mape`, not `best`"),
            (Self.options { $0.model = "prophet" }, "--model `prophet` is not a model; known: persistence, "),
            (Self.options { $0.horizons = "1h,6x" }, "--horizons `1h,6x`: expected durations such as `1h,6h,24h`"),
            (Self.options { $0.horizon = "6" }, "--horizon `6`: expected a duration up to 30 days, such as `6h`"),
            (Self.options { $0.format = "xml" }, "--format must be `text`, `json` or `csv`, not `xml`"),
            (Self.options { $0.holdout = "400d" }, "--holdout `400d`: expected a duration shorter than the series"),
            (Self.options { $0.origins = 0 }, "origins: `0` is outside 1 to 1000"),
            (Self.options { $0.level = 100 }, "interval_level: `1.0` is not between 0 and 1"),
            (ForecastCommand.Options(), "give a series file"),
        ]
        for (o, message) in cases {
            let out = ForecastCommand.run(o)
            #expect((out.exitCode == 64 || out.exitCode == 2) && out.stdout.isEmpty, "\(o)")
            #expect(out.stderr.hasPrefix("error[C0") && out.stderr.contains(message), "\(out.stderr)")
        }
    }

    @Test func textShowsTheChoiceTheCalibrationAndTheDecision() {
        let singles = "persistence,seasonal-naive-1d,seasonal-naive-7d,holt-winters-1d,holt-winters-1d+7d,linear-regression,daily-profile"
        let out = ForecastCommand.run(Self.options { $0.model = nil; $0.models = singles; $0.horizon = "2h"; $0.origins = 2 })
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(out.stdout.contains("| persistence | "))
        #expect(out.stdout.contains("| holt-winters(1d+7d) (14d window) | "))
        #expect(out.stdout.contains("\nchosen: "))
        #expect(out.stdout.contains("\nintervals: 80 % from the model's out-of-sample errors"))
        #expect(out.stdout.contains("80 % interval"))
        #expect(out.stdout.contains("\ndecision: "))
    }

    @Test func modelHorizonsAndLevelAreApplied() {
        let out = ForecastCommand.run(Self.options { $0.horizons = "1h,3h"; $0.horizon = "6h"; $0.level = 90 })
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(out.stdout.contains("horizons 1h, 3h; models daily-profile; 90 % intervals"))
        #expect(out.stdout.contains("\nmodel: daily-profile (the only candidate)\n"))
        #expect(out.stdout.contains("90 % interval        95 % interval"))
        #expect(out.stdout.contains("note: forecasting 6h ahead, beyond the horizons the model was chosen and calibrated on (up to 3h)"))
    }

    @Test func jsonIsStrictAndComplete() throws {
        let out = ForecastCommand.run(Self.options { $0.format = "json"; $0.horizon = "3h" })
        #expect(out.exitCode == 0, "\(out.stderr)")
        for bad in [": nan", ": inf", ": -inf", "NaN", "Infinity"] { #expect(!out.stdout.contains(bad)) }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        #expect(object["model"] as? String == "daily-profile")
        #expect(object["metric"] as? String == "grid.carbon_intensity")
        let points = try #require(object["forecast"] as? [[String: Any]])
        #expect(points.count == 6)
        #expect(points[0]["time"] as? String == "2021-01-09T23:00:00Z")
        #expect(points.allSatisfy { ($0["lower"] as? Double ?? -1) >= 0 })
        let decision = try #require(object["decision"] as? [String: Any])
        #expect(decision["informative"] is Bool)
        let settings = try #require(object["settings"] as? [String: Any])
        #expect(settings["origins"] as? Int == 8 && settings["nonNegative"] as? Bool == true)
        #expect(object["calibration"] is [String: Any])
    }

    @Test func csvListsTheForecastPoints() {
        let out = ForecastCommand.run(Self.options { $0.format = "csv"; $0.horizon = "3h" })
        let lines = out.stdout.split(separator: "\n")
        #expect(lines.first == "time,forecast,lower_80,upper_80,lower_95,upper_95")
        #expect(lines.count == 7)
        #expect(lines[1].hasPrefix("2021-01-09T23:00:00Z,"))
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 6 })
    }

    /// `--holdout` chooses on the rest and replays the loop over the held-out end.
    @Test func holdoutReplaysTheLoopAndScoresIt() throws {
        let out = ForecastCommand.run(Self.options { $0.holdout = "3d"; $0.horizon = "2h"; $0.horizons = "1h,6h" })
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(out.stdout.contains("held out: the last 3d (after 2021-01-06 22:30 UTC)"))
        #expect(out.stdout.contains("forecast from 2021-01-06 22:30 UTC"))
        #expect(out.stdout.contains("actual\n"))
        #expect(out.stdout.contains("replay: the loop's forecaster from 2021-01-06 22:30 to "))
        for row in ["| watt | ", "| persistence | ", "| 24h-persistence | ", "| seasonal-naive(7d) | "] { #expect(out.stdout.contains(row)) }
        #expect(out.stdout.contains("coverage of the 80 % interval: 1h "))
        #expect(out.stdout.contains("nightly 30min job due at 01:00 UTC"))
        let json = ForecastCommand.run(Self.options { $0.holdout = "3d"; $0.horizons = "1h,6h"; $0.format = "json" })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let replay = try #require(object["replay"] as? [String: Any])
        #expect(replay["models"] as? [String] == ["watt", "persistence", "24h-persistence", "seasonal-naive(7d)"])
        let csv = ForecastCommand.run(Self.options { $0.holdout = "3d"; $0.horizons = "1h,6h"; $0.format = "csv" })
        #expect(csv.stdout.hasPrefix("time,forecast,lower_80,upper_80,lower_95,upper_95,actual\n"))
    }

    @Test func showSettingsListsWhatTheLoopUses() throws {
        var o = ForecastCommand.Options()
        o.showSettings = true
        o.metric = "grid.price"
        let out = ForecastCommand.run(o)
        #expect(out.exitCode == 0)
        #expect(out.stdout.hasPrefix("forecast settings for `grid.price` (what `forecast(grid.price, ...)` uses):\n"))
        #expect(out.stdout.contains("horizons: 1h, 6h, 1d\n"))
        #expect(out.stdout.contains("non-negative: no\n"))
        o.format = "json"
        let json = ForecastCommand.run(o)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(list.first?["metric"] as? String == "grid.price")
    }

    /// `--calibration` on a short file (35 days): a week replayed after 28 days of history.
    @Test func calibrationReplaysWholeFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-forecast-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("cycle.csv")
        var text = "time,value\n"
        for i in 0..<(35 * 24) {
            let t = 1_577_836_800.0 + Double(i) * 3600   // from 2020-01-01, hourly
            text += "\(ForecastSummaryTime.iso(t)),\(200 + 50 * sin(2 * Double.pi * t / 86_400) + Double(i % 7))\n"
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
        var o = ForecastCommand.Options(csv: [file.path])
        o.calibration = true
        o.model = "daily-profile"
        o.format = "csv"
        let out = ForecastCommand.run(o)
        #expect(out.exitCode == 0, "\(out.stderr)")
        let lines = out.stdout.split(separator: "\n")
        #expect(lines.first == "series,kind,model,seconds,mae,mape,coverage,negative_lower_raw,negative_lower,count,saving_percent,days_moved")
        #expect(lines.contains { $0.hasPrefix("cycle,accuracy,watt,3600,") })
        #expect(lines.contains { $0.hasPrefix("cycle,nightly,oracle,7200,") })
        o.format = "text"
        let markdown = ForecastCommand.run(o).stdout
        #expect(markdown.hasPrefix("### Accuracy: MAPE % / MAE per horizon (origins every 1h)\n"))
        #expect(markdown.contains("| cycle | "))
    }
}

/// ISO timestamps for the test files.
enum ForecastSummaryTime {
    static func iso(_ t: Double) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: t))
    }
}
