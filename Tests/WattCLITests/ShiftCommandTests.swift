import Foundation
import Testing
@testable import WattCLI

@Suite struct ShiftCommandTests {
    static func options(_ edit: (inout ShiftCommand.Options) -> Void) -> ShiftCommand.Options {
        var o = ShiftCommand.Options()
        o.dataDirectory = Paths.root.appendingPathComponent("examples/data/grid").path
        edit(&o)
        return o
    }

    @Test func nightlyOracleTableFromAnyDirectory() {
        let out = ShiftCommand.run(Self.options { $0.forecasts = "oracle"; $0.regions = "GB"; $0.confidences = "0" })
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(out.stdout.contains("| GB | oracle | lowest | at submission | 6.54 [paper 6.50] | 8.36 [paper 8.40] | 8.86 [paper 8.90] | 10.16 [paper 10.20] |"))
        // The oracle's plan does not change as time passes: re-planning every step is the same.
        #expect(out.stdout.contains("| GB | oracle | lowest | every step | 6.54 | 8.36 | 8.86 | 10.16 |"))
        let json = ShiftCommand.run(Self.options { $0.forecasts = "oracle"; $0.regions = "GB"; $0.confidences = "0"; $0.format = "json" })
        #expect(json.exitCode == 0)
        #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil)
    }

    /// The midway table: one row per cell with persistence, Watt's forecaster, the midway point,
    /// the oracle, the share of the gap and the verdict, then the count (Watt's forecaster with
    /// the one-model setting `daily-profile`, to keep a debug run short).
    @Test func midwayTableForEveryCell() {
        let out = ShiftCommand.run(Self.options {
            $0.forecasts = "oracle,persistence,watt"; $0.regions = "GB"; $0.confidences = "0"; $0.procedures = "submission"
            $0.wattModels = "daily-profile"
        })
        #expect(out.exitCode == 0, "\(out.stderr)")
        #expect(out.stdout.contains("| region | column | decided | persistence | watt | midway | oracle | of the gap | met |"))
        // Persistence 1.54 and the oracle 6.54 (the rows above): the midway is 4.04.
        let row = out.stdout.split(separator: "\n").first { $0.hasPrefix("| GB | ±2 h | at submission | 1.54 | ") }
        #expect(row?.contains(" | 4.04 | 6.54 | ") == true, "\(out.stdout)")
        #expect(out.stdout.range(of: #"midway met at submission: [0-4] of 4 cells"#, options: .regularExpression) != nil)
        #expect(out.stdout.contains("watt forecaster, GB (days): daily-profile"))
    }

    @Test func badArgumentsAreRefusedWithAReason() {
        let cases: [(ShiftCommand.Options, String)] = [
            (Self.options { $0.scenario = 3 }, "--scenario"),
            (Self.options { $0.forecasts = "crystal-ball" }, "unknown forecast `crystal-ball`"),
            (Self.options { $0.regions = "XX" }, "unknown region `XX`"),
            (Self.options { $0.confidences = "nan" }, "--confidence"),
            (Self.options { $0.jobSeeds = 0 }, "--job-seeds"),
            (Self.options { $0.procedures = "sometimes" }, "unknown procedure `sometimes`"),
            (Self.options { $0.definitions = "loose" }, "--definitions"),
            (Self.options { $0.dataDirectory = "/nonexistent" }, "help: run from the repository root"),
            (Self.options { $0.series = "/nonexistent.csv" }, "--series needs exactly one --region"),
            (Self.options { $0.wattModels = "crystal-ball" }, "--watt-models: `crystal-ball` is not a model"),
            (Self.options { $0.wattHorizons = "soon" }, "--watt-horizons `soon`"),
        ]
        for (o, message) in cases {
            let out = ShiftCommand.run(o)
            #expect(out.exitCode == (message.hasPrefix("help:") ? 2 : 64) && out.stderr.contains(message), "\(out.stderr)")
        }
    }
}
