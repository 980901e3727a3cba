import Foundation
import WattBindings
import WattCluster
import WattEnergy
import WattLanguage

/// A simulated run of policies against a cluster, and the same run without them (the
/// baseline: same cluster, trace and grid), summarised side by side.
public enum PolicyRun {
    public struct Summary: Sendable {
        public var report: SimulationReport
        public var peakFacilityPower: Double
        public var hoursAboveCap: Double
        public var waitP50: Double
        public var waitP95: Double
        public var applied = 0
        public var rejected = 0
        public var conflicts = 0
        public var guardrailStops = 0
        /// Ticks each rule acted on.
        public var firings: [String: Int] = [:]
        /// When each rule acted, and the grid's carbon intensity per tick (for the chart).
        public var firingTimes: [String: [Double]] = [:]
        public var carbon: [(time: Double, gramsPerJoule: Double)] = []
        /// Facility power per tick.
        public var facilityPower: [(time: Double, watts: Double)] = []
        public var powerCap: Double = 0
    }

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

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
                        firings: p.firingTimes, title: title)
    }

    /// Runs both for `days`; `progress` gets the fraction done of the policy run.
    public static func run(clusterFile: String, traceFile: String?, policies: [SourceFile], days: Double,
                           guardrails: Guardrails = Guardrails(), dryRun: Bool = false, journal: Journal? = nil,
                           resume: Bool = false, progress: ((Double) -> Void)? = nil) throws(Failure) -> (policies: Summary, baseline: Summary, diagnostics: [Diagnostic]) {
        let simulator: Simulator
        let baseline: Simulator
        do {
            simulator = try Simulator(clusterFile: clusterFile, traceFile: traceFile)
            baseline = try Simulator(clusterFile: clusterFile, traceFile: traceFile)
        } catch {
            throw Failure(message: "\(error)")
        }
        // Policies see each tick's arrivals before they are placed; the baseline runs the same cycle.
        simulator.placesArrivalsImmediately = false
        baseline.placesArrivalsImmediately = false
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        let compiled = Compilation.compile(policies, vocabulary: binding.vocabulary)
        guard let program = compiled.program else {
            throw Failure(message: DiagnosticRenderer.text(compiled.diagnostics))
        }
        let loop = ControlLoop(program: program, binding: binding, scheduler: simulator, guardrails: guardrails, dryRun: dryRun)
        loop.explainAll = journal != nil
        let start = simulator.snapshot().now
        let end = start + days * 86_400
        var counters = (applied: 0, rejected: 0, conflicts: 0, stops: 0)
        var firingTimes: [String: [Double]] = [:]
        var carbon: [(time: Double, gramsPerJoule: Double)] = []
        var resumed: Journal.Resumption?
        if let journal, resume {
            do { resumed = try journal.resumption() } catch { throw Failure(message: error.message) }
        }
        if let journal, let r = resumed {
            // Resume: replay what was sent to the scheduler, tick by tick, on the
            // deterministic simulator (recording telemetry as the run did), then continue.
            journal.continueRun(r.runID)
            var moves: [Double] = []
            while simulator.snapshot().now <= r.lastTick + 1e-6 {
                let now = simulator.snapshot().now
                binding.record(simulator.snapshot())
                let actions = r.sent[now] ?? []
                if !dryRun { _ = simulator.apply(actions) }
                for a in actions { if case .move = a.kind { moves.append(contentsOf: Array(repeating: now, count: a.targets.count)) } }
                simulator.step()
            }
            loop.restore(timers: r.timers)
            loop.restore(recentMoves: moves.filter { simulator.snapshot().now - $0 < 3600 })
            counters = (r.applied, r.rejected, r.conflicts, r.stops)
            firingTimes = r.firingTimes
            carbon = r.carbon
        } else if let journal {
            do { try journal.startRun(cluster: clusterFile, policies: policies.map(\.name), dryRun: dryRun, at: start) } catch {
                throw Failure(message: error.message)
            }
        }
        var summary = Summary(report: simulator.report(), peakFacilityPower: 0, hoursAboveCap: 0, waitP50: 0, waitP95: 0)
        while simulator.snapshot().now < end {
            let record: ControlLoop.TickRecord
            do { record = try loop.tick() } catch { throw Failure(message: "tick failed: \(error)") }
            counters.applied += record.applied
            counters.rejected += record.rejected
            counters.conflicts += record.conflicts.count
            counters.stops += record.guardrailEvents.count
            for (rule, decision) in record.decisions where decision == .act {
                firingTimes[rule, default: []].append(record.time)
            }
            carbon.append((record.time, simulator.snapshot().grid.carbonIntensity ?? .nan))
            if let journal {
                do { try journal.record(record, world: simulator.snapshot(), timers: loop.timers, dryRun: dryRun) } catch {
                    // A journal that cannot be written is a safe stop, not a silent gap.
                    throw Failure(message: error.message)
                }
            }
            simulator.step()
            progress?((simulator.snapshot().now - start) / (end - start))
        }
        baseline.run(until: end)
        summary = summarize(simulator)
        summary.applied = counters.applied
        summary.rejected = counters.rejected
        summary.conflicts = counters.conflicts
        summary.guardrailStops = counters.stops
        summary.firings = firingTimes.mapValues(\.count)
        summary.firingTimes = firingTimes
        summary.carbon = carbon
        return (summary, summarize(baseline), compiled.diagnostics)
    }

    /// The side-by-side table: baseline, with policies, and the change (text, or markdown).
    public static func table(policies p: Summary, baseline b: Summary, markdown: Bool = false) -> String {
        let currency = p.report.currency
        var rows: [(String, String, String, String)] = []
        func row(_ name: String, _ base: Double, _ with: Double, _ format: (Double) -> String, unit: String) {
            let delta = with - base
            let pct = base != 0 ? String(format: " (%+.1f %%)", delta / abs(base) * 100) : ""
            rows.append((name, format(base) + unit, format(with) + unit, (delta >= 0 ? "+" : "") + format(delta) + unit + pct))
        }
        let kWh = { (j: Double) in String(format: "%.1f", j / 3.6e6) }
        let kg = { (g: Double) in String(format: "%.1f", g / 1000) }
        let money = { (v: Double) in String(format: "%.2f", v) }
        let kW = { (w: Double) in String(format: "%.1f", w / 1000) }
        let hours = { (s: Double) in String(format: "%.2f", s / 3600) }
        let plain = { (v: Double) in String(format: "%.2f", v) }
        let count = { (v: Double) in String(Int(v)) }
        row("IT energy", b.report.itEnergy, p.report.itEnergy, kWh, unit: " kWh")
        row("facility energy", b.report.facilityEnergy, p.report.facilityEnergy, kWh, unit: " kWh")
        row("carbon (location-based)", b.report.carbonGrams, p.report.carbonGrams, kg, unit: " kg")
        row("cost", b.report.cost, p.report.cost, money, unit: " \(currency)")
        row("peak facility power", b.peakFacilityPower, p.peakFacilityPower, kW, unit: " kW")
        row("hours above the cap", b.hoursAboveCap, p.hoursAboveCap, plain, unit: " h")
        row("job wait p50", b.waitP50, p.waitP50, hours, unit: " h")
        row("job wait p95", b.waitP95, p.waitP95, hours, unit: " h")
        row("jobs done", Double(b.report.jobsDone), Double(p.report.jobsDone), count, unit: "")
        row("deadline misses", Double(b.report.deadlinesMissed), Double(p.report.deadlinesMissed), count, unit: "")
        // Work not done by the end is energy not yet spent: read savings together with this.
        row("jobs waiting at the end", Double(b.report.jobsQueued + b.report.jobsDeferred + b.report.jobsHeld),
            Double(p.report.jobsQueued + p.report.jobsDeferred + p.report.jobsHeld), count, unit: "")
        row("actions applied", 0, Double(p.applied), count, unit: "")
        row("actions rejected", 0, Double(p.rejected), count, unit: "")
        row("conflicts arbitrated", 0, Double(p.conflicts), count, unit: "")
        row("guardrail stops", 0, Double(p.guardrailStops), count, unit: "")
        if markdown {
            var md = "| metric | baseline | with policies | change |\n|---|---:|---:|---:|\n"
            for r in rows { md += "| \(r.0) | \(r.1) | \(r.2) | \(r.3) |\n" }
            if !p.firings.isEmpty {
                md += "\nRule firings (ticks acted): " + p.firings.sorted { $0.key < $1.key }.map { "`\($0.key)` \($0.value)" }.joined(separator: ", ") + ".\n"
            }
            return md + "\nCarbon: \(AccountingReport.method).\n"
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
        out += "carbon: \(AccountingReport.method)\n"
        return out
    }
}

extension PolicyRun {
    /// The report as JSON (SI units: J, g, W, s; cost in the report's currency).
    public static func json(policies p: Summary, baseline b: Summary) -> String {
        func object(_ s: Summary) -> String {
            let fields: [(String, String)] = [
                ("it_energy_j", "\(s.report.itEnergy)"), ("facility_energy_j", "\(s.report.facilityEnergy)"),
                ("carbon_g", "\(s.report.carbonGrams)"), ("cost", "\(s.report.cost)"),
                ("peak_facility_power_w", "\(s.peakFacilityPower)"), ("hours_above_cap", "\(s.hoursAboveCap)"),
                ("wait_p50_s", "\(s.waitP50)"), ("wait_p95_s", "\(s.waitP95)"), ("jobs_done", "\(s.report.jobsDone)"),
                ("deadline_misses", "\(s.report.deadlinesMissed)"), ("actions_applied", "\(s.applied)"),
                ("actions_rejected", "\(s.rejected)"), ("conflicts", "\(s.conflicts)"), ("guardrail_stops", "\(s.guardrailStops)"),
            ]
            return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
        }
        return "{\"currency\": \"\(p.report.currency)\", \"carbon_method\": \"\(AccountingReport.method)\", "
            + "\"baseline\": \(object(b)), \"policies\": \(object(p))}\n"
    }
}
