import Foundation
import WattCluster

/// Limits that hold whatever the policies say, applied after arbitration. Each trimmed
/// target is reported with the guardrail that stopped it.
public struct Guardrails: Codable, Sendable, Equatable {
    /// At most this share of the site's GPUs may be capped at once (0…1).
    public var maxCappedGPUShare: Double = 0.5
    /// No GPU is capped below this power, W.
    public var minCapWatts: Double = 0
    /// At most this many jobs moved in any hour.
    public var maxJobsMovedPerHour: Int = 500
    /// Nodes that are never suspended.
    public var neverSuspend: Set<String> = []

    public init() {}

    /// The guardrails a cluster file configures.
    public init(_ settings: GuardrailSettings) {
        maxCappedGPUShare = settings.maxCappedGPUShare
        minCapWatts = settings.minCapWatts
        maxJobsMovedPerHour = settings.maxJobsMovedPerHour
        neverSuspend = Set(settings.neverSuspend)
    }

    public struct Event: Sendable, Equatable, CustomStringConvertible {
        public var target: String
        public var action: String
        public var rule: String
        public var guardrail: String
        public var description: String { "`\(target)`: \(action) (rule `\(rule)`) stopped by \(guardrail)" }
    }

    /// Trims `actions` to what the guardrails allow, given the world and the moves in the
    /// last hour (`recentMoves`, updated).
    public func apply(_ actions: [ClusterAction], world: World, recentMoves: inout [Double]) -> ([ClusterAction], [Event]) {
        var events: [Event] = []
        var out: [ClusterAction] = []
        recentMoves.removeAll { world.now - $0 >= 3600 }
        let totalGPUs = world.nodes.reduce(0) { $0 + $1.gpus }
        var cappedGPUs = world.nodes.filter { $0.powerCap != nil }.reduce(0) { $0 + $1.gpus }
        var cappedNodes = Set(world.nodes.filter { $0.powerCap != nil }.map(\.id))
        let gpusOf = Dictionary(world.nodes.map { ($0.id, $0.gpus) }, uniquingKeysWith: { a, _ in a })
        for var action in actions {
            var kept: [String] = []
            for target in action.targets {
                func stop(_ guardrail: String) {
                    events.append(Event(target: target, action: action.verbDescription, rule: action.rule ?? "?", guardrail: guardrail))
                }
                switch action.kind {
                case .suspend where neverSuspend.contains(target):
                    stop("`never_suspend`")
                case .cap(let w) where w < minCapWatts:
                    stop("`min_cap` (\(wholeText(minCapWatts)) W)")
                case .cap:
                    let gpus = gpusOf[target] ?? 0
                    if !cappedNodes.contains(target) {
                        if Double(cappedGPUs + gpus) > maxCappedGPUShare * Double(totalGPUs) {
                            stop("`max_capped_share` (\(wholeText(maxCappedGPUShare * 100)) % of GPUs)")
                            continue
                        }
                        cappedGPUs += gpus
                        cappedNodes.insert(target)
                    }
                    kept.append(target)
                case .move:
                    if recentMoves.count >= maxJobsMovedPerHour {
                        stop("`max_moves_per_hour` (\(maxJobsMovedPerHour))")
                    } else {
                        recentMoves.append(world.now)
                        kept.append(target)
                    }
                default:
                    kept.append(target)
                }
            }
            if action.targets.isEmpty { out.append(action); continue }  // alerts
            action.targets = kept
            if !kept.isEmpty { out.append(action) }
        }
        return (out, events)
    }
}
