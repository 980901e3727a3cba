import ArgumentParser
import Foundation
import WattCluster
import WattEnergy
import WattSupport

/// `watt shift study`: the Let's Wait Awhile reproduction tables (docs/carbon.md), computed by
/// `LetsWaitAwhileTables` in WattEnergy over the 2020 grid series.
public enum ShiftCommand {
    /// The region codes and their files in the data folder.
    public static let regionFiles = [("DE", "ger_ci_2020.csv"), ("GB", "gb_ci_2020.csv"), ("FR", "fr_ci_2020.csv")]

    public struct Options: Sendable {
        public var scenario = 1
        public var forecasts = "all"
        public var regions = "all"
        public var format = "text"
        public var dataDirectory = "examples/data/grid"
        public var series: String?
        public var confidences = "0,1"
        public var procedures = "all"
        public var definitions = "code"
        public var jobSeeds = 20
        public var noiseSeeds = 10
        /// Settings of Watt's forecaster over the loop's defaults (as `watt forecast` takes them).
        public var wattModels: String?
        public var wattHorizons: String?
        public var wattWindows: String?
        public init() {}
    }

    public static func run(_ o: Options) -> CommandOutput {
        func usage(_ message: String) -> CommandOutput { CommandOutput(error: WattError(.usage, message)) }
        guard let scenario = LetsWaitAwhileTables.Scenario(rawValue: o.scenario) else {
            return usage("--scenario must be 1 (nightly job) or 2 (ad-hoc ML jobs), got `\(o.scenario)`")
        }
        guard let format = OutputFormat(rawValue: o.format) else { return usage("--format must be text or json, got `\(o.format)`") }
        var sources: [LetsWaitAwhileTables.Source] = []
        for name in o.forecasts.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            let named: [LetsWaitAwhileTables.Source]
            if name == "all" { named = LetsWaitAwhileTables.Source.standard }
            else if name == "bounds" { named = [.profileHindsight, .linearHindsight] }
            else if let s = LetsWaitAwhileTables.Source(rawValue: name) { named = [s] }
            else {
                return usage("unknown forecast `\(name)`; expected oracle, noisy, persistence, watt, all (those four), "
                             + "profile-hindsight, linear-hindsight or bounds (those two)")
            }
            for s in named where !sources.contains(s) { sources.append(s) }
        }
        var regionNames: [String] = []
        for name in o.regions.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).uppercased() }) {
            if name == "ALL" { regionNames = regionFiles.map(\.0); break }
            guard regionFiles.contains(where: { $0.0 == name }) else { return usage("unknown region `\(name)`; expected DE, GB, FR or all") }
            if !regionNames.contains(name) { regionNames.append(name) }
        }
        guard !sources.isEmpty, !regionNames.isEmpty else { return usage("name at least one forecast and one region") }
        if o.series != nil && regionNames.count != 1 { return usage("--series needs exactly one --region (the series' label)") }
        var confidences: [Double] = []
        for text in o.confidences.split(separator: ",") {
            guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite, (0...10).contains(v) else {
                return usage("--confidence takes numbers from 0 to 10 separated by commas, got `\(o.confidences)`")
            }
            confidences.append(v)
        }
        guard !confidences.isEmpty else { return usage("--confidence needs at least one number") }
        var procedures: [ShiftProcedure] = []
        for name in o.procedures.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            if name == "all" { procedures = ShiftProcedure.allCases; break }
            guard let p = ShiftProcedure(rawValue: name) else {
                return usage("unknown procedure `\(name)`; expected submission, online or all")
            }
            if !procedures.contains(p) { procedures.append(p) }
        }
        guard !procedures.isEmpty else { return usage("--procedure needs submission, online or all") }
        guard let definitions = LetsWaitAwhile.Definitions(rawValue: o.definitions) else {
            return usage("--definitions must be code or corrected, got `\(o.definitions)`")
        }
        guard (1...50).contains(o.jobSeeds), (1...50).contains(o.noiseSeeds) else {
            return usage("--job-seeds and --noise-seeds must be from 1 to 50")
        }
        var forecastOptions = ForecastCommand.Options()
        forecastOptions.metric = LoopForecastSource.metric
        forecastOptions.models = o.wattModels
        forecastOptions.horizons = o.wattHorizons
        forecastOptions.windows = o.wattWindows
        let wattSettings: ForecastSettings
        switch ForecastCommand.settings(forecastOptions) {
        case .success(let s): wattSettings = s
        case .failure(var out):
            // `watt forecast`'s own error (code and exit status), with this command's flag names.
            out.stderr = out.stderr.replacingOccurrences(of: "--models", with: "--watt-models")
                .replacingOccurrences(of: "--horizons", with: "--watt-horizons").replacingOccurrences(of: "--windows", with: "--watt-windows")
            return out
        }
        var regions: [(name: String, series: TimeSeries)] = []
        for name in regionNames {
            let file = regionFiles.first { $0.0 == name }!.1
            let path = o.series ?? (o.dataDirectory as NSString).appendingPathComponent(file)
            do {
                let series = try GridCarbonCSV.load(path: path, step: LetsWaitAwhile.step)
                guard series.start <= LetsWaitAwhile.yearStart - 86_400, series.end >= LetsWaitAwhile.yearStart + 372 * 86_400 else {
                    return CommandOutput(error: WattError(.invalidFile, "\(path): the series must cover 2019-12-31 to 2021-01-07 (the year and its windows)"))
                }
                regions.append((name, series))
            } catch {
                return CommandOutput(error: WattError(.invalidFile, "\(path): \(error)", hint: "run from the repository root or pass --data DIR / --series FILE"))
            }
        }
        var options = LetsWaitAwhileTables.Options(scenario: scenario)
        options.sources = sources
        options.confidences = confidences
        options.procedures = procedures
        options.definitions = definitions
        options.jobSeeds = (1...UInt64(o.jobSeeds)).map { $0 }
        options.noiseSeeds = (0..<UInt64(o.noiseSeeds)).map { $0 }
        options.wattSettings = wattSettings
        do {
            let tables = try LetsWaitAwhileTables.run(options, regions: regions) { SeededRandom(seed: $0) }
            return CommandOutput(stdout: format == .json ? tables.json() : tables.text())
        } catch {
            return CommandOutput(error: WattError(.runFailed, "\(error)"))
        }
    }
}

public struct Shift: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Carbon-aware time shifting: the Let's Wait Awhile reproduction (docs/carbon.md).",
        subcommands: [ShiftStudyCommand.self])
    public init() {}
}

public struct ShiftStudyCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "study", abstract: "Percent of emissions avoided by shifting, per region, window and forecast.")
    @Option(help: "1: a 30-minute nightly job at 01:00 within ±2/±4/±6/±8 h; 2: 3,387 ad-hoc ML jobs, Next Workday.")
    var scenario: Int = 1
    @Option(help: "oracle, noisy (5 % error), persistence (24 h), watt, all (those four); the hindsight bounds profile-hindsight, linear-hindsight, or bounds (both); comma-separated.")
    var forecast: String = "all"
    @Option(help: "DE, GB, FR or all; comma-separated.") var region: String = "all"
    @Option(help: "Output format: text or json.") var format: String = "text"
    @Option(help: "The folder of the 2020 grid series.") var data: String = "examples/data/grid"
    @Option(help: "A series file to use instead (30-minute grid, gCO2/kWh); needs one --region.") var series: String?
    @Option(help: "Decision rules: shift only when the saving exceeds this many standard deviations (0: always the lowest).")
    var confidence: String = "0,1"
    @Option(help: "When jobs are decided: submission (once, the paper's), online (every step on a fresh forecast), or all.")
    var procedure: String = "all"
    @Option(help: "code (as their simulator runs) or corrected (as described).") var definitions: String = "code"
    @Option(help: "Scenario II job sets drawn (seeds 1...N).") var jobSeeds: Int = 20
    @Option(help: "Noise draws of the noisy forecast (seeds 0..<N).") var noiseSeeds: Int = 10
    @Option(help: "Watt's forecaster: candidate models (as `watt forecast --models`; default: the loop's).") var wattModels: String?
    @Option(help: "Watt's forecaster: horizons models are chosen on (as `watt forecast --horizons`).") var wattHorizons: String?
    @Option(help: "Watt's forecaster: candidate training windows (as `watt forecast --windows`).") var wattWindows: String?
    public init() {}
    public func run() throws {
        var o = ShiftCommand.Options()
        o.scenario = scenario; o.forecasts = forecast; o.regions = region; o.format = format; o.dataDirectory = data
        o.series = series; o.confidences = confidence; o.procedures = procedure; o.definitions = definitions; o.jobSeeds = jobSeeds; o.noiseSeeds = noiseSeeds
        o.wattModels = wattModels; o.wattHorizons = wattHorizons; o.wattWindows = wattWindows
        let out = ShiftCommand.run(o)
        out.emit()
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}
