import Foundation

/// The tables of the Let's Wait Awhile reproduction (docs/carbon.md): per region, scenario
/// column, forecast source and decision rule, the percent of emissions avoided over the
/// runs (seeds), with the paper's figure where it gives one.
public struct LetsWaitAwhileTables: Sendable {
    public enum Scenario: Int, Sendable, CaseIterable { case nightly = 1, adHoc = 2 }
    public enum Source: String, Sendable, CaseIterable { case oracle, noisy, persistence, watt }

    public struct Options: Sendable {
        public var scenario: Scenario
        public var sources: [Source] = Source.allCases
        /// Decision rules: `ShiftPlanner.confidence` values (0 = always the lowest forecast, as
        /// in the paper; 1 = shift only when the saving exceeds one standard deviation).
        public var confidences: [Double] = [0, 1]
        public var definitions: LetsWaitAwhile.Definitions = .code
        /// Scenario II job sets (their code draws one, NumPy seed 0, which is not reproduced).
        public var jobSeeds: [UInt64] = Array(1...20)
        /// Noise draws of the noisy source (their `ERROR_REPETITIONS` is 10). The noisy source
        /// makes max(job sets, draws) runs, run k pairing job set k mod J with draw k mod N.
        public var noiseSeeds: [UInt64] = Array(0..<10)
        /// The forecast error of the noisy source, relative to the series' mean.
        public var relativeError = 0.05
        /// Scenario I windows in steps either side of 01:00.
        public var nightlyWindows = [4, 8, 12, 16]
        public init(scenario: Scenario) { self.scenario = scenario }
    }

    /// One cell: mean, min and max of the percent avoided over `runs` runs.
    public struct Cell: Sendable, Equatable, Codable {
        public var region: String
        public var column: String
        public var source: String
        public var confidence: Double
        public var mean: Double
        public var min: Double
        public var max: Double
        public var runs: Int
        /// Jobs shifted, declined and refused by the planner, summed over the runs.
        public var shifted: Int
        public var declined: Int
        public var failed: Int
        public var paper: Double?
    }

    public var cells: [Cell] = []
    /// Models the Watt source chose, per region (name: how many selection periods).
    public var chosenModels: [String: [String: Int]] = [:]

    /// Runs every cell for `series` (region name to its series in gCO2/kWh on the 30-minute
    /// grid). `random(seed)` makes the seeded generators (job draws and forecast noise).
    public static func run<R: RandomNumberGenerator>(_ options: Options, regions: [(name: String, series: TimeSeries)],
                                                     random: (UInt64) -> R) throws(ShiftStudy.Failure) -> LetsWaitAwhileTables {
        var tables = LetsWaitAwhileTables()
        for (region, series) in regions {
            guard abs(series.step - LetsWaitAwhile.step) < 1e-6 else {
                throw ShiftStudy.Failure(message: "`\(region)`: the series must be on a 30-minute grid, not \(series.step) s")
            }
            let study = try ShiftStudy(truth: series)
            // Job sets: each column's list of job lists (one per seed).
            var columns: [(name: String, jobSets: [[StudyJob]], paper: [Source: Double])] = []
            switch options.scenario {
            case .nightly:
                for (k, w) in options.nightlyWindows.enumerated() {
                    let paper = LetsWaitAwhile.paperNightly[region].flatMap { k < $0.count && w == 4 * (k + 1) ? $0[k] : nil }
                    columns.append(("±\(Double(w) / 2) h".replacingOccurrences(of: ".0 h", with: " h"),
                                    [LetsWaitAwhile.nightlyJobs(shiftSteps: w)], paper.map { [.oracle: $0] } ?? [:]))
                }
            case .adHoc:
                let draws = options.jobSeeds.map { seed -> [LetsWaitAwhile.AdHocJob] in
                    var rng = random(seed)
                    return LetsWaitAwhile.machineLearningJobs(using: &rng)
                }
                for (k, interruptible) in [false, true].enumerated() {
                    var paper: [Source: Double] = [:]
                    if let p = LetsWaitAwhile.paperAdHoc[region] { paper = [.oracle: p.oracle[k], .noisy: p.noisy[k]] }
                    columns.append((interruptible ? "interruptible" : "non-interruptible",
                                    draws.map { LetsWaitAwhile.adHocStudyJobs($0, interruptible: interruptible, definitions: options.definitions) },
                                    paper))
                }
            }
            let allJobs = columns.flatMap { $0.jobSets.flatMap { $0 } }
            var baselineCache: [[Double]] = []
            for column in columns { for jobs in column.jobSets { baselineCache.append(study.baselineGrams(jobs)) } }

            for source in options.sources {
                // Forecast tables: one per run (noise draw) for the noisy source, else one.
                var forecastRuns: [[Double: Result<ShiftForecast, ForecastError>]] = []
                switch source {
                case .oracle:
                    var s = OracleForecastSource(series: series)
                    forecastRuns = [study.forecasts(for: allJobs, from: &s)]
                case .noisy:
                    let year = series.slice(from: LetsWaitAwhile.yearStart, to: series.end)
                    let sigma = NoisyOracleForecastSource.sigma(relativeError: options.relativeError, of: year)
                    for seed in options.noiseSeeds {
                        var rng = random(seed &+ 1000)
                        var s = NoisyOracleForecastSource(series: series, sigma: sigma, using: &rng)
                        forecastRuns.append(study.forecasts(for: allJobs, from: &s))
                    }
                case .persistence:
                    var s = ModelForecastSource.persistence(series: series)
                    forecastRuns = [study.forecasts(for: allJobs, from: &s)]
                case .watt:
                    var s = ModelForecastSource.watt(series: series)
                    forecastRuns = [study.forecasts(for: allJobs, from: &s)]
                    tables.chosenModels[region] = s.chosen
                }
                for confidence in options.confidences {
                    var b = 0
                    for column in columns {
                        var percents: [Double] = []
                        var shifted = 0, declined = 0, failed = 0
                        // Run k pairs job set k mod J with forecast draw k mod F.
                        for k in 0..<max(column.jobSets.count, forecastRuns.count) {
                            let j = k % column.jobSets.count
                            let o = study.run(column.jobSets[j], forecasts: forecastRuns[k % forecastRuns.count],
                                              baselines: baselineCache[b + j], planner: ShiftPlanner(confidence: confidence))
                            percents.append(o.savingPercent)
                            shifted += o.shifted; declined += o.declined; failed += o.failed
                        }
                        b += column.jobSets.count
                        let mean = percents.reduce(0, +) / Double(max(1, percents.count))
                        tables.cells.append(Cell(region: region, column: column.name, source: source.rawValue,
                                                 confidence: confidence, mean: mean, min: percents.min() ?? 0,
                                                 max: percents.max() ?? 0, runs: percents.count, shifted: shifted,
                                                 declined: declined, failed: failed,
                                                 paper: confidence == 0 ? column.paper[source] : nil))
                    }
                }
            }
        }
        return tables
    }

    // MARK: Output

    /// One row per (region, source, rule), one column per scenario column: "mean (min–max)"
    /// over the runs, and the paper's figure beside the row where it gives one.
    public func text() -> String {
        var out = ""
        var columns: [String] = []
        for c in cells where !columns.contains(c.column) { columns.append(c.column) }
        var rows: [(String, String, Double)] = []
        for c in cells where !rows.contains(where: { $0 == (c.region, c.source, c.confidence) }) {
            rows.append((c.region, c.source, c.confidence))
        }
        out += "| region | forecast | rule | " + columns.joined(separator: " | ") + " | runs | shifted / declined / failed |\n"
        out += "|---|---|---|" + columns.map { _ in "---:|" }.joined() + "---:|---:|\n"
        for (region, source, confidence) in rows {
            let row = cells.filter { $0.region == region && $0.source == source && $0.confidence == confidence }
            let rule = confidence == 0 ? "lowest" : "saving > \(Self.number(confidence)) sd"
            out += "| \(region) | \(source) | \(rule) | "
            for name in columns {
                guard let c = row.first(where: { $0.column == name }) else { out += "- | "; continue }
                var text = String(format: "%.2f", c.mean)
                if c.runs > 1 { text += String(format: " (%.2f–%.2f)", c.min, c.max) }
                if let p = c.paper { text += String(format: " [paper %.2f]", p) }
                out += text + " | "
            }
            let runs = row.map(\.runs).max() ?? 0
            out += "\(runs) | \(row.map(\.shifted).reduce(0, +)) / \(row.map(\.declined).reduce(0, +)) / \(row.map(\.failed).reduce(0, +)) |\n"
        }
        for (region, models) in chosenModels.sorted(by: { $0.key < $1.key }) {
            out += "watt forecaster, \(region): " + models.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                .map { "\($0.key) ×\($0.value)" }.joined(separator: ", ") + "\n"
        }
        return out
    }

    /// Strict JSON: the cells and the models chosen.
    public func json() -> String {
        struct Document: Codable { var cells: [Cell]; var chosenModels: [String: [String: Int]] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = (try? encoder.encode(Document(cells: cells, chosenModels: chosenModels))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func number(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
