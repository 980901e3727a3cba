import WattCluster

/// Counts flaps: applied actions that undo, within `window`, an action applied to the same
/// target (suspend then wake a node, drain then resume it, cap then uncap, defer then release a job, or move a job
/// again to another place: the world model does not say where a job came from, so any second
/// move within the window counts). A policy that flaps spends wake energy,
/// checkpoints and operator trust for nothing; the report shows the count.
public struct FlapCounter: Sendable {
    public var window: Double

    enum Change: Sendable, Equatable {
        case suspend, wake, drain, resume, cap, uncap, hold, release
        case move(String)

        var name: String {
            switch self {
            case .suspend: "suspend"
            case .wake: "wake"
            case .drain: "drain"
            case .resume: "resume"
            case .cap: "cap"
            case .uncap: "uncap"
            case .hold: "hold"
            case .release: "release"
            case .move: "move"
            }
        }

        /// Whether `self`, applied after `earlier`, reverses it.
        func reverses(_ earlier: Change) -> Bool {
            switch (earlier, self) {
            case (.suspend, .wake), (.wake, .suspend), (.drain, .resume), (.resume, .drain), (.cap, .uncap), (.uncap, .cap),
                 (.hold, .release), (.release, .hold):
                return true
            default:
                return false
            }
        }
    }

    /// Per target: the applied changes within the window, oldest first, with their rules.
    var history: [String: [(time: Double, change: Change, rule: String?)]] = [:]
    /// Who flapped, how and where, since the run began.
    public private(set) var stats = FlapStats()

    public init(window: Double = 3600) { self.window = window }

    static func change(_ kind: ClusterAction.Kind) -> Change? {
        switch kind {
        case .suspend: return .suspend
        case .wake: return .wake
        case .drain: return .drain
        case .resume: return .resume
        case .cap: return .cap
        case .uncap: return .uncap
        case .deferFor, .deferUntil, .preemptUntil: return .hold
        case .release: return .release
        case .move(to: .pool(let p)): return .move("pool:" + p)
        case .move(to: .node(let n)): return .move("node:" + n)
        case .preempt, .alert: return nil
        }
    }

    /// Records the applied results of a tick; returns how many of them were flaps.
    public mutating func record(_ results: [ActionResult], now: Double) -> Int {
        var flaps = 0
        for result in results where result.status == .applied {
            guard let target = result.target, let change = Self.change(result.action.kind) else { continue }
            // In place: no new array per target and tick.
            history[target, default: []].removeAll { !(now - $0.time < window) }
            if let last = history[target]?.last {
                var flapped = change.reverses(last.change)
                // Moved again within the window: the job shuttles between pools.
                if case .move = change, case .move = last.change, last.change != change { flapped = true }
                if flapped {
                    flaps += 1
                    stats.record(undone: last.rule, undoing: result.action.rule, change: "\(last.change.name) → \(change.name)",
                                 target: target, at: now)
                }
            }
            history[target, default: []].append((now, change, result.action.rule))
        }
        if history.count > 4096 { history = history.filter { now - ($0.value.last?.time ?? 0) < window } }
        return flaps
    }
}
