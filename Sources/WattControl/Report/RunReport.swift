import Foundation
import WattCluster
import WattEnergy

/// The report of a run: the side-by-side table, JSON and chart.
extension PolicyRun {
    static func summarize(_ simulator: Simulator) -> Summary {
        let trace = simulator.powerTrace
        let cap = simulator.cluster.powerCap
        let above = Double(trace.filter { $0.facilityPower > cap }.count) * simulator.tick / 3600
        let waits = simulator.allJobs().compactMap { job in job.started.map { $0 - job.submitted } }.sorted()
        func quantile(_ q: Double) -> Double {
            guard !waits.isEmpty else { return 0 }
            return waits[min(waits.count - 1, Int((Double(waits.count - 1) * q).rounded()))]
        }
        var summary = Summary(report: simulator.report(), peakFacilityPower: trace.map(\.facilityPower).max() ?? 0,
                              hoursAboveCap: above, waitP50: quantile(0.5), waitP95: quantile(0.95))
        // Bounded slowdown (τ = 60 s, so that very short jobs do not dominate).
        let slowdowns = simulator.finishedJobTimes().map { max(1, ($0.finished - $0.submitted) / max($0.duration, 60)) }.sorted()
        if !slowdowns.isEmpty {
            summary.slowdownMean = slowdowns.reduce(0, +) / Double(slowdowns.count)
            summary.slowdownP95 = slowdowns[min(slowdowns.count - 1, Int((Double(slowdowns.count - 1) * 0.95).rounded()))]
        }
        summary.facilityPower = trace.map { ($0.time, $0.facilityPower) }
        summary.powerCap = cap
        return summary
    }

    /// The run as a self-contained SVG chart.
    public static func chart(policies p: Summary, baseline b: Summary, title: String) -> String {
        ReportChart.svg(policies: .init(times: p.facilityPower.map(\.time), values: p.facilityPower.map(\.watts)),
                        baseline: .init(times: b.facilityPower.map(\.time), values: b.facilityPower.map(\.watts)),
                        cap: p.powerCap,
                        carbon: .init(times: p.carbon.map(\.time), values: p.carbon.map(\.gramsPerJoule)),
                        firings: p.firingTimes, flaps: p.flapStats.times, title: title)
    }

    /// The side-by-side table: baseline, with policies, and the change (text, or markdown).
    public static func table(policies p: Summary, baseline b: Summary, markdown: Bool = false) -> String {
        let currency = p.report.currency
        let attribution = Attribution(policies: p.report, baseline: b.report)
        var rows: [(String, String, String, String)] = []
        // A figure that is not a finite number prints as `-` (never `inf`, `nan` or `-nan %`).
        func row(_ name: String, _ base: Double, _ with: Double, _ format: (Double) -> String, unit: String) {
            func shown(_ v: Double) -> String { v.isFinite ? format(v) + unit : "-" }
            let delta = with - base
            guard delta.isFinite else { rows.append((name, shown(base), shown(with), "-")); return }
            let share = delta / abs(base) * 100
            let pct = base != 0 && share.isFinite ? String(format: " (%+.1f %%)", share) : ""
            rows.append((name, shown(base), shown(with), (delta >= 0 ? "+" : "") + format(delta) + unit + pct))
        }
        let kWh = { (j: Double) in String(format: "%.1f", j / 3.6e6) }
        let incomplete = p.carbonIncomplete || b.carbonIncomplete
        let kg = { (g: Double) in String(format: "%.1f", g / 1000) }
        let money = { (v: Double) in String(format: "%.2f", v) }
        let kW = { (w: Double) in String(format: "%.1f", w / 1000) }
        let hours = { (s: Double) in String(format: "%.2f", s / 3600) }
        let plain = { (v: Double) in String(format: "%.2f", v) }
        let count = { (v: Double) in String(Int(v)) }
        row("IT energy", b.report.itEnergy, p.report.itEnergy, kWh, unit: " kWh")
        row("facility energy", b.report.facilityEnergy, p.report.facilityEnergy, kWh, unit: " kWh")
        row(incomplete ? "carbon (location-based, incomplete)" : "carbon (location-based)", b.report.carbonGrams, p.report.carbonGrams, kg, unit: " kg")
        row("cost", b.report.cost, p.report.cost, money, unit: " \(currency)")
        row("peak facility power", b.peakFacilityPower, p.peakFacilityPower, kW, unit: " kW")
        row("hours above the cap", b.hoursAboveCap, p.hoursAboveCap, plain, unit: " h")
        row("job wait p50", b.waitP50, p.waitP50, hours, unit: " h")
        row("job wait p95", b.waitP95, p.waitP95, hours, unit: " h")
        row("slowdown mean", b.slowdownMean, p.slowdownMean, plain, unit: "")
        row("slowdown p95", b.slowdownP95, p.slowdownP95, plain, unit: "")
        // Energy per work beside the work done: a pack that saves energy by doing less work shows it.
        row("GPU work done", b.report.gpuWork, p.report.gpuWork, { String(format: "%.1f", $0 / 3600) }, unit: " GPU-h")
        row("IT energy per GPU-h of work", b.report.itEnergyPerGPUHour ?? 0, p.report.itEnergyPerGPUHour ?? 0,
            { String(format: "%.3f", $0 / 3.6e6) }, unit: " kWh")
        row("GPU energy saved by caps", b.report.capSavings.central, p.report.capSavings.central, kWh, unit: " kWh")
        row("jobs done", Double(b.report.jobsDone), Double(p.report.jobsDone), count, unit: "")
        row("deadline misses", Double(b.report.deadlinesMissed), Double(p.report.deadlinesMissed), count, unit: "")
        // Work not done by the end is energy not yet spent: read savings together with this.
        row("jobs waiting at the end", Double(b.report.jobsQueued + b.report.jobsDeferred + b.report.jobsHeld),
            Double(p.report.jobsQueued + p.report.jobsDeferred + p.report.jobsHeld), count, unit: "")
        row("actions applied", 0, Double(p.applied), count, unit: "")
        row("actions rejected", 0, Double(p.rejected), count, unit: "")
        row("conflicts arbitrated", 0, Double(p.conflicts), count, unit: "")
        row("guardrail stops", 0, Double(p.guardrailStops), count, unit: "")
        row("flaps (undone within 1 h)", 0, Double(p.flaps), count, unit: "")
        let gridGaps = gridGapNote(p, b)
        if markdown {
            var md = "| metric | baseline | with policies | change |\n|---|---:|---:|---:|\n"
            for r in rows { md += "| \(r.0) | \(r.1) | \(r.2) | \(r.3) |\n" }
            if !p.firings.isEmpty {
                md += "\nRule firings (ticks acted): " + p.firings.sorted { $0.key < $1.key }.map { "`\($0.key)` \($0.value)" }.joined(separator: ", ") + ".\n"
            }
            if !p.gaps.isEmpty {
                md += "\nRule conditions without a result (ticks; a missing value, an undefined result or a failure, see the journal): "
                    + p.gaps.sorted { $0.key < $1.key }.map { "`\($0.key)` \($0.value)" }.joined(separator: ", ") + ".\n"
            }
            if let gridGaps { md += "\n" + gridGaps.capitalizedFirst + ".\n" }
            if let stability = stability(p, markdown: true) { md += "\n" + stability }
            md += "\n" + attribution.block(currency: currency, markdown: true)
            return md + "\n" + capBand(p, b).capitalizedFirst + ".\n\nCarbon: \(AccountingReport.method).\n"
        }
        let widths = [max(8, rows.map(\.0.count).max()!), max(8, rows.map(\.1.count).max()!),
                      max(13, rows.map(\.2.count).max()!), max(6, rows.map(\.3.count).max()!)]
        func line(_ c: [String]) -> String {
            zip(c, widths).enumerated().map { i, pair in
                i == 0 ? pair.0.padding(toLength: pair.1, withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: max(0, pair.1 - pair.0.count)) + pair.0
            }.joined(separator: "  ")
        }
        var out = line(["metric", "baseline", "with policies", "change"]) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for r in rows { out += line([r.0, r.1, r.2, r.3]) + "\n" }
        if !p.firings.isEmpty {
            out += "\nrule firings (ticks acted): " + p.firings.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        }
        if !p.gaps.isEmpty {
            out += "rule conditions without a result (ticks; a missing value, an undefined result or a failure, see the journal): "
                + p.gaps.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        }
        if let gridGaps { out += gridGaps + "\n" }
        if let stability = stability(p, markdown: false) { out += stability }
        out += "\n" + attribution.block(currency: currency, markdown: false) + "\n"
        out += capBand(p, b) + "\n"
        out += "carbon: \(AccountingReport.method)\n"
        return out
    }

    /// Where the flaps came from: the pairs of rules (whose action was undone, which undid
    /// it, as what change), most first, and the targets that flapped most; nil without flaps.
    static func stability(_ p: Summary, markdown: Bool, pairs: Int = 10, targets: Int = 5) -> String? {
        let stats = p.flapStats
        guard stats.total > 0 else { return nil }
        let top = stats.topPairs(pairs)
        let rest = stats.byPair.count - top.count, restFlaps = stats.total - top.map(\.count).reduce(0, +)
        let code = { (s: String) in markdown ? "`\(s)`" : s }
        var out = markdown
            ? "Flaps (an action undone within 1 h), by the rule whose action was undone → the rule that undid it:\n\n| undone by | undid it | change | flaps |\n|---|---|---|---:|\n"
            : "flaps (an action undone within 1 h), by the rule whose action was undone -> the rule that undid it:\n"
        for (pair, count) in top {
            out += markdown ? "| \(code(pair.undone)) | \(code(pair.undoing)) | \(pair.change) | \(count) |\n"
                : "  \(pair.undone) -> \(pair.undoing) (\(pair.change.replacingOccurrences(of: "→", with: "->"))) \(count)\n"
        }
        if rest > 0 { out += (markdown ? "\n" : "  ") + "and \(rest) more pair\(rest == 1 ? "" : "s") (\(restFlaps) flaps)\n" }
        let most = stats.topTargets(targets).map { "\(code($0.target)) \($0.count)" }.joined(separator: ", ")
        out += (markdown ? "\nMost flapping targets: " : "most flapping targets: ") + most + (markdown ? ".\n" : "\n")
        return out
    }

    /// What the carbon figures leave out: the facility energy used while the grid series had
    /// no intensity (a gap longer than `max_hold_s`), never counted as zero emissions; nil
    /// when both runs had an intensity throughout.
    static func gridGapNote(_ p: Summary, _ b: Summary) -> String? {
        guard p.carbonIncomplete || b.carbonIncomplete else { return nil }
        func part(_ s: Summary) -> String {
            let joules = s.report.accounting.joulesWithoutIntensity, share = s.timeWithoutIntensityShare
            let energy = joules.isFinite ? String(format: "%.1f kWh", joules / 3.6e6) : "an unknown energy"
            return energy + (share.isFinite ? String(format: " (%.1f %% of the run's time)", share * 100) : "")
        }
        return "carbon is incomplete: the grid series has no carbon intensity for \(part(b)) baseline, \(part(p)) with policies; "
            + "that energy is left out of the carbon figures (a lower bound), not counted as zero emissions"
    }

    /// The cap model's band on what caps saved (`CapSavings`, docs/hardware.md).
    static func capBand(_ p: Summary, _ b: Summary) -> String {
        func k(_ j: Double) -> String { String(format: "%.1f", j / 3.6e6) }
        let ps = p.report.capSavings, bs = b.report.capSavings
        return "GPU energy saved by caps, cap model band (leave-one-GPU-out error): \(k(bs.low)) to \(k(bs.high)) kWh baseline, "
            + "\(k(ps.low)) to \(k(ps.high)) kWh with policies"
    }
}

extension PolicyRun.Summary {
    /// Whether some of the run's energy had no grid carbon intensity.
    var carbonIncomplete: Bool { report.accounting.joulesWithoutIntensity > 0 }
    /// The share of the run's time without a grid carbon intensity, 0 to 1.
    var timeWithoutIntensityShare: Double {
        let span = report.end - report.start
        let share = report.accounting.secondsWithoutIntensity / span
        guard span > 0 else { return 0 }
        return share.isFinite ? Swift.max(0, Swift.min(1, share)) : .nan
    }
}

private extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}

extension PolicyRun {
    /// The report as JSON (`watt run --json`): SI units (J, g, W, s), cost in the report's
    /// currency; a figure that is not a finite number is `null` (strict JSON).
    public struct ReportJSON: Codable, Sendable, Equatable {
        public struct Figures: Codable, Sendable, Equatable {
            @NullEncoded public var itEnergyJ: Double?
            @NullEncoded public var facilityEnergyJ: Double?
            @NullEncoded public var carbonG: Double?
            @NullEncoded public var cost: Double?
            @NullEncoded public var peakFacilityPowerW: Double?
            @NullEncoded public var hoursAboveCap: Double?
            @NullEncoded public var waitP50S: Double?
            @NullEncoded public var waitP95S: Double?
            @NullEncoded public var slowdownMean: Double?
            @NullEncoded public var slowdownP95: Double?
            public var jobsDone: Int
            public var deadlineMisses: Int
            public var actionsApplied: Int
            public var actionsRejected: Int
            public var conflicts: Int
            public var guardrailStops: Int
            public var flaps: Int
            /// Rule evaluations whose condition ended without a result (gaps, by rule in the text).
            public var ruleGaps: Int
            /// GPU work done, s at full speed, and the GPU energy caps saved with the cap
            /// model's band (docs/hardware.md).
            @NullEncoded public var gpuWorkS: Double?
            @NullEncoded public var capSavingsJ: Double?
            @NullEncoded public var capSavingsLowJ: Double?
            @NullEncoded public var capSavingsHighJ: Double?
            /// IT energy per GPU-hour of work done (null when no GPU work was done).
            @NullEncoded public var itEnergyPerGPUHourJ: Double?
            /// Facility energy used while the grid series had no carbon intensity, J, and the
            /// share of the run's time that was; `carbon_complete` is false when there was any
            /// (`carbon_g` then leaves that energy out: a lower bound).
            @NullEncoded public var energyWithoutIntensityJ: Double?
            @NullEncoded public var timeWithoutIntensityShare: Double?
            public var carbonComplete: Bool

            enum CodingKeys: String, CodingKey {
                case itEnergyJ = "it_energy_j", facilityEnergyJ = "facility_energy_j", carbonG = "carbon_g", cost
                case peakFacilityPowerW = "peak_facility_power_w", hoursAboveCap = "hours_above_cap"
                case waitP50S = "wait_p50_s", waitP95S = "wait_p95_s", slowdownMean = "slowdown_mean", slowdownP95 = "slowdown_p95"
                case jobsDone = "jobs_done", deadlineMisses = "deadline_misses", actionsApplied = "actions_applied"
                case actionsRejected = "actions_rejected", conflicts, guardrailStops = "guardrail_stops", flaps, ruleGaps = "rule_gaps"
                case gpuWorkS = "gpu_work_s", capSavingsJ = "cap_savings_j", capSavingsLowJ = "cap_savings_low_j"
                case capSavingsHighJ = "cap_savings_high_j", itEnergyPerGPUHourJ = "it_energy_per_gpu_hour_j"
                case energyWithoutIntensityJ = "energy_without_intensity_j", timeWithoutIntensityShare = "time_without_intensity_share"
                case carbonComplete = "carbon_complete"
            }

            init(_ s: Summary) {
                func finite(_ v: Double) -> Double? { v.isFinite ? v : nil }
                itEnergyJ = finite(s.report.itEnergy)
                facilityEnergyJ = finite(s.report.facilityEnergy)
                carbonG = finite(s.report.carbonGrams)
                cost = finite(s.report.cost)
                peakFacilityPowerW = finite(s.peakFacilityPower)
                hoursAboveCap = finite(s.hoursAboveCap)
                waitP50S = finite(s.waitP50)
                waitP95S = finite(s.waitP95)
                slowdownMean = finite(s.slowdownMean)
                slowdownP95 = finite(s.slowdownP95)
                jobsDone = s.report.jobsDone
                deadlineMisses = s.report.deadlinesMissed
                actionsApplied = s.applied
                actionsRejected = s.rejected
                conflicts = s.conflicts
                guardrailStops = s.guardrailStops
                flaps = s.flaps
                ruleGaps = s.gaps.values.reduce(0, +)
                gpuWorkS = finite(s.report.gpuWork)
                capSavingsJ = finite(s.report.capSavings.central)
                capSavingsLowJ = finite(s.report.capSavings.low)
                capSavingsHighJ = finite(s.report.capSavings.high)
                itEnergyPerGPUHourJ = s.report.itEnergyPerGPUHour.flatMap(finite)
                energyWithoutIntensityJ = finite(s.report.accounting.joulesWithoutIntensity)
                timeWithoutIntensityShare = finite(s.timeWithoutIntensityShare)
                carbonComplete = !s.carbonIncomplete
            }

        }
        public var currency: String
        public var carbonMethod: String
        public var baseline: Figures
        public var policies: Figures
        /// Where the savings came from (`PolicyRun.Attribution`).
        public var attribution: Attribution
        /// Where the flaps came from (`FlapStats`).
        public var stability: Stability

        /// The flaps by pair of rules, by change, and the 20 targets that flapped most.
        public struct Stability: Codable, Sendable, Equatable {
            public struct Pair: Codable, Sendable, Equatable {
                public var undoneRule: String
                public var undoingRule: String
                public var change: String
                public var flaps: Int
                enum CodingKeys: String, CodingKey { case undoneRule = "undone_rule", undoingRule = "undoing_rule", change, flaps }
            }
            public struct Target: Codable, Sendable, Equatable {
                public var target: String
                public var flaps: Int
            }
            public var flaps: Int
            public var pairs: [Pair]
            public var byChange: [String: Int]
            public var targets: [Target]
            enum CodingKeys: String, CodingKey { case flaps, pairs, byChange = "by_change", targets }

            init(_ stats: FlapStats) {
                flaps = stats.total
                pairs = stats.topPairs(stats.byPair.count).map {
                    Pair(undoneRule: $0.pair.undone, undoingRule: $0.pair.undoing, change: $0.pair.change, flaps: $0.count)
                }
                byChange = stats.byChange
                targets = stats.topTargets(20).map { Target(target: $0.target, flaps: $0.count) }
            }
        }

        enum CodingKeys: String, CodingKey {
            case currency, carbonMethod = "carbon_method", baseline, policies, attribution, stability
        }
    }

    public static func json(policies p: Summary, baseline b: Summary) -> String {
        let report = ReportJSON(currency: p.report.currency, carbonMethod: AccountingReport.method,
                                baseline: .init(b), policies: .init(p),
                                attribution: .init(Attribution(policies: p.report, baseline: b.report)),
                                stability: .init(p.flapStats))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Only finite numbers (every figure goes through `finite`), strings, booleans and
        // integers: encoding cannot fail; if it ever did, the error is the output, never `{}`
        // or a non-finite number.
        do {
            return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
        } catch {
            return "{\"error\": \"the report could not be encoded\"}\n"
        }
    }
}
