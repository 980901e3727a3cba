/// Power and throughput of one device (GPU or CPU) as a function of utilization and a
/// power cap.
///
/// - Uncapped power (the job's draw) is linear in utilization: `idle + (max − idle) × u`
///   (u in 0…1).
/// - A cap (clamped to the device's allowed range) acts through the device's `CapResponse`
///   (docs/hardware.md): the job's peak draw is `min(max, peak factor × draw)`; a cap at or
///   above it changes nothing; below it, throughput and average power follow the response's
///   curves at cap ratio `cap / peak draw`, and the average never exceeds the cap. At full
///   load the cap ratio is `cap / max`; a job drawing less is slowed less, and one whose peak
///   is under the cap not at all.
public struct DevicePowerModel: Sendable {
    public var idleWatts: Double
    public var maxWatts: Double
    public var capRange: ClosedRange<Double>
    public var response: CapResponse

    public init(idleWatts: Double, maxWatts: Double, capRange: ClosedRange<Double>, response: CapResponse) {
        self.idleWatts = idleWatts
        self.maxWatts = maxWatts
        self.capRange = capRange
        self.response = response
    }

    static func clampUnit(_ u: Double) -> Double { u.isFinite ? min(1, max(0, u)) : 0 }

    /// The cap the device would actually apply (inside its allowed range).
    public func effectiveCap(_ capWatts: Double?) -> Double {
        guard let capWatts, capWatts.isFinite else { return maxWatts }
        return min(capRange.upperBound, max(capRange.lowerBound, capWatts))
    }

    public func uncappedPower(utilization: Double) -> Double {
        idleWatts + (maxWatts - idleWatts) * DevicePowerModel.clampUnit(utilization)
    }

    public func power(utilization: Double, capWatts: Double? = nil) -> Double {
        let draw = uncappedPower(utilization: utilization)
        guard capWatts != nil else { return draw }
        let cap = effectiveCap(capWatts)
        return min(draw * response.relativePower(capW: cap, drawW: draw, maxW: maxWatts), max(cap, 0))
    }

    /// Throughput under the cap / uncapped throughput, for a job at this utilization.
    public func relativeThroughput(utilization: Double, capWatts: Double?) -> Double {
        guard capWatts != nil else { return 1 }
        return response.relativeThroughput(capW: effectiveCap(capWatts), drawW: uncappedPower(utilization: utilization), maxW: maxWatts)
    }

    /// Fraction of peak throughput delivered.
    public func throughput(utilization: Double, capWatts: Double? = nil) -> Double {
        let u = DevicePowerModel.clampUnit(utilization)
        guard u > 0 else { return 0 }
        return u * relativeThroughput(utilization: u, capWatts: capWatts)
    }

    /// Energy per unit of work relative to running uncapped (below 1: capping saves energy).
    public func relativeEnergyPerWork(utilization: Double, capWatts: Double?) -> Double {
        let u = DevicePowerModel.clampUnit(utilization)
        guard u > 0 else { return 1 }
        return power(utilization: u, capWatts: capWatts) / uncappedPower(utilization: u) / max(1e-9, relativeThroughput(utilization: u, capWatts: capWatts))
    }

    /// `relativeEnergyPerWork` ± the response's energy band (low, high); both equal it when
    /// the response has no band or the cap does not bind.
    public func relativeEnergyPerWorkBand(utilization: Double, capWatts: Double?) -> (low: Double, high: Double) {
        let e = relativeEnergyPerWork(utilization: utilization, capWatts: capWatts)
        guard capWatts != nil else { return (e, e) }
        let draw = uncappedPower(utilization: utilization)
        let h = response.energyBandHalfWidth(capW: effectiveCap(capWatts), drawW: draw, maxW: maxWatts)
        return (max(0, e - h), e + h)
    }
}
