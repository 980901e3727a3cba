/// A server: devices plus a fixed overhead for everything that is not a listed device
/// (fans, NICs, host memory, storage, switches, power-supply losses).
public struct NodeProfile: Sendable, Equatable {
    public struct Component: Sendable, Equatable {
        public var device: DeviceProfile
        public var count: Int

        public init(_ device: DeviceProfile, count: Int) {
            self.device = device
            self.count = count
        }
    }

    public var name: String
    public var devices: [Component]
    /// Power of everything that is not a listed device, W; the same at idle and at full load.
    public var overheadW: Double
    public var source: ProfileSource?

    public init(name: String, devices: [Component], overheadW: Double, source: ProfileSource? = nil) {
        self.name = name
        self.devices = devices
        self.overheadW = overheadW
        self.source = source
    }

    /// Every device idle, plus the overhead, W.
    public var idleW: Double { devices.reduce(overheadW) { $0 + Double($1.count) * $1.device.idleW } }
    /// Every device at its max power, plus the overhead, W.
    public var maxW: Double { devices.reduce(overheadW) { $0 + Double($1.count) * $1.device.maxW } }

    /// How many devices of a kind the node has.
    public func count(of kind: DeviceKind) -> Int {
        devices.filter { $0.device.kind == kind }.reduce(0) { $0 + $1.count }
    }

    /// The sum of the peak throughput of the node's devices of a kind, FLOP/s.
    public func peakFLOPS(of kind: DeviceKind) -> Double {
        devices.filter { $0.device.kind == kind }.reduce(0) { $0 + Double($1.count) * $1.device.peakFLOPS }
    }

    /// The node's compute for jobs, FLOP/s: the sum over its GPUs, or over its CPUs when it has
    /// no GPU. (GPU and CPU peaks are on different bases and are never added together.)
    public var peakFLOPS: Double {
        count(of: .gpu) > 0 ? peakFLOPS(of: .gpu) : peakFLOPS(of: .cpu)
    }

    /// The sum of the memory of the node's devices, bytes.
    public var deviceMemoryBytes: Double {
        devices.reduce(0) { $0 + Double($1.count) * $1.device.memoryBytes }
    }
}

/// A set of identical nodes, e.g. a partition or rack row.
public struct PoolProfile: Sendable, Equatable {
    public var name: String
    public var node: NodeProfile
    public var count: Int

    public init(name: String, node: NodeProfile, count: Int) {
        self.name = name
        self.node = node
        self.count = count
    }

    public var idleW: Double { Double(count) * node.idleW }
    public var maxW: Double { Double(count) * node.maxW }
    public var peakFLOPS: Double { Double(count) * node.peakFLOPS }
}
