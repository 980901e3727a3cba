/// What a device is.
public enum DeviceKind: String, Sendable, Equatable, CaseIterable {
    case gpu, cpu
}

/// Where a profile's numbers come from.
public struct ProfileSource: Sendable, Equatable {
    /// The vendor document (datasheet, product page) or other source, by name.
    public var document: String
    /// Where to find it, when it has an address.
    public var url: String?
    /// What was read from it, value by value.
    public var read: String
    /// Which values are estimates rather than read from `document`, and what each is based on.
    /// `nil` only when every value was read from the document.
    public var estimates: String?

    public init(document: String, url: String? = nil, read: String, estimates: String? = nil) {
        self.document = document
        self.url = url
        self.read = read
        self.estimates = estimates
    }
}

/// One device model: a GPU or a server CPU. Plain `Double`s in SI units (see `SI`).
public struct DeviceProfile: Sendable, Equatable {
    /// Catalog name, e.g. `h100-sxm5-80gb`.
    public var name: String
    /// Marketing name, e.g. `NVIDIA H100 SXM5 80GB`.
    public var model: String
    public var kind: DeviceKind
    /// Power drawn when powered on with no work, W.
    public var idleW: Double
    /// Maximum power (TDP / TBP), W. Cap fractions are relative to it.
    public var maxW: Double
    /// Peak throughput, FLOP/s, on the basis `peakBasis` says.
    public var peakFLOPS: Double
    /// What `peakFLOPS` counts, e.g. `bf16-dense` for GPUs, `fp64-base-clock` for CPUs.
    /// Only devices with the same basis compare.
    public var peakBasis: String
    /// Device memory in bytes (GB × 1e9 as vendors count it); 0 for CPUs (host memory is
    /// part of the node).
    public var memoryBytes: Double
    /// The power caps the device accepts, W (e.g. nvidia-smi's min and max power limit).
    public var capRangeW: ClosedRange<Double>
    /// How a job's throughput and power respond to a cap (`CapResponse`).
    public var capResponse: CapResponse
    /// The name of the catalog curve `capResponse` is, when it is one (e.g. `zeus-pooled`).
    public var capCurveName: String?
    public var source: ProfileSource?

    public init(
        name: String, model: String, kind: DeviceKind, idleW: Double, maxW: Double,
        peakFLOPS: Double, peakBasis: String, memoryBytes: Double, capRangeW: ClosedRange<Double>,
        capResponse: CapResponse, capCurveName: String? = nil, source: ProfileSource? = nil
    ) {
        self.name = name
        self.model = model
        self.kind = kind
        self.idleW = idleW
        self.maxW = maxW
        self.peakFLOPS = peakFLOPS
        self.peakBasis = peakBasis
        self.memoryBytes = memoryBytes
        self.capRangeW = capRangeW
        self.capResponse = capResponse
        self.capCurveName = capCurveName
        self.source = source
    }

    /// The cap clamped to `capRangeW`, W.
    public func clampCap(_ capW: Double) -> Double {
        min(max(capW, capRangeW.lowerBound), capRangeW.upperBound)
    }

    /// The throughput curve of `capResponse`.
    public var capCurve: CapCurve { capResponse.throughput }

    /// Whether the device uses the pooled curve (fitted on other GPUs) rather than its own.
    public var usesPooledCurve: Bool { capCurveName == HardwareCatalog.pooledCurveName }

    /// Relative throughput at full load (a job drawing `maxW` uncapped) under a cap in watts
    /// (clamped to `capRangeW` first). A job drawing less slows less: `DevicePowerModel`.
    public func relativeThroughput(atCapW capW: Double) -> Double {
        capResponse.relativeThroughput(capW: clampCap(capW), drawW: maxW, maxW: maxW)
    }

    /// Peak throughput under a cap in watts, at full load, FLOP/s.
    public func peakFLOPS(atCapW capW: Double) -> Double {
        peakFLOPS * relativeThroughput(atCapW: capW)
    }
}
