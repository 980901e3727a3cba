/// A monotone curve of a power cap's effect: points of (cap ratio, relative value), where the
/// relative value is throughput (or average power) under the cap / uncapped. In a
/// `CapResponse` the cap ratio is cap / the job's peak draw (cap / max power at full load);
/// `CapCurveFit.calibrate`'s draw-blind curves use cap / max power for every job.
///
/// Valid curves have at least two points, strictly increasing cap ratios in (0, 1], values in
/// [0, 1] that never decrease, and end at (1, 1). Between points the curve is linear; outside
/// them it is clamped to the end values. (The field names say cap fraction and relative
/// throughput, the curve's first use.)
public struct CapCurve: Sendable, Equatable, CustomStringConvertible {
    public struct Point: Sendable, Equatable {
        /// Cap / max power.
        public var capFraction: Double
        /// Throughput at that cap / uncapped throughput.
        public var relativeThroughput: Double

        public init(_ capFraction: Double, _ relativeThroughput: Double) {
            self.capFraction = capFraction
            self.relativeThroughput = relativeThroughput
        }
    }

    /// Why a list of points is not a valid curve; `message` is lowercase with no final period.
    public struct InvalidPoints: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public let points: [Point]

    /// Checks the points (see the type's documentation) and builds the curve. `quantity` names
    /// the values in messages.
    public init(validating points: [Point], quantity: String = "relative throughput") throws(InvalidPoints) {
        guard points.count >= 2 else {
            throw InvalidPoints(message: "must have at least 2 points, found \(points.count)")
        }
        for (i, p) in points.enumerated() {
            guard p.capFraction.isFinite, p.relativeThroughput.isFinite else {
                throw InvalidPoints(message: "point \(i) is not finite")
            }
            guard p.capFraction > 0, p.capFraction <= 1 else {
                throw InvalidPoints(message: "point \(i): cap fraction must be in (0, 1], found \(HardwareText.number(p.capFraction))")
            }
            guard p.relativeThroughput >= 0, p.relativeThroughput <= 1 else {
                throw InvalidPoints(message: "point \(i): \(quantity) must be in [0, 1], found \(HardwareText.number(p.relativeThroughput))")
            }
            if i > 0 {
                let q = points[i - 1]
                guard p.capFraction > q.capFraction else {
                    throw InvalidPoints(message: "cap fractions must increase: point \(i) (\(HardwareText.number(p.capFraction))) does not follow point \(i - 1) (\(HardwareText.number(q.capFraction)))")
                }
                guard p.relativeThroughput >= q.relativeThroughput else {
                    throw InvalidPoints(message: "not monotone: \(quantity) falls from \(HardwareText.number(q.relativeThroughput)) at \(HardwareText.number(q.capFraction)) to \(HardwareText.number(p.relativeThroughput)) at \(HardwareText.number(p.capFraction))")
                }
            }
        }
        guard let last = points.last, last.capFraction == 1, last.relativeThroughput == 1 else {
            throw InvalidPoints(message: "must end at [1, 1] (an uncapped job's \(quantity) is 1)")
        }
        self.points = points
    }

    /// Built from points known to be valid (fits); checked in debug builds.
    init(unchecked points: [Point]) {
        assert((try? CapCurve(validating: points)) != nil, "invalid cap curve \(points)")
        self.points = points
    }

    /// The cap fractions the curve covers (its first point to 1).
    public var range: ClosedRange<Double> { points[0].capFraction...1 }

    /// Relative throughput at `capFraction` (cap / max power): linear between points,
    /// clamped to the first and last values outside them.
    public func relativeThroughput(atCapFraction capFraction: Double) -> Double {
        guard capFraction > points[0].capFraction else { return points[0].relativeThroughput }
        guard capFraction < 1 else { return 1 }
        var hi = 1
        while points[hi].capFraction < capFraction { hi += 1 }
        let a = points[hi - 1], b = points[hi]
        let t = (capFraction - a.capFraction) / (b.capFraction - a.capFraction)
        return a.relativeThroughput + t * (b.relativeThroughput - a.relativeThroughput)
    }

    public var description: String {
        "[" + points.map { "[\(HardwareText.number($0.capFraction)), \(HardwareText.number($0.relativeThroughput))]" }.joined(separator: ", ") + "]"
    }
}

/// Number formatting for hardware messages and reports.
enum HardwareText {
    /// Shortest decimal text: `0.25`, `700`, `1e-05`.
    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
