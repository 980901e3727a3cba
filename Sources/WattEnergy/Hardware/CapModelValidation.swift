import Foundation

/// Leave-one-GPU-out validation of the cap model: fit the response on every GPU but one,
/// predict the held-out GPU's energy per unit of work and throughput at each cap level from
/// its workloads' uncapped draw alone, and compare with what was measured
/// (docs/hardware.md shows the table and its assumptions).
///
/// The held-out GPU's capped runs never touch the fit: its only input is each workload's
/// uncapped run (average power and time at the max limit), which a site knows from telemetry
/// of the job running uncapped.
public enum CapModelValidation {
    /// The cap levels, as fractions of the max limit (TDP).
    public static let levels: [Double] = [1.0 / 3, 0.5, 2.0 / 3, 0.8, 0.9]
    /// The acceptance: |predicted − measured| median energy per work, in points, at 2/3 and 1/2 of TDP.
    public static let tolerance: [(level: Double, points: Double)] = [(2.0 / 3, 3), (0.5, 5)]
    /// Workloads drawing at least this fraction of the max limit uncapped are "heavy" (the
    /// full-load case).
    public static let heavyDraw = 0.8
    /// Cap-ratio bins of the residuals that make a predicted median a mixture (see `Level`).
    static let residualBins: [Double] = [0.6, 0.8, 1.0]
    /// The residual quantiles each workload contributes to a mixture.
    static let residualQuantiles: [Double] = (0..<39).map { 0.025 + Double($0) * 0.025 }
    /// Where the energy band is given (cap ratios), each from the runs within ±0.05 of it.
    public static let bandKnots: [Double] = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]

    /// Median and quartiles.
    public struct Spread: Sendable, Equatable {
        public var median: Double
        public var q25: Double
        public var q75: Double
    }

    /// One cap level of one held-out GPU.
    public struct Level: Sendable {
        /// Cap / max limit.
        public var level: Double
        /// Workloads measured at this level (by interpolation between the two measured limits
        /// around it; none when it is outside the GPU's measured limits).
        public var workloads: Int
        public var measuredEnergy: Spread?
        public var measuredThroughput: Spread?
        /// The predicted median over the held-out workloads: each workload contributes its
        /// predicted value plus the training residuals at its cap ratio (a mixture), so the
        /// median is that of a population of jobs, not of noiseless points.
        public var predictedEnergy: Double?
        public var predictedThroughput: Double?
        /// The same model when the held-out workloads' draws are not known: the median over
        /// the training GPUs' workloads (their draws as fractions of their max limits) at this
        /// level, as a mixture like `predictedEnergy`.
        public var drawBlindEnergy: Double?
        /// The previous model (cap-fraction curve read at cap / uncapped draw, power
        /// min(draw, cap)) on the same workloads: median of its predictions.
        public var previousModelEnergy: Double?
        /// The previous model for a job at full load: limit / curve(limit).
        public var previousModelFullLoadEnergy: Double
        /// The model for a job drawing the max limit uncapped.
        public var fullLoadEnergy: Double
        /// Heavy workloads (uncapped draw ≥ `heavyDraw` × max limit): count, measured and
        /// predicted median energy per work.
        public var heavy: (count: Int, measured: Double, predicted: Double)?

        /// (predicted − measured) × 100.
        public var energyErrorPoints: Double? { zip2(predictedEnergy, measuredEnergy?.median).map { ($0 - $1) * 100 } }
        public var throughputErrorPoints: Double? { zip2(predictedThroughput, measuredThroughput?.median).map { ($0 - $1) * 100 } }
        public var drawBlindErrorPoints: Double? { zip2(drawBlindEnergy, measuredEnergy?.median).map { ($0 - $1) * 100 } }
        public var previousModelErrorPoints: Double? { zip2(previousModelEnergy, measuredEnergy?.median).map { ($0 - $1) * 100 } }
    }

    public struct Fold: Sendable {
        public var heldOut: String
        public var trainedOn: [String]
        public var fit: CapCurveFit.ResponseFit
        public var workloads: Int
        public var levels: [Level]
        /// Per band knot: |median predicted − median measured| energy per work of the held-out
        /// runs within ±0.05 of the knot's cap ratio (at least 5 runs), or nil.
        public var bandErrors: [Double?]
    }

    public struct Report: Sendable {
        public var folds: [Fold]
        /// The response fitted on every GPU, with the band (the largest fold error at each
        /// knot; knots no fold measured are left out).
        public var pooled: CapCurveFit.ResponseFit
        public var band: CapResponse.EnergyBand?

        /// Every fold within `tolerance` at every tolerance level it measured.
        public var withinTolerance: Bool {
            folds.allSatisfy { fold in
                CapModelValidation.tolerance.allSatisfy { t in
                    guard let l = fold.levels.first(where: { abs($0.level - t.level) < 1e-9 }), let e = l.energyErrorPoints else { return true }
                    return abs(e) <= t.points
                }
            }
        }
    }

    private static let zeusReport: Swift.Result<Report, CapCurveFit.DataError> = {
        do throws(CapCurveFit.DataError) {
            guard let report = leaveOneOut(try CapCurveFit.zeusMeasurements()) else {
                return .failure(CapCurveFit.DataError(file: "zeus", message: "fewer than two GPUs with runs"))
            }
            return .success(report)
        } catch {
            return .failure(error)
        }
    }()

    /// The validation on the shipped Zeus data (computed once).
    public static func zeus() throws(CapCurveFit.DataError) -> Report {
        try zeusReport.get()
    }

    /// Runs the validation; needs at least two GPUs.
    public static func leaveOneOut(_ measurements: [CapCurveFit.Measurements]) -> Report? {
        guard measurements.count >= 2, measurements.allSatisfy({ !$0.ratios.isEmpty }) else { return nil }
        var folds: [Fold] = []
        for (i, held) in measurements.enumerated() {
            let training = measurements.enumerated().filter { $0.offset != i }.map(\.element)
            folds.append(fold(held: held, training: training))
        }
        let pooled = CapCurveFit.fitResponse(measurements.flatMap(\.ratios))
        var points: [(capRatio: Double, halfWidth: Double)] = []
        for (k, knot) in bandKnots.enumerated() {
            let errors = folds.compactMap { $0.bandErrors[k] }
            if let worst = errors.max() { points.append((knot, (worst * 1e4).rounded() / 1e4)) }
        }
        let band = try? CapResponse.EnergyBand(validating: points)
        var withBand = pooled
        withBand.response.energyBand = band
        return Report(folds: folds, pooled: withBand, band: band)
    }

    static func fold(held: CapCurveFit.Measurements, training: [CapCurveFit.Measurements]) -> Fold {
        let trainingRuns = training.flatMap(\.ratios)
        let fit = CapCurveFit.fitResponse(trainingRuns)
        let r = fit.response
        // Residuals of the training runs, by cap-ratio bin.
        var energyResiduals = [[Double]](repeating: [], count: residualBins.count + 1)
        var throughputResiduals = energyResiduals
        for run in trainingRuns {
            let p = CapCurveFit.predicted(r, run)
            let b = bin(run.capRatio(peakFactor: r.peakFactor))
            energyResiduals[b].append(run.relativeEnergyPerWork - p.energy)
            throughputResiduals[b].append(run.relativeThroughput - p.throughput)
        }
        let energyQ = energyResiduals.map { quantiles($0) }
        let throughputQ = throughputResiduals.map { quantiles($0) }
        // The previous model: a cap-fraction curve fitted on the training GPUs.
        let previousSamples = training.flatMap(\.throughputSamples)
        let previous = CapCurveFit.fit(previousSamples, knots: CapCurveFit.defaultKnots(for: previousSamples))

        let configurations = held.configurations
        var results: [Level] = []
        for level in levels {
            var energy: [Double] = [], throughput: [Double] = [], energyMix: [Double] = [], throughputMix: [Double] = []
            var previousModel: [Double] = [], heavyMeasured: [Double] = [], heavyMix: [Double] = []
            for c in configurations {
                guard let m = measuredAt(level * held.maxLimitW, c.runs, uncapped: c.uncapped) else { continue }
                energy.append(m.energy)
                throughput.append(m.throughput)
                let capW = level * held.maxLimitW, draw = c.uncapped.averagePowerW
                let b = bin(r.capRatio(capW: capW, drawW: draw, maxW: held.maxLimitW))
                let e = r.relativeEnergyPerWork(capW: capW, drawW: draw, maxW: held.maxLimitW)
                let t = r.relativeThroughput(capW: capW, drawW: draw, maxW: held.maxLimitW)
                let mix = energyQ[b].map { e + $0 }
                energyMix += mix
                throughputMix += throughputQ[b].map { t + $0 }
                let x = capW / draw
                previousModel.append(x < 1 ? x / max(1e-9, previous.relativeThroughput(atCapFraction: x)) : 1)
                if draw >= heavyDraw * held.maxLimitW {
                    heavyMeasured.append(m.energy)
                    heavyMix += mix
                }
            }
            var blindMix: [Double] = []
            for m in training {
                for c in m.configurations {
                    let capW = level * m.maxLimitW, draw = c.uncapped.averagePowerW
                    let e = r.relativeEnergyPerWork(capW: capW, drawW: draw, maxW: m.maxLimitW)
                    blindMix += energyQ[bin(r.capRatio(capW: capW, drawW: draw, maxW: m.maxLimitW))].map { e + $0 }
                }
            }
            let fullLoad = r.relativeEnergyPerWork(capW: level * held.maxLimitW, drawW: held.maxLimitW, maxW: held.maxLimitW)
            results.append(Level(
                level: level, workloads: energy.count,
                measuredEnergy: spread(energy), measuredThroughput: spread(throughput),
                predictedEnergy: energyMix.isEmpty ? nil : median(energyMix),
                predictedThroughput: throughputMix.isEmpty ? nil : median(throughputMix),
                drawBlindEnergy: blindMix.isEmpty ? nil : median(blindMix),
                previousModelEnergy: previousModel.isEmpty ? nil : median(previousModel),
                previousModelFullLoadEnergy: level / max(1e-9, previous.relativeThroughput(atCapFraction: level)),
                fullLoadEnergy: fullLoad,
                heavy: heavyMeasured.isEmpty ? nil : (heavyMeasured.count, median(heavyMeasured), median(heavyMix))))
        }
        // Band: the held-out runs near each knot's cap ratio.
        let heldRuns = held.ratios
        let bandErrors: [Double?] = bandKnots.map { knot in
            let near = heldRuns.filter {
                let x = $0.capRatio(peakFactor: r.peakFactor)
                return knot < 1 ? abs(x - knot) <= 0.05 : (x >= 0.95 && x < 1)
            }
            guard near.count >= 5 else { return nil }
            return abs(median(near.map { CapCurveFit.predicted(r, $0).energy }) - median(near.map(\.relativeEnergyPerWork)))
        }
        return Fold(heldOut: held.gpu, trainedOn: training.map(\.gpu), fit: fit, workloads: configurations.count,
                    levels: results, bandErrors: bandErrors)
    }

    /// A workload's energy per work and throughput at `limitW`, relative to its uncapped run,
    /// interpolated linearly between the measured limits around it; nil outside them.
    static func measuredAt(_ limitW: Double, _ runs: [CapCurveFit.Measurements.Run], uncapped: CapCurveFit.Measurements.Run) -> (energy: Double, throughput: Double)? {
        var byLimit: [Double: CapCurveFit.Measurements.Run] = [:]
        for run in runs where byLimit[run.limitW] == nil { byLimit[run.limitW] = run }
        let sorted = byLimit.keys.sorted()
        guard let lo = sorted.first, let hi = sorted.last, limitW >= lo - 1e-9, limitW <= hi + 1e-9 else { return nil }
        func values(_ run: CapCurveFit.Measurements.Run) -> (Double, Double) {
            ((run.timePerEpochS * run.averagePowerW) / (uncapped.timePerEpochS * uncapped.averagePowerW), uncapped.timePerEpochS / run.timePerEpochS)
        }
        guard let k = sorted.firstIndex(where: { $0 >= limitW - 1e-9 }) else { return nil }
        if abs(sorted[k] - limitW) <= 1e-9 || k == 0 {
            let v = values(byLimit[sorted[k]]!)
            return (v.0, v.1)
        }
        let a = sorted[k - 1], b = sorted[k]
        let va = values(byLimit[a]!), vb = values(byLimit[b]!)
        let t = (limitW - a) / (b - a)
        return (va.0 + t * (vb.0 - va.0), va.1 + t * (vb.1 - va.1))
    }

    static func bin(_ capRatio: Double) -> Int {
        residualBins.firstIndex(where: { capRatio < $0 }) ?? residualBins.count
    }

    /// `residualQuantiles` of the values (linear interpolation); [0] when there are none.
    static func quantiles(_ values: [Double]) -> [Double] {
        guard !values.isEmpty else { return [0] }
        let s = values.sorted()
        return residualQuantiles.map { quantile(s, $0) }
    }

    /// The q-quantile of sorted values, linear between order statistics (numpy's default).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        let h = Double(sorted.count - 1) * q
        let i = Int(h.rounded(.down))
        guard i + 1 < sorted.count else { return sorted[sorted.count - 1] }
        return sorted[i] + (h - Double(i)) * (sorted[i + 1] - sorted[i])
    }

    static func median(_ values: [Double]) -> Double { quantile(values.sorted(), 0.5) }

    static func spread(_ values: [Double]) -> Spread? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        return Spread(median: quantile(s, 0.5), q25: quantile(s, 0.25), q75: quantile(s, 0.75))
    }
}

private func zip2(_ a: Double?, _ b: Double?) -> (Double, Double)? {
    guard let a, let b else { return nil }
    return (a, b)
}
