import WattCluster
import WattLanguage

/// What the binding refused to believe in one snapshot, and why (docs/reliability.md).
///
/// Every telemetry value of a `World` is checked against the range its quantity can take
/// before a rule or a forecast sees it. A value outside it (NaN, infinite, a negative power,
/// a PUE below 1, a utilization above 100 %) is **rejected**: the language sees it as missing,
/// so a rule that reads it does not run and its outcome says which value had none (``rule `r`
/// did not run: `site.power` has no value``), and the history records a gap, never the value.
/// A filter over a collection leaves out the elements whose value is missing (`nodes where
/// power > 600 W` does not select a node with a NaN reading). Samples the history cannot take
/// (a tick older than the newest recorded one: the clock went backwards) are counted here
/// too, and so are duplicate ticks, whose values replace the ones recorded at that time.
public struct DataQuality: Sendable, Equatable, CustomStringConvertible {
    /// One kind of problem with one field: how often, and the first few examples.
    public struct Issue: Sendable, Equatable {
        /// The field as policies name it: `site.power`, `node.power`, `grid.carbon_intensity`; `clock`
        /// for the snapshot's time.
        public var field: String
        /// What was wrong: `NaN`, `infinite`, `negative`, `below 1`, `above 1`, ...
        public var problem: String
        public var count: Int
        /// Up to `DataQuality.exampleLimit` examples: the node, job or pool and the value.
        public var examples: [String]
        /// Whether the values were refused; false for what is only noted (a duplicate tick
        /// whose values replace the earlier ones, a gap since the previous tick).
        public var rejects: Bool = true
    }

    public static let exampleLimit = 3

    /// The snapshot's time.
    public var time: Double
    public var issues: [Issue]

    public init(time: Double, issues: [Issue] = []) {
        self.time = time
        self.issues = issues
    }

    /// Values and samples refused in this snapshot (duplicate ticks are not counted: their
    /// values are taken, replacing the earlier ones).
    public var rejected: Int { issues.filter(\.rejects).reduce(0) { $0 + $1.count } }
    public var isClean: Bool { issues.isEmpty }

    /// ``node.power: NaN ×2 (`a-001`, `a-002`); site.pue: below 1 ×1 (0.8)``; empty when clean.
    public var description: String {
        issues.map { issue in
            let examples = issue.examples.isEmpty ? "" : " (" + issue.examples.joined(separator: ", ")
                + (issue.count > issue.examples.count ? ", ..." : "") + ")"
            return "\(issue.field): \(issue.problem) ×\(issue.count)\(examples)"
        }.joined(separator: "; ")
    }

    mutating func add(_ field: String, _ problem: String, example: String?, rejects: Bool = true, count: Int = 1) {
        if let i = issues.firstIndex(where: { $0.field == field && $0.problem == problem }) {
            issues[i].count += count
            if let example, issues[i].examples.count < Self.exampleLimit { issues[i].examples.append(example) }
        } else {
            issues.append(Issue(field: field, problem: problem, count: count, examples: example.map { [$0] } ?? [], rejects: rejects))
        }
    }
}

/// The range each kind of telemetry value may take; a value outside it is rejected.
public enum TelemetryRange: Sendable, Equatable {
    /// Power, energy, carbon intensity, price, durations: finite and ≥ 0.
    case nonNegative
    /// A site power cap, a GPU power cap: finite and > 0.
    case positive
    /// PUE: finite and ≥ 1 (a facility never draws less than its IT load).
    case atLeastOne
    /// Utilization, a share: finite, in [0, 1] (up to 1 + 1e-9 passes, for rounding).
    case unit
    /// A temperature in °C: finite and ≥ −273.15 (absolute zero).
    case temperature
    /// An instant: finite.
    case finite

    /// Whether the value is acceptable (`problem(v) == nil`), without making the reason.
    @inline(__always)
    public func accepts(_ v: Double) -> Bool {
        guard v.isFinite else { return false }
        switch self {
        case .nonNegative: return v >= 0
        case .positive: return v > 0
        case .atLeastOne: return v >= 1
        case .unit: return v >= 0 && v <= 1 + 1e-9
        case .temperature: return v >= -273.15
        case .finite: return true
        }
    }

    /// nil when the value is acceptable, else why not.
    public func problem(_ v: Double) -> String? {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return "infinite" }
        switch self {
        case .nonNegative: return v < 0 ? "negative" : nil
        case .positive: return v <= 0 ? "not positive" : nil
        case .atLeastOne: return v < 1 ? "below 1" : nil
        case .unit: return v < 0 ? "negative" : v > 1 + 1e-9 ? "above 1" : nil
        case .temperature: return v < -273.15 ? "below absolute zero" : nil
        case .finite: return nil
        }
    }
}

/// Checks a snapshot's telemetry (`TelemetryGuard.check`): returns the world with every
/// rejected value made missing (nil for optional fields, NaN for the others, which the
/// binding hands to the language as missing) and what was rejected. What each field accepts
/// is its declaration's `bounds` (WorldFields.swift).
public enum TelemetryGuard {
    public static func check(_ world: World, declarations: EnergyDeclarations = .standard) -> (world: World, quality: DataQuality) {
        check(world, declarations.tickPaths)
    }

    static func check(_ world: World, _ names: [TickPath]) -> (world: World, quality: DataQuality) {
        var quality = DataQuality(time: world.now)
        if let p = TelemetryRange.finite.problem(world.now) { quality.add("clock", p, example: nil) }
        // Copy-on-write: a clean world (the usual case) is returned without copying arrays;
        // each field is read in place and an element is written only for a refused value.
        var checked = world
        for name in names { name.check(&checked, &quality) }
        return (checked, quality)
    }

    static func example(_ owner: String?, _ v: Double) -> String {
        let value = v.isNaN ? "nan" : v.isInfinite ? (v > 0 ? "inf" : "-inf") : formatted(v)
        return owner.map { "`\($0)` \(value)" } ?? value
    }

    static func formatted(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
