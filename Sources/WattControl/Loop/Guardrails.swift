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
    ///
    /// Priority: caps are admitted to the capped share highest rule priority first
    /// (`priorities`, by rule name), and when the share is full, a cap of a higher-priority
    /// rule displaces one that a lower-priority rule set (`capOwners`: the rule whose cap a
    /// node has, `ActionOwnership`): that node is uncapped in the same tick, the lowest
    /// priority first, and the displacement is reported as a guardrail event naming both rules
    /// (so a thermal safety cap is not stopped by economic caps holding the share). A cap
    /// nobody owns (an operator's, the cluster's design caps) is never displaced.
    public func apply(_ actions: [ClusterAction], world: World, recentMoves: inout [Double],
                      priorities: [String: Double] = [:], capOwners: [String: String] = [:]) -> ([ClusterAction], [Event]) {
        var events: [Event] = []
        var out: [ClusterAction] = []
        func priority(_ rule: String?) -> Double { rule.flatMap { priorities[$0] } ?? -.infinity }
        // Stable: equal priorities keep the arbitrated order.
        let actions = priorities.isEmpty ? actions
            : actions.enumerated().sorted { a, b in
                let pa = priority(a.element.rule), pb = priority(b.element.rule)
                return pa != pb ? pa > pb : a.offset < b.offset
            }.map(\.element)
        let targeted = Set(actions.filter { if case .cap = $0.kind { true } else if case .uncap = $0.kind { true } else { false } }
            .flatMap(\.targets))
        var displaced: [ClusterAction] = []
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
                            // The lowest-priority owned cap that frees enough GPUs, not acted on this tick.
                            let mine = priority(action.rule)
                            let victim = cappedNodes.compactMap { node -> (id: String, rule: String, priority: Double)? in
                                guard !targeted.contains(node), let owner = capOwners[node], priority(owner) < mine,
                                      Double(cappedGPUs - (gpusOf[node] ?? 0) + gpus) <= maxCappedGPUShare * Double(totalGPUs)
                                else { return nil }
                                return (node, owner, priority(owner))
                            }.min { ($0.priority, $0.id) < ($1.priority, $1.id) }
                            guard let victim else {
                                stop("`max_capped_share` (\(wholeText(maxCappedGPUShare * 100)) % of GPUs)")
                                continue
                            }
                            cappedGPUs -= gpusOf[victim.id] ?? 0
                            cappedNodes.remove(victim.id)
                            displaced.append(ClusterAction(.uncap, targets: [victim.id], rule: action.rule,
                                                           reason: "displaced: the capped share was full and rule `\(action.rule ?? "?")` outranks `\(victim.rule)`"))
                            events.append(Event(target: victim.id, action: "cap", rule: victim.rule,
                                                guardrail: "`max_capped_share`: displaced by rule `\(action.rule ?? "?")` (priority \(wholeText(mine)) over \(wholeText(victim.priority)))"))
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
        // Displaced caps are lifted before the caps that displace them are set.
        return (displaced + out, events)
    }
}
