/// Facility power from IT power through PUE (power usage effectiveness = facility / IT).
/// PUE can depend on outdoor temperature, since cooling works harder when it is hot.
public enum PUEModel: Sendable, Equatable {
    case constant(Double)
    /// `base` up to `threshold` °C, then rising by `perDegree` per °C, at most `max`.
    case temperatureLinear(base: Double, threshold: Double, perDegree: Double, max: Double)
    /// Linear interpolation between (°C, PUE) points, clamped at the ends.
    case curve([(temperature: Double, pue: Double)])

    public static func == (a: PUEModel, b: PUEModel) -> Bool {
        switch (a, b) {
        case (.constant(let x), .constant(let y)): return x == y
        case let (.temperatureLinear(a1, a2, a3, a4), .temperatureLinear(b1, b2, b3, b4)):
            return a1 == b1 && a2 == b2 && a3 == b3 && a4 == b4
        case (.curve(let x), .curve(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.temperature == $1.temperature && $0.pue == $1.pue }
        default: return false
        }
    }

    /// The largest PUE a model may give: the least efficient facilities measured stay under
    /// 3 (Uptime Institute surveys); 5 leaves room for a small or temporary site and refuses
    /// a typo (`pue: 1e308` made facility energy infinite and every figure after it wrong).
    public static let maximum = 5.0

    public enum ValidationError: Error, Equatable, CustomStringConvertible {
        case pueBelowOne(Double)
        case pueAboveMaximum(Double)
        case emptyCurve
        case unorderedCurve
        public var description: String {
            switch self {
            case .pueBelowOne(let v): return "a PUE must be at least 1, found \(v)"
            case .pueAboveMaximum(let v): return "a PUE must be at most \(Int(PUEModel.maximum)), found \(v)"
            case .emptyCurve: return "a PUE curve needs at least one point"
            case .unorderedCurve: return "PUE curve temperatures must increase"
            }
        }
    }

    public func validate() throws {
        switch self {
        case .constant(let v): try Self.check(v)
        case .temperatureLinear(let base, let threshold, let slope, let max):
            try Self.check(base)
            try Self.check(max)
            if !(max >= base) || !(slope >= 0) || !slope.isFinite || !threshold.isFinite { throw ValidationError.pueBelowOne(max) }
        case .curve(let points):
            if points.isEmpty { throw ValidationError.emptyCurve }
            for p in points { try Self.check(p.pue) }
            for (a, b) in zip(points, points.dropFirst()) where !(b.temperature > a.temperature) {
                throw ValidationError.unorderedCurve
            }
        }
    }

    private static func check(_ v: Double) throws {
        if !(v >= 1) { throw ValidationError.pueBelowOne(v) }
        if !(v <= maximum) { throw ValidationError.pueAboveMaximum(v) }
    }

    /// PUE at an outdoor temperature (°C); without a temperature, the model's base value.
    public func pue(outdoorTemperature: Double?) -> Double {
        switch self {
        case .constant(let v): return v
        case .temperatureLinear(let base, let threshold, let perDegree, let max):
            guard let t = outdoorTemperature, t.isFinite else { return base }
            return min(max, base + perDegree * Swift.max(0, t - threshold))
        case .curve(let points):
            guard let t = outdoorTemperature, t.isFinite, let first = points.first, let last = points.last else {
                return points.first?.pue ?? 1
            }
            if t <= first.temperature { return first.pue }
            if t >= last.temperature { return last.pue }
            for (a, b) in zip(points, points.dropFirst()) where t <= b.temperature {
                let f = (t - a.temperature) / (b.temperature - a.temperature)
                return a.pue + f * (b.pue - a.pue)
            }
            return last.pue
        }
    }

    /// Facility power (W) for an IT power (W).
    public func facilityPower(itWatts: Double, outdoorTemperature: Double? = nil) -> Double {
        itWatts * pue(outdoorTemperature: outdoorTemperature)
    }
}
