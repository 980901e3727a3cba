/// Where a run's flaps came from (docs/control.md, "Stability"): which rule undid which
/// rule's action, as what kind of change, and which targets oscillated. Cumulative over the
/// run; a resumed run rebuilds it by replaying the journaled ticks (`ControlLoop.replay`).
public struct FlapStats: Sendable, Equatable {
    /// One kind of flap: the rule whose action was undone, the rule that undid it, and the
    /// two changes (`cap → uncap`, `move → move`). A change made by no rule (a test, the
    /// REPL) is named `-`.
    public struct Pair: Hashable, Sendable, Comparable {
        public var undone: String
        public var undoing: String
        public var change: String
        public static func < (a: Pair, b: Pair) -> Bool { (a.undone, a.undoing, a.change) < (b.undone, b.undoing, b.change) }
    }

    public private(set) var byPair: [Pair: Int] = [:]
    public private(set) var byTarget: [String: Int] = [:]
    /// When each rule undid an action (for the chart's rule rows).
    public private(set) var times: [String: [Double]] = [:]

    public var total: Int { byPair.values.reduce(0, +) }

    public init() {}

    mutating func record(undone: String?, undoing: String?, change: String, target: String, at time: Double) {
        let pair = Pair(undone: undone ?? "-", undoing: undoing ?? "-", change: change)
        byPair[pair, default: 0] += 1
        byTarget[target, default: 0] += 1
        times[pair.undoing, default: []].append(time)
    }

    /// Pairs by count (most first, then by name), the first `limit`.
    public func topPairs(_ limit: Int) -> [(pair: Pair, count: Int)] {
        Array(byPair.map { ($0.key, $0.value) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(limit))
    }

    /// Targets by flaps (most first, then by id), the first `limit`.
    public func topTargets(_ limit: Int) -> [(target: String, count: Int)] {
        Array(byTarget.map { ($0.key, $0.value) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }.prefix(limit))
    }

    /// Flaps by the rule that undid an action, and by the rule whose action was undone.
    public var byUndoingRule: [String: Int] { byPair.reduce(into: [:]) { $0[$1.key.undoing, default: 0] += $1.value } }
    public var byUndoneRule: [String: Int] { byPair.reduce(into: [:]) { $0[$1.key.undone, default: 0] += $1.value } }
    /// Flaps by change (`suspend → wake`).
    public var byChange: [String: Int] { byPair.reduce(into: [:]) { $0[$1.key.change, default: 0] += $1.value } }
}
