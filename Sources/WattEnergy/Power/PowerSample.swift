/// A power reading at an instant (seconds since epoch, watts). A trace is a list of them in
/// time order; between two samples power is taken to change linearly.
public struct PowerSample: Sendable, Equatable {
    public var time: Double
    public var watts: Double
    public init(time: Double, watts: Double) {
        self.time = time
        self.watts = watts
    }
}

/// What to do with an interval between samples that is longer than `maxGap`.
public enum GapPolicy: Sendable, Equatable {
    /// Leave it out of the energy and report it (the default: never invent energy).
    case skip
    /// Assume the earlier sample's power held until the next sample.
    case holdLast
    /// Interpolate linearly across it, like any other interval.
    case interpolate
}

/// An interval the integration did not cover, or covered by the gap policy.
public struct Gap: Sendable, Equatable {
    public var start: Double
    public var end: Double
    public var duration: Double { end - start }
}
