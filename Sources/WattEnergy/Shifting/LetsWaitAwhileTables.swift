import Foundation

/// The tables of the Let's Wait Awhile reproduction (docs/carbon.md): per region, scenario
/// column, forecast source and decision rule, the percent of emissions avoided over the
/// runs (seeds), with the paper's figure where it gives one.
public struct LetsWaitAwhileTables: Sendable {
    public enum Scenario: Int, Sendable, CaseIterable { case nightly = 1, adHoc = 2 }
    public enum Source: String, Sendable, CaseIterable {
        case oracle, noisy, persistence, watt
        /// Bounds with parameters fitted on the whole year (`HindsightForecastSources`): not
        /// part of the default tables.
        case profileHindsight = "profile-hindsight", linearHindsight = "linear-hindsight"
        /// The default sources (the paper's two and the two forecasters).
        public static let standard: [Source] = [.oracle, .noisy, .persistence, .watt]
    }

    public struct Options: Sendable {
        public var scenario: Scenario
        public var sources: [Source] = Source.standard
        /// Decision rules: `ShiftPlanner.confidence` values (0 = always the lowest forecast, as
        /// in the paper; 1 = shift only when the saving exceeds one standard deviation).
        public var confidences: [Double] = [0, 1]
        /// When decisions are made: once at submission (the paper's forecast runs) and/or at
        /// every step on a fresh forecast (`ShiftProcedure.online`, as Watt's loop would).
        public var procedures: [ShiftProcedure] = ShiftProcedure.allCases
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
        /// The settings of Watt's forecaster (`LoopForecastSource`): the loop's defaults for
        /// grid carbon intensity unless changed (`watt shift study --watt-models ...`).
        public var wattSettings = ForecastSettings.defaults(for: LoopForecastSource.metric)
        public init(scenario: Scenario) { self.scenario = scenario }
    }

    /// One cell: mean, min and max of the percent avoided over `runs` runs.
    public struct Cell: Sendable, Equatable, Codable {
        public var region: String
        public var column: String
        public var source: String
        public var confidence: Double
        public var procedure: ShiftProcedure
        public var mean: Double
        public var min: Double
        public var max: Double
        public var runs: Int
        /// Jobs shifted, declined and refused by the planner, summed over the runs.
        public var shifted: Int
        public var declined: Int
        public var failed: Int
        public var paper: Double?

        private enum CodingKeys: String, CodingKey {
            case region, column, source, confidence, procedure, mean, min, max, runs, shifted, declined, failed, paper
        }

        /// Strict JSON: a non-finite figure (a cell without runs has no mean) is null.
        public func encode(to encoder: any Encoder) throws {
            func finite(_ v: Double?) -> Double? { v.flatMap { $0.isFinite ? $0 : nil } }
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(region, forKey: .region); try c.encode(column, forKey: .column); try c.encode(source, forKey: .source)
            try c.encode(finite(confidence), forKey: .confidence); try c.encode(procedure, forKey: .procedure)
            try c.encode(finite(mean), forKey: .mean); try c.encode(finite(min), forKey: .min); try c.encode(finite(max), forKey: .max)
            try c.encode(runs, forKey: .runs); try c.encode(shifted, forKey: .shifted); try c.encode(declined, forKey: .declined)
            try c.encode(failed, forKey: .failed); try c.encode(finite(paper), forKey: .paper)
        }
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
            var baselineCache: [[Double]] = []
            for column in columns { for jobs in column.jobSets { baselineCache.append(study.baselineGrams(jobs)) } }

            for source in options.sources {
                // Forecast sources: one per run (noise draw) for the noisy source, else one;
                // fresh for each procedure (a loop source that has seen the year cannot unsee it).
                func makeSources() -> [any CarbonForecastSource] {
                    switch source {
                    case .oracle: return [OracleForecastSource(series: series)]
                    case .noisy:
                        let year = series.slice(from: LetsWaitAwhile.yearStart, to: series.end)
                        let sigma = NoisyOracleForecastSource.sigma(relativeError: options.relativeError, of: year)
                        return options.noiseSeeds.map { seed in
                            var rng = random(seed &+ 1000)
                            return NoisyOracleForecastSource(series: series, sigma: sigma, using: &rng)
                        }
                    case .persistence: return [ModelForecastSource.persistence(series: series)]
                    case .watt: return [LoopForecastSource(series: series, settings: options.wattSettings)]
                    case .profileHindsight: return [ProfileHindsightSource(series: series)]
                    case .linearHindsight: return [LinearHindsightSource(series: series)]
                    }
                }
                let draws = makeSources().count
                for procedure in options.procedures {
                    let sources = makeSources()
                    // percents[confidence][column]: run k pairs job set k mod J with draw k mod F.
                    var outcomes = options.confidences.map { _ in columns.map { c in [StudyOutcome?](repeating: nil, count: max(c.jobSets.count, draws)) } }
                    for r in 0..<draws {
                        var s = sources[r]
                        // The (column, run) pairs that use this draw.
                        var pairs: [(column: Int, run: Int, set: Int)] = []
                        var b = 0
                        var baselineIndex: [Int] = []
                        for (ci, column) in columns.enumerated() {
                            for k in 0..<max(column.jobSets.count, draws) where k % draws == r {
                                pairs.append((ci, k, k % column.jobSets.count))
                                baselineIndex.append(b + k % column.jobSets.count)
                            }
                            b += column.jobSets.count
                        }
                        switch procedure {
                        case .submission:
                            let jobs = pairs.flatMap { columns[$0.column].jobSets[$0.set] }
                            let forecasts = study.forecasts(for: jobs, from: &s)
                            for (ci, confidence) in options.confidences.enumerated() {
                                for (p, pair) in pairs.enumerated() {
                                    outcomes[ci][pair.column][pair.run] = study.run(
                                        columns[pair.column].jobSets[pair.set], forecasts: forecasts,
                                        baselines: baselineCache[baselineIndex[p]], planner: ShiftPlanner(confidence: confidence))
                                }
                            }
                        case .online:
                            let result = Self.online(study, pairs.map { columns[$0.column].jobSets[$0.set] }, &s,
                                                     options.confidences, baselineIndex.map { baselineCache[$0] })
                            for ci in options.confidences.indices {
                                for (p, pair) in pairs.enumerated() { outcomes[ci][pair.column][pair.run] = result[ci][p] }
                            }
                        }
                        if let loop = s as? LoopForecastSource, procedure == options.procedures.first {
                            tables.chosenModels[region] = loop.chosen
                        }
                    }
                    for (ci, confidence) in options.confidences.enumerated() {
                        for (k, column) in columns.enumerated() {
                            let runs = outcomes[ci][k].compactMap { $0 }
                            let percents = runs.map(\.savingPercent)
                            let mean = percents.reduce(0, +) / Double(max(1, percents.count))
                            tables.cells.append(Cell(region: region, column: column.name, source: source.rawValue,
                                                     confidence: confidence, procedure: procedure, mean: mean,
                                                     min: percents.min() ?? 0, max: percents.max() ?? 0, runs: percents.count,
                                                     shifted: runs.map(\.shifted).reduce(0, +),
                                                     declined: runs.map(\.declined).reduce(0, +),
                                                     failed: runs.map(\.failed).reduce(0, +),
                                                     paper: confidence == 0 && procedure == .submission ? column.paper[source] : nil))
                        }
                    }
                }
            }
        }
        return tables
    }

    /// `ShiftStudy.runOnline` on an existential source (opened here).
    static func online(_ study: ShiftStudy, _ jobSets: [[StudyJob]], _ source: inout any CarbonForecastSource,
                       _ confidences: [Double], _ baselines: [[Double]]) -> [[StudyOutcome]] {
        study.runOnline(jobSets, source: &source, confidences: confidences, baselines: baselines)
    }

    // MARK: Output

    /// One row per (region, source, rule, procedure), one column per scenario column: "mean
    /// (min–max)" over the runs, and the paper's figure beside the row where it gives one;
    /// then, for each procedure with the persistence, watt and oracle rows, the midway check
    /// (`midwayText`); then the models Watt's forecaster used.
    public func text() -> String {
        var out = ""
        var columns: [String] = []
        for c in cells where !columns.contains(c.column) { columns.append(c.column) }
        var rows: [(String, String, Double, ShiftProcedure)] = []
        for c in cells where !rows.contains(where: { $0 == (c.region, c.source, c.confidence, c.procedure) }) {
            rows.append((c.region, c.source, c.confidence, c.procedure))
        }
        out += "| region | forecast | rule | decided | " + columns.joined(separator: " | ") + " | runs | shifted / kept / failed |\n"
        out += "|---|---|---|---|" + columns.map { _ in "---:|" }.joined() + "---:|---:|\n"
        for (region, source, confidence, procedure) in rows {
            let row = cells.filter { $0.region == region && $0.source == source && $0.confidence == confidence && $0.procedure == procedure }
            let rule = confidence == 0 ? "lowest" : "saving > \(Self.number(confidence)) sd"
            out += "| \(region) | \(source) | \(rule) | \(Self.label(procedure)) | "
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
        let midway = midwayText()
        if !midway.isEmpty { out += "\n" + midway }
        for (region, models) in chosenModels.sorted(by: { $0.key < $1.key }) {
            out += "watt forecaster, \(region) (days): " + models.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                .map { "\($0.key) ×\($0.value)" }.joined(separator: ", ") + "\n"
        }
        return out
    }

    static func label(_ p: ShiftProcedure) -> String { p == .submission ? "at submission" : "every step" }

    /// One check per cell: is Watt's forecaster at least midway between 24-hour persistence
    /// (the naive bound) and the oracle (the perfect forecast)? By the "lowest" rule
    /// (confidence 0), per procedure; rows only where all three sources ran.
    public func midwayChecks() -> [(region: String, column: String, procedure: ShiftProcedure, persistence: Double, watt: Double,
                                    oracle: Double, met: Bool)] {
        var out: [(String, String, ShiftProcedure, Double, Double, Double, Bool)] = []
        for procedure in ShiftProcedure.allCases {
            for c in cells where c.source == Source.watt.rawValue && c.confidence == 0 && c.procedure == procedure {
                func mean(_ source: Source) -> Double? {
                    cells.first { $0.region == c.region && $0.column == c.column && $0.source == source.rawValue && $0.confidence == 0
                        && $0.procedure == procedure }?.mean
                }
                guard let p = mean(.persistence), let o = mean(.oracle) else { continue }
                out.append((c.region, c.column, procedure, p, c.mean, o, c.mean >= (p + o) / 2))
            }
        }
        return out
    }

    /// The midway checks as a table, with the share of the oracle's gain over persistence that
    /// Watt's forecaster reaches (`(watt - persistence) / (oracle - persistence)`; 50 % is
    /// midway), and the same for the hindsight bounds where they ran.
    public func midwayText() -> String {
        let checks = midwayChecks()
        guard !checks.isEmpty else { return "" }
        let bounds = [Source.profileHindsight, .linearHindsight].filter { b in cells.contains { $0.source == b.rawValue } }
        func share(_ x: Double, _ p: Double, _ o: Double) -> String {
            o - p > 1e-9 ? String(format: "%.0f %%", (x - p) / (o - p) * 100) : "-"
        }
        var out = "| region | column | decided | persistence | watt | midway | oracle | of the gap | met |"
            + bounds.map { " \($0.rawValue) |" }.joined() + "\n"
        out += "|---|---|---|---:|---:|---:|---:|---:|---|" + bounds.map { _ in "---:|" }.joined() + "\n"
        for c in checks {
            out += "| \(c.region) | \(c.column) | \(Self.label(c.procedure)) | "
                + String(format: "%.2f | %.2f | %.2f | %.2f", c.persistence, c.watt, (c.persistence + c.oracle) / 2, c.oracle)
                + " | \(share(c.watt, c.persistence, c.oracle)) | \(c.met ? "yes" : "no") |"
            for b in bounds {
                let cell = cells.first { $0.region == c.region && $0.column == c.column && $0.source == b.rawValue && $0.confidence == 0
                    && $0.procedure == c.procedure }
                out += cell.map { String(format: " %.2f (%@) |", $0.mean, share($0.mean, c.persistence, c.oracle)) } ?? " - |"
            }
            out += "\n"
        }
        for procedure in ShiftProcedure.allCases {
            let some = checks.filter { $0.procedure == procedure }
            guard !some.isEmpty else { continue }
            out += "midway met \(Self.label(procedure)): \(some.filter(\.met).count) of \(some.count) cells\n"
        }
        return out
    }

    /// Strict JSON: the cells and the models chosen.
    public func json() -> String {
        struct Document: Codable { var cells: [Cell]; var chosenModels: [String: [String: Int]] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Cells encode non-finite figures as null, so encoding cannot fail on numbers.
        let data = (try? encoder.encode(Document(cells: cells, chosenModels: chosenModels)))
            ?? Data("{\"error\": \"the tables could not be encoded\"}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func number(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }
}
