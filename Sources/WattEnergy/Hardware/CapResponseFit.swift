/// Fitting a `CapResponse` (throughput and power vs cap ratio, and the peak factor) to
/// power-cap measurements (method and numbers: docs/hardware.md).
extension CapCurveFit {
    /// One measured run compared with the same workload at the GPU's max limit.
    public struct RunRatio: Sendable, Equatable {
        public var gpu: String
        public var workload: String
        public var limitW: Double
        public var maxLimitW: Double
        /// The workload's average power at the max limit, W: its uncapped draw.
        public var uncappedPowerW: Double
        /// time(max limit) / time(limit).
        public var relativeThroughput: Double
        /// average power(limit) / average power(max limit).
        public var relativePower: Double

        /// Energy per unit of work at the limit / at the max limit.
        public var relativeEnergyPerWork: Double { relativePower / relativeThroughput }
        /// limit / max limit.
        public var capFraction: Double { limitW / maxLimitW }
        /// Uncapped draw / max limit.
        public var drawFraction: Double { uncappedPowerW / maxLimitW }

        /// The cap ratio of `response`'s model: limit / min(max limit, c × uncapped draw).
        public func capRatio(peakFactor c: Double) -> Double {
            limitW / min(maxLimitW, c * uncappedPowerW)
        }
    }

    /// A fitted response and how far it is from the runs it was fitted on.
    public struct ResponseFit: Sendable {
        public var response: CapResponse
        public var runs: Int
        public var configurations: Int
        /// Errors in relative throughput, relative power and relative energy per work.
        public var throughputError: FitError
        public var powerError: FitError
        public var energyError: FitError
    }

    /// The peak factors tried: 1 to 2 by 0.05. The fit picks the one whose power curve fits the
    /// runs best; 2 (peaks twice the average) is beyond what the Zeus data support.
    public static let peakFactorGrid: [Double] = (20...40).map { Double($0) / 20 }

    /// Fits throughput and power vs cap ratio (monotone piecewise-linear least squares through
    /// (1, 1), `fit`) for every peak factor of `peakFactorGrid`, and keeps the peak factor with
    /// the least squared power error (ties: the smaller factor). Needs at least one run.
    public static func fitResponse(_ runs: [RunRatio]) -> ResponseFit {
        precondition(!runs.isEmpty, "fitResponse needs runs")
        func curves(_ c: Double) -> (throughput: CapCurve, power: CapCurve, powerSSE: Double) {
            let power = runs.map { Sample($0.capRatio(peakFactor: c), $0.relativePower) }
            let throughput = runs.map { Sample($0.capRatio(peakFactor: c), $0.relativeThroughput) }
            let p = fit(power, knots: defaultKnots(for: power))
            let t = fit(throughput, knots: defaultKnots(for: throughput))
            let e = error(of: p, on: power)
            return (t, p, e.rmse * e.rmse * Double(e.count))
        }
        var best: (c: Double, fit: (throughput: CapCurve, power: CapCurve, powerSSE: Double))?
        for c in peakFactorGrid {
            let f = curves(c)
            if best == nil || f.powerSSE < best!.fit.powerSSE - 1e-12 { best = (c, f) }
        }
        let response = CapResponse(throughput: best!.fit.throughput, power: best!.fit.power, peakFactor: best!.c)
        return ResponseFit(
            response: response, runs: runs.count, configurations: Set(runs.map { $0.gpu + "\u{1}" + $0.workload }).count,
            throughputError: error(of: { response.relativeThroughput(atCapRatio: $0) }, on: runs.map { Sample($0.capRatio(peakFactor: response.peakFactor), $0.relativeThroughput) }),
            powerError: FitError(predictedVsMeasured: runs.map { (predicted(response, $0).power, $0.relativePower) }),
            energyError: FitError(predictedVsMeasured: runs.map { (predicted(response, $0).energy, $0.relativeEnergyPerWork) }))
    }

    /// The catalog's pooled response (`zeus-pooled` in devices.json): the validation's pooled
    /// fit with its band, both curves continued below the lowest measured cap ratio down to
    /// `lowerBound` along their first segment (an extrapolation), rounded to 4 decimals.
    public static func catalogResponse(_ report: CapModelValidation.Report, lowerBound: Double = catalogLowerBound) -> CapResponse {
        func rounded(_ c: CapCurve) -> CapCurve {
            CapCurve(unchecked: extend(c, downTo: lowerBound).points.map {
                .init(($0.capFraction * 1e4).rounded() / 1e4, ($0.relativeThroughput * 1e4).rounded() / 1e4)
            })
        }
        let r = report.pooled.response
        return CapResponse(throughput: rounded(r.throughput), power: r.power.map(rounded), peakFactor: r.peakFactor, energyBand: report.band)
    }

    /// The response's predictions for a run: relative throughput, power and energy per work.
    public static func predicted(_ r: CapResponse, _ run: RunRatio) -> (throughput: Double, power: Double, energy: Double) {
        let t = r.relativeThroughput(capW: run.limitW, drawW: run.uncappedPowerW, maxW: run.maxLimitW)
        let p = r.relativePower(capW: run.limitW, drawW: run.uncappedPowerW, maxW: run.maxLimitW)
        return (t, p, p / max(t, 1e-9))
    }
}

extension CapCurveFit.FitError {
    /// The error of (predicted, measured) pairs; `worst` holds the pair as (x: predicted, y: measured).
    init(predictedVsMeasured pairs: [(Double, Double)]) {
        var sum = 0.0
        var worst: (e: Double, s: CapCurveFit.Sample)?
        for (p, m) in pairs {
            let e = abs(p - m)
            sum += e * e
            if worst == nil || e > worst!.e { worst = (e, CapCurveFit.Sample(p, m)) }
        }
        self.init(count: pairs.count, rmse: pairs.isEmpty ? 0 : (sum / Double(pairs.count)).squareRoot(), maxAbs: worst?.e ?? 0, worst: worst?.s)
    }
}

extension CapCurveFit.Measurements {
    /// Every run of a workload that has a run at the max limit, as ratios to that run.
    public var ratios: [CapCurveFit.RunRatio] {
        configurations.flatMap { c in
            c.runs.map {
                CapCurveFit.RunRatio(gpu: gpu, workload: c.workload, limitW: $0.limitW, maxLimitW: maxLimitW,
                                     uncappedPowerW: c.uncapped.averagePowerW,
                                     relativeThroughput: c.uncapped.timePerEpochS / $0.timePerEpochS,
                                     relativePower: $0.averagePowerW / c.uncapped.averagePowerW)
            }
        }
    }
}
