import Foundation

extension CapModelValidation {
    /// The level as text: `1/3`, `1/2`, `2/3`, else two decimals.
    static func levelName(_ level: Double) -> String {
        for (n, d) in [(1, 3), (1, 2), (2, 3)] where abs(level - Double(n) / Double(d)) < 1e-9 { return "\(n)/\(d)" }
        return String(format: "%.2f", level)
    }

    /// The validation as a plain-text table per held-out GPU, then the tolerance check and
    /// the pooled fit (what `watt profile validate` prints).
    public static func text(_ report: Report) -> String {
        func f3(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "-" }
        func pts(_ v: Double?) -> String { v.map { String(format: "%+.1f", $0) } ?? "-" }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
        var out = "leave-one-GPU-out validation of the cap model\n"
        out += "each GPU's capped runs are predicted by a fit on the other GPUs, from each workload's uncapped draw alone;\n"
        out += "energy/work and throughput are relative to the same workload at the max limit (TDP); medians over workloads,\n"
        out += "measured values interpolated linearly between the measured limits around each level; error = predicted - measured, in points;\n"
        out += "draws unknown: the same model over the training GPUs' workloads instead; previous model: the cap-fraction curve read at\n"
        out += "cap / draw with power min(draw, cap); full load: a job drawing the max limit uncapped; heavy: workloads drawing ≥ 0.8 of it\n"
        let header = [("cap/TDP", 8), ("n", 4), ("energy/work measured [q25, q75]", 33), ("predicted", 10), ("error", 7),
                      ("throughput measured", 20), ("predicted", 10), ("error", 7), ("draws unknown", 14), ("error", 7), ("previous model", 15), ("error", 7),
                      ("full load new / previous", 25), ("heavy n", 8), ("measured", 9), ("predicted", 9)]
        for fold in report.folds {
            let r = fold.fit.response
            out += "\nheld out \(fold.heldOut) (\(fold.workloads) workloads); fitted on \(fold.trainedOn.joined(separator: ", ")) "
            out += "(\(fold.fit.runs) runs, peak factor \(HardwareText.number(r.peakFactor)))\n"
            out += header.map { pad($0.0, $0.1) }.joined().trimmingCharacters(in: .whitespaces) + "\n"
            for l in fold.levels {
                var cells: [String] = [levelName(l.level), String(l.workloads)]
                if let m = l.measuredEnergy {
                    cells.append("\(f3(m.median)) [\(f3(m.q25)), \(f3(m.q75))]")
                } else {
                    cells.append("not measured")
                }
                cells += [f3(l.predictedEnergy), pts(l.energyErrorPoints), f3(l.measuredThroughput?.median), f3(l.predictedThroughput),
                          pts(l.throughputErrorPoints), f3(l.drawBlindEnergy), pts(l.drawBlindErrorPoints), f3(l.previousModelEnergy), pts(l.previousModelErrorPoints),
                          "\(f3(l.fullLoadEnergy)) / \(f3(l.previousModelFullLoadEnergy))"]
                if let h = l.heavy {
                    cells += [String(h.count), f3(h.measured), f3(h.predicted)]
                } else {
                    cells += ["0", "-", "-"]
                }
                out += zip(cells, header).map { pad($0, $1.1) }.joined().trimmingCharacters(in: .whitespaces) + "\n"
            }
        }
        out += "\ntolerance: |error| of the median energy/work ≤ "
        out += tolerance.map { "\(HardwareText.number($0.points)) points at \(levelName($0.level)) of TDP" }.joined(separator: ", ") + "\n"
        for fold in report.folds {
            let checks = tolerance.map { t -> String in
                guard let l = fold.levels.first(where: { abs($0.level - t.level) < 1e-9 }), let e = l.energyErrorPoints else {
                    return "\(levelName(t.level)) not measured"
                }
                return "\(levelName(t.level)) \(pts(e)) \(abs(e) <= t.points ? "ok" : "OUTSIDE")"
            }
            out += "  \(fold.heldOut): \(checks.joined(separator: ", "))\n"
        }
        out += report.withinTolerance ? "every held-out GPU is within the tolerance\n" : "some held-out GPU is OUTSIDE the tolerance\n"
        let p = report.pooled
        out += "\npooled fit on every GPU (\(p.configurations) workloads, \(p.runs) runs): peak factor \(HardwareText.number(p.response.peakFactor))\n"
        out += "  throughput vs cap ratio: \(p.response.throughput)\n"
        if let power = p.response.power { out += "  power vs cap ratio: \(power)\n" }
        out += String(format: "  fit rmse: throughput %.4f, power %.4f, energy/work %.4f\n", p.throughputError.rmse, p.powerError.rmse, p.energyError.rmse)
        if let band = report.band {
            out += "  energy/work band (largest held-out error near each cap ratio): \(band.description)\n"
        }
        let c = CapCurveFit.catalogResponse(report)
        out += "catalog curve (continued down to cap ratio \(HardwareText.number(CapCurveFit.catalogLowerBound)), rounded; devices.json `zeus-pooled`):\n"
        out += "  \"points\": \(c.throughput), \"power\": \(c.power.map(\.description) ?? "null"), \"peak_factor\": \(HardwareText.number(c.peakFactor))"
        out += c.energyBand.map { ", \"energy_band\": \($0.description)" } ?? ""
        return out + "\n"
    }
}
