/// How a job on a GPU responds to a power cap: its throughput and its average power, relative
/// to running uncapped, as functions of how far the cap is below the power the job would draw
/// (calibration and validation: docs/hardware.md).
///
/// A cap bites on the job's power peaks, not on its average: the job's **peak draw** is taken
/// as `min(maxW, peakFactor × uncapped average draw)`, and the **cap ratio** is
/// `cap / peak draw`. At a cap ratio of 1 or more the job is unaffected (same speed, same
/// power); below it the job slows by the `throughput` curve and its average power follows the
/// `power` curve. At full load (the job draws `maxW`) the cap ratio is `cap / maxW`, the cap
/// fraction the curves were historically defined on.
///
/// ```swift
/// let r = try HardwareCatalog.builtIn.curve(named: "zeus-pooled").response
/// r.relativeEnergyPerWork(capW: 467, drawW: 700, maxW: 700)   // ≈ 0.79: 2/3 of TDP at full load
/// r.relativeEnergyPerWork(capW: 467, drawW: 300, maxW: 700)   // 1: the job peaks below the cap
/// ```
public struct CapResponse: Sendable, Equatable, CustomStringConvertible {
    /// Relative throughput (throughput capped / uncapped) vs cap ratio.
    public var throughput: CapCurve
    /// Average power capped / uncapped vs cap ratio; `nil`: the cap is a hard limit on the
    /// average, power = `min(uncapped draw, cap)` (the model of curves given without one).
    public var power: CapCurve?
    /// c ≥ 1: peak draw = `min(maxW, c × uncapped average draw)`. 1 treats the average as
    /// the peak (a cap at or above the average draw has no effect).
    public var peakFactor: Double
    /// How uncertain the energy per unit of work is, vs cap ratio: ± this (a fraction, e.g.
    /// 0.03 = 3 points) around `relativeEnergyPerWork`; `nil` when not known.
    public var energyBand: EnergyBand?

    public init(throughput: CapCurve, power: CapCurve? = nil, peakFactor: Double = 1, energyBand: EnergyBand? = nil) {
        self.throughput = throughput
        self.power = power
        self.peakFactor = peakFactor
        self.energyBand = energyBand
    }

    /// The largest peak factor a profile may give (a job whose peaks are 3× its average).
    public static let maxPeakFactor = 3.0

    /// ± of energy per unit of work vs cap ratio: linear between points, clamped outside
    /// them, 0 at cap ratios of 1 and above (the job is unaffected there).
    public struct EnergyBand: Sendable, Equatable {
        /// (cap ratio, half-width) with cap ratios strictly increasing in (0, 1] and widths in [0, 1].
        public let points: [(capRatio: Double, halfWidth: Double)]

        public init(validating points: [(capRatio: Double, halfWidth: Double)]) throws(CapCurve.InvalidPoints) {
            guard !points.isEmpty else { throw CapCurve.InvalidPoints(message: "must have at least 1 point") }
            for (i, p) in points.enumerated() {
                guard p.capRatio.isFinite, p.halfWidth.isFinite else { throw CapCurve.InvalidPoints(message: "point \(i) is not finite") }
                guard p.capRatio > 0, p.capRatio <= 1 else {
                    throw CapCurve.InvalidPoints(message: "point \(i): cap ratio must be in (0, 1], found \(HardwareText.number(p.capRatio))")
                }
                guard p.halfWidth >= 0, p.halfWidth <= 1 else {
                    throw CapCurve.InvalidPoints(message: "point \(i): half-width must be in [0, 1], found \(HardwareText.number(p.halfWidth))")
                }
                if i > 0, p.capRatio <= points[i - 1].capRatio {
                    throw CapCurve.InvalidPoints(message: "cap ratios must increase: point \(i) (\(HardwareText.number(p.capRatio))) does not follow point \(i - 1) (\(HardwareText.number(points[i - 1].capRatio)))")
                }
            }
            self.points = points
        }

        public func halfWidth(atCapRatio x: Double) -> Double {
            guard x < 1 else { return 0 }
            guard x > points[0].capRatio else { return points[0].halfWidth }
            guard let hi = points.firstIndex(where: { $0.capRatio >= x }) else { return points.last!.halfWidth }
            let a = points[hi - 1], b = points[hi]
            return a.halfWidth + (x - a.capRatio) / (b.capRatio - a.capRatio) * (b.halfWidth - a.halfWidth)
        }

        public static func == (a: EnergyBand, b: EnergyBand) -> Bool {
            a.points.count == b.points.count && zip(a.points, b.points).allSatisfy { $0.capRatio == $1.capRatio && $0.halfWidth == $1.halfWidth }
        }

        public var description: String {
            "[" + points.map { "[\(HardwareText.number($0.capRatio)), \(HardwareText.number($0.halfWidth))]" }.joined(separator: ", ") + "]"
        }
    }

    // MARK: The model

    /// `cap / min(maxW, peakFactor × drawW)`; +∞ when the job draws nothing.
    public func capRatio(capW: Double, drawW: Double, maxW: Double) -> Double {
        let peak = min(maxW, peakFactor * drawW)
        guard peak > 0, capW.isFinite else { return .infinity }
        return max(0, capW) / peak
    }

    /// Throughput under the cap / uncapped throughput.
    public func relativeThroughput(capW: Double, drawW: Double, maxW: Double) -> Double {
        relativeThroughput(atCapRatio: capRatio(capW: capW, drawW: drawW, maxW: maxW))
    }

    public func relativeThroughput(atCapRatio x: Double) -> Double {
        x >= 1 ? 1 : max(0, min(1, throughput.relativeThroughput(atCapFraction: x)))
    }

    /// Average power under the cap / uncapped average power (never above the cap).
    public func relativePower(capW: Double, drawW: Double, maxW: Double) -> Double {
        guard drawW > 0, capW.isFinite else { return 1 }
        let hardLimit = min(1, max(0, capW) / drawW)
        guard let power else { return hardLimit }
        let x = capRatio(capW: capW, drawW: drawW, maxW: maxW)
        return x >= 1 ? 1 : min(hardLimit, max(0, power.relativeThroughput(atCapFraction: x)))
    }

    /// Energy per unit of work under the cap / uncapped (below 1: the cap saves energy).
    public func relativeEnergyPerWork(capW: Double, drawW: Double, maxW: Double) -> Double {
        let t = relativeThroughput(capW: capW, drawW: drawW, maxW: maxW)
        return relativePower(capW: capW, drawW: drawW, maxW: maxW) / max(t, 1e-9)
    }

    /// The band's half-width at this job's cap ratio (0 without a band).
    public func energyBandHalfWidth(capW: Double, drawW: Double, maxW: Double) -> Double {
        energyBand?.halfWidth(atCapRatio: capRatio(capW: capW, drawW: drawW, maxW: maxW)) ?? 0
    }

    public var description: String {
        var parts = ["throughput \(throughput)", power.map { "power \($0)" } ?? "power min(draw, cap)", "peak factor \(HardwareText.number(peakFactor))"]
        if let energyBand { parts.append("energy band \(energyBand.description)") }
        return parts.joined(separator: "; ")
    }
}
