import WattCluster
import WattEnergy

/// What `sinfo --json` says about a node's hardware and load: the input of the hardware
/// mapping and of the power model.
public struct SlurmNodeHardware: Sendable, Equatable {
    public var name: String
    /// GPUs from GRES (`gpu:h100:8` → 8).
    public var gpus: Int
    /// GRES GPU types, lowercased (`gpu:h100:8` → `h100`); empty for an untyped `gpu:2`.
    public var gpuTypes: [String]
    /// Node features (`features`, e.g. `h100,epyc9654`), lowercased.
    public var features: [String]
    /// CPU sockets; 0 when Slurm does not say.
    public var sockets: Int
    public var cpus: Int
    /// CPUs allocated to jobs (`alloc_cpus`).
    public var allocCPUs: Int
    /// CPU load as Slurm reports it (`cpu_load`: the load average × 100); nil when absent.
    public var cpuLoad: Double?

    public init(name: String, gpus: Int, gpuTypes: [String] = [], features: [String] = [], sockets: Int = 0, cpus: Int = 0,
                allocCPUs: Int = 0, cpuLoad: Double? = nil) {
        self.name = name; self.gpus = gpus; self.gpuTypes = gpuTypes; self.features = features
        self.sockets = sockets; self.cpus = cpus; self.allocCPUs = allocCPUs; self.cpuLoad = cpuLoad
    }

    /// The GPU types of a GRES string: `gpu:h100:8(S:0-1),gpu:2` → [`h100`].
    static func gpuTypes(_ gres: String?) -> [String] {
        guard let gres else { return [] }
        var types: [String] = []
        for entry in gres.split(separator: ",") {
            let parts = (entry.split(separator: "(").first ?? "").split(separator: ":").map { $0.lowercased() }
            guard parts.count == 3, parts[0] == "gpu", Int(parts[2]) != nil, !types.contains(parts[1]) else { continue }
            types.append(parts[1])
        }
        return types
    }
}

/// Maps Slurm node hardware to the hardware catalog, so that a node's `profile` names a
/// catalog node profile and its power model uses the right devices (docs/slurm.md):
///
/// 1. a node feature that names a catalog node profile (`dgx-a100-like`) is that profile, with
///    its own devices;
/// 2. otherwise a GPU node takes the catalog node whose GPU is the one its GRES type names
///    (`gpu:h100:8` → device `h100-sxm5-80gb` → `dgx-h100-like`), or failing that a feature
///    (`h100`), preferring the node whose CPU a feature names (`epyc9654`); a node without
///    GPUs takes the catalog CPU node whose CPU a feature names;
/// 3. anything else falls back to `defaultGPUNode` or `defaultCPUNode`, with a note.
///
/// A GRES type or feature names a catalog device when, ignoring case and `-_.`, it equals the
/// device's name or begins it (`h100` → `h100-sxm5-80gb`, the first such device in catalog
/// order), and has a digit (so `gpu` or `ib` name nothing). The power model takes the profile
/// with the node's own devices: its GRES GPU count of the named GPU (4 × `h100` on a
/// `dgx-h100-like` profile count 4 GPUs) and, where a feature names the CPU, that CPU once per
/// socket; the profile's overhead stays.
public struct SlurmHardwareMap: Sendable {
    public var catalog: HardwareCatalog
    public var defaultGPUNode = "dgx-h100-like"
    public var defaultCPUNode = "cpu-epyc-9654-2s"

    public init(catalog: HardwareCatalog = .builtIn) { self.catalog = catalog }

    public struct Match: Sendable, Equatable {
        /// The catalog node profile the node's `profile` names.
        public var profile: String
        /// The profile with the node's own devices, for the power model.
        public var model: NodeProfile
        /// What was assumed, for operators (empty when the catalog said it all).
        public var notes: [String]
    }

    static func normalized(_ s: String) -> String {
        String(s.lowercased().filter { $0 != "-" && $0 != "_" && $0 != "." })
    }

    /// The catalog device of a kind that a GRES type or feature names.
    func device(named token: String, kind: DeviceKind) -> DeviceProfile? {
        let t = Self.normalized(token)
        guard t.count >= 3, t.contains(where: \.isNumber) else { return nil }
        let candidates = catalog.devices.filter { $0.kind == kind }
        return candidates.first { Self.normalized($0.name) == t } ?? candidates.first { Self.normalized($0.name).hasPrefix(t) }
    }

    static func device(of profile: NodeProfile, _ kind: DeviceKind) -> DeviceProfile? {
        profile.devices.first { $0.device.kind == kind }?.device
    }

    public func match(_ node: SlurmNodeHardware) -> Match {
        var notes: [String] = []
        let gpuDevice = (node.gpuTypes + node.features).lazy.compactMap { device(named: $0, kind: .gpu) }.first
        let cpuDevice = node.features.lazy.compactMap { device(named: $0, kind: .cpu) }.first
        var base: NodeProfile?
        if let named = node.features.lazy.compactMap({ name in self.catalog.nodes.first { $0.name.lowercased() == name } }).first {
            // The operator named the profile: its devices, at the node's GPU count.
            return Match(profile: named.name, model: model(named, node: node, gpu: nil, cpu: nil), notes: [])
        } else if node.gpus > 0, let gpuDevice {
            let candidates = catalog.nodes.filter { Self.device(of: $0, .gpu)?.name == gpuDevice.name }
            base = candidates.first { Self.device(of: $0, .cpu)?.name == cpuDevice?.name } ?? candidates.first
            if base == nil {
                notes.append("node `\(node.name)`: no catalog node has GPU `\(gpuDevice.name)`: profile `\(defaultGPUNode)` with its GPUs as `\(gpuDevice.name)`")
            }
        } else if node.gpus == 0, let cpuDevice {
            base = catalog.nodes.first { $0.count(of: .gpu) == 0 && Self.device(of: $0, .cpu)?.name == cpuDevice.name }
            if base == nil {
                notes.append("node `\(node.name)`: no catalog CPU node has `\(cpuDevice.name)`: profile `\(defaultCPUNode)` with its CPUs as `\(cpuDevice.name)`")
            }
        } else if node.gpus > 0 {
            let named = node.gpuTypes.isEmpty ? "GRES `gpu:\(node.gpus)` names no GPU type and no feature names a catalog GPU"
                : "GPU type `\(node.gpuTypes[0])` is not in the hardware catalog"
            notes.append("node `\(node.name)`: \(named): profile `\(defaultGPUNode)` assumed")
        } else {
            notes.append("node `\(node.name)`: no feature names a catalog CPU: profile `\(defaultCPUNode)` assumed")
        }
        let fallback = node.gpus > 0 ? defaultGPUNode : defaultCPUNode
        guard let profile = base ?? catalog.nodes.first(where: { $0.name == fallback }) else {
            // Only a catalog without the defaults gets here: a bare estimate from nothing.
            notes.append("node `\(node.name)`: the hardware catalog has no node profile `\(fallback)`")
            return Match(profile: fallback, model: NodeProfile(name: fallback, devices: [], overheadW: 0), notes: notes)
        }
        return Match(profile: profile.name, model: model(profile, node: node, gpu: gpuDevice, cpu: cpuDevice), notes: notes)
    }

    /// The profile with the node's own GPUs (the GRES count, of the named device) and CPUs
    /// (the named device, one per socket).
    func model(_ profile: NodeProfile, node: SlurmNodeHardware, gpu: DeviceProfile?, cpu: DeviceProfile?) -> NodeProfile {
        var devices: [NodeProfile.Component] = []
        let gpuDevice = gpu ?? Self.device(of: profile, .gpu)
        if node.gpus > 0, let gpuDevice { devices.append(.init(gpuDevice, count: node.gpus)) }
        let cpus = profile.devices.filter { $0.device.kind == .cpu }
        if let cpu {
            devices.append(.init(cpu, count: node.sockets > 0 ? node.sockets : max(1, cpus.reduce(0) { $0 + $1.count })))
        } else {
            devices += cpus
        }
        return NodeProfile(name: profile.name, devices: devices, overheadW: profile.overheadW, source: profile.source)
    }
}
