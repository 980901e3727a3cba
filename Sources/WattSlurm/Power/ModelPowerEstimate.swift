import WattCluster
import WattEnergy

/// Node power estimated from utilization and the hardware profile when nothing measures it,
/// with the energy domain's node power model (`NodePowerModel`: each device between its idle
/// and max power by utilization, under the GPU cap, plus the fixed overhead).
///
/// Utilization is what Slurm knows: a GPU counts as busy when it is allocated to a job (Slurm
/// does not see how hard a job drives it), CPUs are busy by the load average over the cores
/// (`cpu_load`), or by their allocated share when the load is not reported. A suspended
/// (powered-down) node draws `standbyWatts`, the same default as the simulator's; a waking one
/// its idle power.
public struct ModelPowerEstimate: Sendable {
    /// Power of a powered-down node (BMC and standby supplies), W.
    public var standbyWatts: Double

    public init(standbyWatts: Double = 50) { self.standbyWatts = standbyWatts }

    /// CPU utilization, 0…1.
    static func cpuUtilization(_ node: World.Node, _ hardware: SlurmNodeHardware?) -> Double {
        let cpus = Double(max(node.cpus, hardware?.cpus ?? 0))
        guard cpus > 0 else { return 0 }
        if let load = hardware?.cpuLoad, load >= 0 { return min(1, load / 100 / cpus) }
        // (Not the world's free count: a draining node shows nothing free.)
        let allocated = hardware?.allocCPUs ?? (node.cpus - node.cpusFree)
        return min(1, max(0, Double(allocated) / cpus))
    }

    /// The node's power, W, or the part of it that a measurement covering `covered` leaves out.
    public func watts(_ node: World.Node, profile: NodeProfile, hardware: SlurmNodeHardware?,
                      leaving covered: PowerMeasurement.Coverage? = nil) -> Double {
        if node.state == .suspended { return covered == nil ? standbyWatts : 0 }
        var profile = profile
        switch covered {
        case .node?: return 0
        case .gpus?: profile.devices.removeAll { $0.device.kind == .gpu }
        case .cpus?: profile.devices.removeAll { $0.device.kind == .cpu }
        case nil: break
        }
        let busy = node.state != .waking
        let gpuUtilization = busy && node.gpus > 0 ? min(1, max(0, node.utilization)) : 0
        let cpuUtilization = busy ? Self.cpuUtilization(node, hardware) : 0
        return NodePowerModel(profile: profile).power(gpuUtilization: gpuUtilization, cpuUtilization: cpuUtilization,
                                                      gpuCapWatts: node.powerCap)
    }
}
