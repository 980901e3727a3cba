/// Power and throughput of one device (GPU or CPU) as a function of utilization and a
/// power cap.
///
/// - Uncapped power is linear in utilization: `idle + (max − idle) × u` (u in 0…1).
/// - A cap (clamped to the device's allowed range) limits power: `min(uncapped, cap)`.
/// - Throughput, as a fraction of peak, is `u` while the cap does not bind. When it binds,
///   the device slows by the measured cap curve read at `cap / uncapped power`: at full
///   load that is exactly the curve's definition (cap / TDP); at partial load it treats the
///   demanded power as the device's effective maximum (an approximation; docs/energy.md).
public struct DevicePowerModel: Sendable {
    public var idleWatts: Double
    public var maxWatts: Double
    public var capRange: ClosedRange<Double>
    /// Relative throughput (0…1, 1 at x = 1) at a cap of `x` times the full-load power.
    public var relativeThroughput: @Sendable (Double) -> Double

    public init(idleWatts: Double, maxWatts: Double, capRange: ClosedRange<Double>,
                relativeThroughput: @escaping @Sendable (Double) -> Double) {
        self.idleWatts = idleWatts
        self.maxWatts = maxWatts
        self.capRange = capRange
        self.relativeThroughput = relativeThroughput
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
        min(uncappedPower(utilization: utilization), effectiveCap(capWatts))
    }

    /// Fraction of peak throughput delivered.
    public func throughput(utilization: Double, capWatts: Double? = nil) -> Double {
        let u = DevicePowerModel.clampUnit(utilization)
        let demanded = uncappedPower(utilization: u)
        let cap = effectiveCap(capWatts)
        guard u > 0 else { return 0 }
        guard cap < demanded else { return u }
        return u * max(0, min(1, relativeThroughput(cap / demanded)))
    }

    /// Energy per unit of work relative to running uncapped (below 1: capping saves energy).
    public func relativeEnergyPerWork(utilization: Double, capWatts: Double?) -> Double {
        let base = uncappedPower(utilization: utilization) / max(1e-12, throughput(utilization: utilization, capWatts: nil))
        let capped = power(utilization: utilization, capWatts: capWatts) / max(1e-12, throughput(utilization: utilization, capWatts: capWatts))
        return capped / base
    }
}
