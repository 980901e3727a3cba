extension DevicePowerModel {
    /// The power model of a catalog device: its idle and max power, cap range and cap response.
    public init(profile: DeviceProfile) {
        self.init(idleWatts: profile.idleW, maxWatts: profile.maxW, capRange: profile.capRangeW, response: profile.capResponse)
    }
}

/// Power and throughput of a node: its devices (GPUs at the GPU utilization and cap, CPUs
/// at the CPU utilization) plus its fixed overhead.
public struct NodePowerModel: Sendable {
    public var profile: NodeProfile
    let components: [(model: DevicePowerModel, count: Double, kind: DeviceKind, peak: Double)]

    public init(profile: NodeProfile) {
        self.profile = profile
        self.components = profile.devices.map {
            (DevicePowerModel(profile: $0.device), Double($0.count), $0.device.kind, $0.device.peakFLOPS)
        }
    }

    /// Node power (W). `gpuCapWatts` is a per-GPU cap (clamped to each GPU's range).
    public func power(gpuUtilization: Double, cpuUtilization: Double? = nil, gpuCapWatts: Double? = nil) -> Double {
        var total = profile.overheadW
        for c in components {
            switch c.kind {
            case .gpu: total += c.count * c.model.power(utilization: gpuUtilization, capWatts: gpuCapWatts)
            case .cpu: total += c.count * c.model.power(utilization: cpuUtilization ?? gpuUtilization)
            }
        }
        return total
    }

    /// Delivered compute (FLOP/s) on the node's job-facing devices (GPUs, or CPUs without GPUs).
    public func throughput(gpuUtilization: Double, cpuUtilization: Double? = nil, gpuCapWatts: Double? = nil) -> Double {
        let hasGPU = components.contains { $0.kind == .gpu }
        var total = 0.0
        for c in components where (c.kind == .gpu) == hasGPU {
            let fraction = c.kind == .gpu
                ? c.model.throughput(utilization: gpuUtilization, capWatts: gpuCapWatts)
                : c.model.throughput(utilization: cpuUtilization ?? gpuUtilization)
            total += c.count * c.peak * fraction
        }
        return total
    }
}
