import Foundation
import WattCluster
import WattEnergy

extension PolicyRun {
    /// Where the savings came from: the change against the baseline (baseline minus with
    /// policies: positive is saved), the part each mechanism saved measured inside the run
    /// (`SavingsLedger`: exact for its own counterfactual, tick by tick), and the residual.
    /// Two simulations' difference does not decompose exactly: the residual is what the parts
    /// do not explain (their interactions and second-order effects such as queueing, placement
    /// and work not done by the end), shown, never hidden.
    public struct Attribution: Sendable, Equatable {
        /// IT and facility energy (J), carbon (g) and cost saved.
        public struct Figures: Sendable, Equatable {
            public var itEnergy = 0.0
            public var facilityEnergy = 0.0
            public var grams = 0.0
            public var cost = 0.0
            public init(itEnergy: Double = 0, facilityEnergy: Double = 0, grams: Double = 0, cost: Double = 0) {
                self.itEnergy = itEnergy
                self.facilityEnergy = facilityEnergy
                self.grams = grams
                self.cost = cost
            }
            init(_ s: MechanismSavings) {
                self.init(itEnergy: s.itEnergy, facilityEnergy: s.facilityEnergy, grams: s.grams, cost: s.cost)
            }
            static func - (a: Figures, b: Figures) -> Figures {
                Figures(itEnergy: a.itEnergy - b.itEnergy, facilityEnergy: a.facilityEnergy - b.facilityEnergy,
                        grams: a.grams - b.grams, cost: a.cost - b.cost)
            }
        }

        /// Baseline minus with policies.
        public var total: Figures
        /// Measured inside the run with policies (`SavingsLedger`).
        public var ledger: SavingsLedger
        /// Total minus the four mechanisms.
        public var residual: Figures
        /// Intensity of the energy caps, suspension and moves saved together, g/J.
        public var savedIntensity: Double?
        /// The average intensity of each run's energy, g/J.
        public var runIntensity: Double?
        public var baselineIntensity: Double?
        /// GPU work done with policies minus in the baseline, GPU-seconds.
        public var workChange: Double

        public init(policies p: SimulationReport, baseline b: SimulationReport) {
            ledger = p.savings
            total = Figures(itEnergy: b.itEnergy - p.itEnergy, facilityEnergy: b.facilityEnergy - p.facilityEnergy,
                            grams: b.carbonGrams - p.carbonGrams, cost: b.cost - p.cost)
            let parts = [ledger.caps, ledger.suspension, ledger.moves, ledger.shifting.savings].reduce(MechanismSavings(), +)
            residual = total - Figures(parts)
            savedIntensity = (ledger.caps + ledger.suspension + ledger.moves).intensity
            runIntensity = p.accounting.averageIntensity
            baselineIntensity = b.accounting.averageIntensity
            workChange = p.gpuWork - b.gpuWork
        }

        /// One row per mechanism, then the residual and the total: label, figures, intensity.
        var rows: [(label: String, figures: Figures, intensity: String)] {
            let shift = ledger.shifting
            let fromTo = zip2(shift.from.intensity, shift.to.intensity).map { "\(Self.gkWh($0)) → \(Self.gkWh($1))" } ?? "-"
            return [
                ("GPU caps set by policies", Figures(ledger.caps), ledger.caps.intensity.map(Self.gkWh) ?? "-"),
                ("node suspension", Figures(ledger.suspension), ledger.suspension.intensity.map(Self.gkWh) ?? "-"),
                ("moving jobs between pools", Figures(ledger.moves), ledger.moves.intensity.map(Self.gkWh) ?? "-"),
                ("shifting in time", Figures(shift.savings), fromTo),
                ("residual (interactions, second order)", residual, "-"),
                ("total change vs baseline", total, "-"),
            ]
        }

        /// What each row is, its baseline and assumptions.
        func notes(currency: String) -> [String] {
            let l = ledger, shift = ledger.shifting
            let work = abs(workChange) < 1 ? "the same work as the baseline"
                : String(format: "%.1f GPU-h %@ work than the baseline", abs(workChange) / 3600, workChange < 0 ? "less" : "more")
            func price(_ s: ShiftedEnergy.Side) -> String {
                s.facilityEnergy > 0 ? String(format: "%.3f", s.cost / s.facilityEnergy * 3.6e6) : "-"
            }
            let from = shift.from.intensity.map(Self.gkWh) ?? "-", to = shift.to.intensity.map(Self.gkWh) ?? "-"
            return [
                "caps: GPU energy of the work capped jobs did, at their pool's configured cap (the baseline's) minus at the cap "
                    + "they ran under, by the cap model (band \(Self.kWh(l.capsLow)) to \(Self.kWh(l.capsHigh)) kWh, both caps' "
                    + "half-widths added; the row `GPU energy saved by caps` counts against uncapped, configured caps included)",
                "suspension: idle minus suspended power over \(String(format: "%.1f", l.suspendedSeconds / 3600)) node-hours "
                    + "suspended; suspending and waking draw idle power in the simulator, so they cost nothing beside idling "
                    + "(the wait for a waking node is in the residual)",
                "moves: the above-idle energy of \(l.jobsMoved) moved jobs' work in the pool they were submitted to minus in "
                    + "the pool they ran in, each at its configured cap",
                shift.jobs == 0 ? "shifting: no job was deferred"
                    : "shifting: the above-idle energy of \(shift.jobs) deferred jobs' work (\(Self.kWh(shift.itEnergy)) kWh IT) priced "
                    + "when it ran against as long earlier as each was deferred: from \(from) to \(to) g/kWh, "
                    + "\(price(shift.from)) to \(price(shift.to)) \(currency)/kWh; the energy changes only with the PUE",
                "residual: the change against the baseline minus the four parts: their interactions and second-order effects "
                    + "(queueing and placement, capped jobs holding nodes longer, checkpoints, work not done by the end: \(work))",
                "intensities: the grid's average (location-based) intensity at the times of the savings, weighted by the energy "
                    + "saved (caps, suspension and moves together: \(savedIntensity.map(Self.gkWh) ?? "-") g/kWh), against the run's "
                    + "average of \(runIntensity.map(Self.gkWh) ?? "-") g/kWh (baseline \(baselineIntensity.map(Self.gkWh) ?? "-") g/kWh); "
                    + Self.marginal,
            ]
        }

        /// What marginal accounting would need (report footers, JSON, docs).
        public static let marginal = "not marginal: marginal intensities (the emissions of the generation that follows a "
            + "change in demand) need a marginal emission factor series, which the repository does not have, and can differ "
            + "widely from the average"

        static func kWh(_ j: Double) -> String { String(format: "%.1f", j / 3.6e6) }
        static func gkWh(_ gPerJ: Double) -> String { String(format: "%.0f", SI.toGramsPerKWh(gPerJ)) }

        /// The block for the text or markdown table.
        func block(currency: String, markdown: Bool) -> String {
            let header = ["where the savings came from", "IT energy", "facility energy", "carbon", "cost", "intensity"]
            let lines = rows.map { r in
                [r.label, Self.kWh(r.figures.itEnergy) + " kWh", Self.kWh(r.figures.facilityEnergy) + " kWh",
                 String(format: "%.1f kg", r.figures.grams / 1000), String(format: "%.2f %@", r.figures.cost, currency),
                 r.intensity == "-" ? "-" : r.intensity + " g/kWh"]
            }
            let title = "Baseline minus with policies (positive is saved); each part measured inside the run with policies."
            if markdown {
                var md = title + "\n\n| " + header.joined(separator: " | ") + " |\n|---|---:|---:|---:|---:|---:|\n"
                for l in lines { md += "| " + l.joined(separator: " | ") + " |\n" }
                return md + "\n" + notes(currency: currency).map { "- \($0.prefix(1).uppercased() + $0.dropFirst())." }.joined(separator: "\n") + "\n"
            }
            let widths = header.indices.map { i in ([header[i]] + lines.map { $0[i] }).map(\.count).max()! }
            func line(_ c: [String]) -> String {
                c.indices.map { i in
                    i == 0 ? c[i].padding(toLength: widths[i], withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: widths[i] - c[i].count) + c[i]
                }.joined(separator: "  ")
            }
            var out = title.prefix(1).lowercased() + title.dropFirst().dropLast() + "\n"
            out += line(header) + "\n" + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
            for l in lines { out += line(l) + "\n" }
            return out + notes(currency: currency).joined(separator: "\n") + "\n"
        }
    }
}

private func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}

extension PolicyRun.ReportJSON {
    /// One mechanism's savings (or the residual, or the total) in SI units; null where not a
    /// finite number or not defined.
    public struct Part: Codable, Sendable, Equatable {
        @NullEncoded public var itEnergyJ: Double?
        @NullEncoded public var facilityEnergyJ: Double?
        @NullEncoded public var carbonG: Double?
        @NullEncoded public var cost: Double?
        /// The average intensity of the energy saved, g/kWh.
        @NullEncoded public var intensityGPerKWh: Double?

        enum CodingKeys: String, CodingKey {
            case itEnergyJ = "it_energy_j", facilityEnergyJ = "facility_energy_j", carbonG = "carbon_g", cost
            case intensityGPerKWh = "intensity_g_per_kwh"
        }

        init(_ f: PolicyRun.Attribution.Figures, intensity: Double?) {
            itEnergyJ = finite(f.itEnergy)
            facilityEnergyJ = finite(f.facilityEnergy)
            carbonG = finite(f.grams)
            cost = finite(f.cost)
            intensityGPerKWh = intensity.flatMap { finite(SI.toGramsPerKWh($0)) }
        }

    }

    /// `PolicyRun.Attribution` as JSON: baseline minus with policies, positive is saved.
    public struct Attribution: Codable, Sendable, Equatable {
        public var caps: Part
        @NullEncoded public var capsLowJ: Double?
        @NullEncoded public var capsHighJ: Double?
        public var suspension: Part
        @NullEncoded public var suspendedNodeS: Double?
        public var moves: Part
        public var jobsMoved: Int
        /// Facility energy, carbon and cost the moves in time saved (IT energy 0).
        public var shifting: Part
        @NullEncoded public var shiftedItEnergyJ: Double?
        public var jobsShifted: Int
        @NullEncoded public var shiftedFromIntensityGPerKWh: Double?
        @NullEncoded public var shiftedToIntensityGPerKWh: Double?
        public var residual: Part
        public var total: Part
        @NullEncoded public var savedIntensityGPerKWh: Double?
        @NullEncoded public var runIntensityGPerKWh: Double?
        @NullEncoded public var baselineIntensityGPerKWh: Double?
        @NullEncoded public var gpuWorkChangeS: Double?
        public var intensityMethod: String

        enum CodingKeys: String, CodingKey {
            case caps, capsLowJ = "caps_low_j", capsHighJ = "caps_high_j", suspension, suspendedNodeS = "suspended_node_s"
            case moves, jobsMoved = "jobs_moved", shifting, shiftedItEnergyJ = "shifted_it_energy_j", jobsShifted = "jobs_shifted"
            case shiftedFromIntensityGPerKWh = "shifted_from_intensity_g_per_kwh", shiftedToIntensityGPerKWh = "shifted_to_intensity_g_per_kwh"
            case residual, total, savedIntensityGPerKWh = "saved_intensity_g_per_kwh", runIntensityGPerKWh = "run_intensity_g_per_kwh"
            case baselineIntensityGPerKWh = "baseline_intensity_g_per_kwh", gpuWorkChangeS = "gpu_work_change_s"
            case intensityMethod = "intensity_method"
        }

        init(_ a: PolicyRun.Attribution) {
            typealias F = PolicyRun.Attribution.Figures
            let l = a.ledger
            func g(_ v: Double?) -> Double? { v.flatMap { finite(SI.toGramsPerKWh($0)) } }
            caps = Part(F(l.caps), intensity: l.caps.intensity)
            capsLowJ = finite(l.capsLow)
            capsHighJ = finite(l.capsHigh)
            suspension = Part(F(l.suspension), intensity: l.suspension.intensity)
            suspendedNodeS = finite(l.suspendedSeconds)
            moves = Part(F(l.moves), intensity: l.moves.intensity)
            jobsMoved = l.jobsMoved
            shifting = Part(F(l.shifting.savings), intensity: nil)
            shiftedItEnergyJ = finite(l.shifting.itEnergy)
            jobsShifted = l.shifting.jobs
            shiftedFromIntensityGPerKWh = g(l.shifting.from.intensity)
            shiftedToIntensityGPerKWh = g(l.shifting.to.intensity)
            residual = Part(a.residual, intensity: nil)
            total = Part(a.total, intensity: nil)
            savedIntensityGPerKWh = g(a.savedIntensity)
            runIntensityGPerKWh = g(a.runIntensity)
            baselineIntensityGPerKWh = g(a.baselineIntensity)
            gpuWorkChangeS = finite(a.workChange)
            intensityMethod = "average (location-based) grid intensity at the times of the savings, weighted by the energy saved; "
                + PolicyRun.Attribution.marginal
        }

    }
}

private func finite(_ v: Double) -> Double? { v.isFinite ? v : nil }
