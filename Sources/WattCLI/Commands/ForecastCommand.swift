import ArgumentParser
import Foundation
import WattEnergy
import WattSupport

/// `watt forecast SERIES.csv`: forecasts a two-column time series (`time,value`, e.g. the grid
/// carbon-intensity files in examples/data/grid/) with the control loop's own forecaster and
/// settings (`ForecastSummary`, `ForecastSettings` in WattEnergy): the same model choice,
/// training window and interval calibration a policy's `forecast(metric, horizon)` gets.
public enum ForecastCommand {
    public struct Options: Sendable {
        public var csv: [String] = []
        /// Which metric's default settings apply (`grid.carbon_intensity`, `site.power`, ...).
        public var metric = "grid.carbon_intensity"
        /// How far ahead to forecast (a duration: `6h`).
        public var horizon = "6h"
        public var horizons: String?
        public var windows: String?
        public var origins: Int?
        public var history: String?
        public var calibrationSpan: String?
        public var calibrationOrigins: Int?
        public var model: String?
        public var level: Double?
        public var confidence: Double?
        public var models: String?
        public var criterion: String?
        public var allowNegative = false
        public var holdout: String?
        public var format = "text"
        public var stepMinutes: Double?
        public var showSettings = false
        public var calibration = false
        public init(csv: [String] = []) { self.csv = csv }
    }

    static func usage(_ message: String) -> CommandOutput { CommandOutput(error: WattError(.usage, message)) }

    /// The settings the options describe: the metric's defaults with each given option over them.
    static func settings(_ o: Options) -> Result<ForecastSettings, CommandOutput> {
        var s = ForecastSettings.defaults(for: o.metric)
        if let text = o.horizons {
            guard let h = parseDurations(text) else { return .failure(usage("--horizons `\(text)`: expected durations such as `1h,6h,24h`")) }
            s.horizons = h
        }
        if let text = o.windows {
            guard let w = parseDurations(text) else { return .failure(usage("--windows `\(text)`: expected durations such as `3d,7d,14d`")) }
            s.trainingWindows = w
        }
        if let n = o.origins { s.origins = n }
        if let n = o.calibrationOrigins { s.calibrationOrigins = n }
        for (flag, text, path) in [("--history", o.history, \ForecastSettings.history),
                                   ("--calibration-span", o.calibrationSpan, \ForecastSettings.calibrationSpan)] {
            guard let text else { continue }
            guard let v = parseDuration(text) else { return .failure(usage("\(flag) `\(text)`: expected a duration such as `28d`")) }
            s[keyPath: path] = v
        }
        if let name = o.model {
            guard let known = ForecastSettings.modelName(name) else {
                let known = ForecastSettings.modelNames.joined(separator: ", ")
                return .failure(usage("--model `\(name)` is not a model; known: \(known)"))
            }
            s.models = [known]
        }
        if let level = o.level { s.intervalLevel = level > 1 ? level / 100 : level }
        if let c = o.confidence { s.shiftConfidence = c > 1 ? c / 100 : c }
        if let text = o.models {
            var names: [String] = []
            for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let known = ForecastSettings.modelName(item) else {
                    let all = ForecastSettings.modelNames.joined(separator: ", ")
                    return .failure(usage("--models: `\(item)` is not a model; known: \(all)"))
                }
                names.append(known)
            }
            s.models = names
        }
        if let c = o.criterion {
            guard let criterion = Criterion(rawValue: c) else { return .failure(usage("--criterion must be `mae` or `mape`, not `\(c)`")) }
            s.criterion = criterion
        }
        if o.allowNegative { s.nonNegative = false }
        let problems = s.problems()
        guard problems.isEmpty else { return .failure(usage(problems.joined(separator: "; "))) }
        return .success(s)
    }

    public static func run(_ o: Options) -> CommandOutput {
        guard ["text", "json", "csv"].contains(o.format) else { return usage("--format must be `text`, `json` or `csv`, not `\(o.format)`") }
        let settings: ForecastSettings
        switch Self.settings(o) {
        case .success(let s): settings = s
        case .failure(let out): return out
        }
        if o.showSettings { return showSettings(o, settings) }
        guard !o.csv.isEmpty else { return usage("give a series file, e.g. `watt forecast examples/data/grid/ger_ci_2020.csv`") }
        if let m = o.stepMinutes, !(m.isFinite && m >= 1 && m <= 1440) { return usage("--step must be between 1 and 1440 minutes") }
        var loaded: [(name: String, series: TimeSeries)] = []
        for path in o.csv {
            do {
                loaded.append((path, try GridCarbonCSV.load(path: path, step: o.stepMinutes.map { $0 * 60 })))
            } catch {
                return CommandOutput(error: WattError(.invalidFile, "\(path): \(error)"))
            }
        }
        if o.calibration { return calibration(o, settings, loaded) }
        guard loaded.count == 1 else { return usage("give one series file (several only with --calibration)") }
        guard let horizon = parseDuration(o.horizon), horizon <= 30 * 86_400 else {
            return usage("--horizon `\(o.horizon)`: expected a duration up to 30 days, such as `6h`")
        }
        let (name, series) = loaded[0]
        var holdout: Double?
        if let text = o.holdout {
            let span = series.end - series.start
            guard let h = parseDuration(text), h >= series.step, h < span else {
                return usage("--holdout `\(text)`: expected a duration shorter than the series (\(formatDuration(span))), such as `7d`")
            }
            holdout = h
        }
        do {
            let summary = try ForecastSummary(name: name, metric: o.metric, series: series, horizon: horizon, settings: settings,
                                              holdout: holdout)
            switch o.format {
            case "json": return CommandOutput(stdout: try summary.json())
            case "csv": return CommandOutput(stdout: summary.csv())
            default: return CommandOutput(stdout: summary.text)
            }
        } catch {
            return CommandOutput(error: WattError(.runFailed, "\(name): \(error)"))
        }
    }

    static func showSettings(_ o: Options, _ settings: ForecastSettings) -> CommandOutput {
        if o.format == "json" {
            struct Entry: Encodable { var metric: String; var settings: ForecastSettings }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            guard let data = try? encoder.encode([Entry(metric: o.metric, settings: settings)]) else { return usage("cannot encode the settings") }
            return CommandOutput(stdout: String(decoding: data, as: UTF8.self) + "\n")
        }
        return CommandOutput(stdout: "forecast settings for `\(o.metric)` (what `forecast(\(o.metric), ...)` uses):\n" + settings.text)
    }

    static func calibration(_ o: Options, _ settings: ForecastSettings, _ loaded: [(name: String, series: TimeSeries)]) -> CommandOutput {
        let named = loaded.map { item in
            (name: ((item.name as NSString).lastPathComponent as NSString).deletingPathExtension, series: item.series)
        }
        let entries = ForecastCalibration.run(named, metric: o.metric, settings: settings)
        switch o.format {
        case "json":
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            guard let data = try? encoder.encode(entries) else { return usage("cannot encode the calibration") }
            return CommandOutput(stdout: String(decoding: data, as: UTF8.self) + "\n")
        case "csv": return CommandOutput(stdout: ForecastCalibration.csv(entries))
        default: return CommandOutput(stdout: ForecastCalibration.markdown(entries, settings: settings))
        }
    }
}

public struct Forecast: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Forecast a time series (CSV `time,value`) with the control loop's forecaster; backtest it on a held-out end.",
        discussion: """
            With the defaults, the model, training window and intervals are chosen exactly as a policy's \
            `forecast(METRIC, ...)` gets them (`--show-settings` lists the settings). `--holdout 7d` replays the \
            loop over the last 7 days and scores it against persistence and seasonal naive; `--calibration FILES` \
            does so over whole files (the tables in docs/forecasting.md).
            """)
    @Argument(help: "The series, e.g. examples/data/grid/ger_ci_2020.csv (several with --calibration).") var csv: [String] = []
    @Option(help: "Whose default settings apply: grid.carbon_intensity, grid.price, site.power, ...") var metric = "grid.carbon_intensity"
    @Option(help: "How far ahead to forecast, e.g. 6h.") var horizon = "6h"
    @Option(help: "Horizons models are chosen and calibrated on, e.g. 1h,6h,24h.") var horizons: String?
    @Option(help: "Candidate training windows, e.g. 7d,3d,14d (models are compared with the first).") var windows: String?
    @Option(help: "Backtest origins per candidate.") var origins: Int?
    @Option(help: "How much history the choices look at, e.g. 28d.") var history: String?
    @Option(help: "How far back the interval calibration reaches, e.g. 7d.") var calibrationSpan: String?
    @Option(help: "Calibration origins (at most), spread over the calibration span.") var calibrationOrigins: Int?
    @Option(help: "Use this model (e.g. linear-regression, holt-winters(1d), daily-profile) instead of choosing.") var model: String?
    @Option(help: "Interval level, percent (default 80).") var level: Double?
    @Option(help: "How likely a shift must be to save for argmin to be given, percent (default 90).") var confidence: Double?
    @Option(help: "Candidate models, e.g. daily-profile,linear-regression (default: every model).") var models: String?
    @Option(help: "Model choice by mean mae or mape over the horizons.") var criterion: String?
    @Flag(help: "Do not truncate forecasts and intervals at zero (prices can be negative).") var allowNegative = false
    @Option(help: "Hold out the end of the series, e.g. 7d: choose on the rest, replay the loop over it and score.") var holdout: String?
    @Option(help: "Output: text, json or csv.") var format = "text"
    @Option(help: "Grid step in minutes (default: the most common spacing in the file).") var step: Double?
    @Flag(help: "Print the settings for --metric (with the options given) and exit.") var showSettings = false
    @Flag(help: "Replay the loop's forecaster over each whole file and print the calibration tables.") var calibration = false
    public init() {}
    public func run() throws {
        var o = ForecastCommand.Options(csv: csv)
        o.metric = metric; o.horizon = horizon; o.horizons = horizons; o.windows = windows; o.origins = origins
        o.history = history; o.calibrationSpan = calibrationSpan; o.calibrationOrigins = calibrationOrigins
        o.model = model; o.level = level; o.confidence = confidence; o.models = models; o.criterion = criterion; o.allowNegative = allowNegative; o.holdout = holdout
        o.format = format; o.stepMinutes = step; o.showSettings = showSettings; o.calibration = calibration
        let out = ForecastCommand.run(o)
        out.emit()
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}
