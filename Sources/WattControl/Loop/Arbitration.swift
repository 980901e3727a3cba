import WattCluster

/// Resolves conflicting actions on one target deterministically: the higher rule priority
/// wins; at equal priority the safer action (the higher cap or no cap; drain over resume over
/// wake over suspend; release over move over defer over preempt); then the rule name, so the result never
/// depends on evaluation order. Each conflict is reported with both rules named.
public enum Arbitration {
    public struct Proposal: Sendable {
        public var action: ClusterAction
        public var priority: Double
        public init(action: ClusterAction, priority: Double) {
            self.action = action
            self.priority = priority
        }
    }

    public struct Conflict: Sendable, Equatable, CustomStringConvertible {
        public var target: String
        public var winner: String
        public var loser: String
        public var winningRule: String
        public var losingRule: String
        public var why: String
        public var description: String {
            "`\(target)`: \(winner) (rule `\(winningRule)`) over \(loser) (rule `\(losingRule)`): \(why)"
        }
    }

    /// Which actions compete for a target: one placement decision per job, one power
    /// setting and one power state per node; alerts never conflict.
    enum Group: Hashable { case jobPlacement, nodePower, nodeState, alert }

    static func group(_ kind: ClusterAction.Kind) -> Group {
        switch kind {
        case .move, .deferUntil, .deferFor, .release, .preempt, .preemptUntil: return .jobPlacement
        case .cap, .uncap: return .nodePower
        case .suspend, .wake, .drain, .resume: return .nodeState
        case .alert: return .alert
        }
    }

    /// Larger is safer.
    static func safety(_ kind: ClusterAction.Kind) -> Double {
        switch kind {
        case .uncap: return .infinity
        case .cap(let w): return w
        // Draining stops no job and protects hot hardware; then what keeps nodes in service.
        case .drain: return 3
        case .resume: return 2
        case .wake: return 1
        case .suspend: return 0
        case .release: return 4
        case .move: return 3
        case .deferFor, .deferUntil: return 2
        case .preempt, .preemptUntil: return 1
        case .alert: return 0
        }
    }

    public static func resolve(_ proposals: [Proposal]) -> (actions: [ClusterAction], conflicts: [Conflict]) {
        struct Claim { var index: Int; var proposal: Proposal }
        // A struct key, not the text "group|target": interpolating the enum went through
        // reflection, five allocations per target (docs/performance.md).
        struct Key: Hashable { var group: Group; var target: String }
        var winners: [Key: Claim] = [:]
        var conflicts: [Conflict] = []
        var kept: [(index: Int, action: ClusterAction)] = []
        var dropped: [Int: Set<String>] = [:]
        for (index, proposal) in proposals.enumerated() {
            let g = group(proposal.action.kind)
            if g == .alert { kept.append((index, proposal.action)); continue }
            for target in proposal.action.targets {
                let key = Key(group: g, target: target)
                guard let current = winners[key] else { winners[key] = Claim(index: index, proposal: proposal); continue }
                if current.proposal.action.kind == proposal.action.kind { continue }  // the same decision twice
                let (win, lose, why) = better(current.proposal, proposal)
                winners[key] = sameProposal(win, current.proposal) ? current : Claim(index: index, proposal: proposal)
                let loserIndex = sameProposal(win, current.proposal) ? index : current.index
                dropped[loserIndex, default: []].insert(target)
                conflicts.append(Conflict(target: target, winner: win.action.verbDescription, loser: lose.action.verbDescription,
                                          winningRule: win.action.rule ?? "?", losingRule: lose.action.rule ?? "?", why: why))
            }
        }
        for (index, proposal) in proposals.enumerated() where group(proposal.action.kind) != .alert {
            var action = proposal.action
            action.targets = action.targets.filter { target in
                !(dropped[index]?.contains(target) ?? false)
                    && winners[Key(group: group(action.kind), target: target)].map { $0.proposal.action.kind == action.kind } ?? false
            }
            if !action.targets.isEmpty { kept.append((index, action)) }
        }
        kept.sort { $0.index < $1.index }
        return (kept.map(\.action), conflicts)
    }

    /// The winner, the loser and why.
    static func better(_ a: Proposal, _ b: Proposal) -> (Proposal, Proposal, String) {
        if a.priority != b.priority {
            return a.priority > b.priority ? (a, b, "higher priority") : (b, a, "higher priority")
        }
        let sa = safety(a.action.kind), sb = safety(b.action.kind)
        if sa != sb { return sa > sb ? (a, b, "safer at equal priority") : (b, a, "safer at equal priority") }
        return (a.action.rule ?? "") <= (b.action.rule ?? "") ? (a, b, "rule name order at equal priority")
            : (b, a, "rule name order at equal priority")
    }
}

// Two proposals are the same when action and priority are equal.
private func sameProposal(_ a: Arbitration.Proposal, _ b: Arbitration.Proposal) -> Bool {
    a.action == b.action && a.priority == b.priority
}

extension ClusterAction {
    /// `cap at 400 W`, `move to pool "x"`: the action without its targets.
    public var verbDescription: String {
        switch kind {
        case .move(to: .pool(let p)): return "move to pool `\(p)`"
        case .move(to: .node(let n)): return "move to node `\(n)`"
        case .deferUntil: return "defer until a time"
        case .deferFor(let d): return "defer for \(wholeText(d)) s"
        case .release: return "release"
        case .preempt: return "preempt"
        case .preemptUntil: return "preempt until a time"
        case .cap(let w): return "cap at \(wholeText(w)) W"
        case .uncap: return "uncap"
        case .suspend: return "suspend"
        case .wake: return "wake"
        case .drain: return "drain"
        case .resume: return "resume"
        case .alert(_, let m): return "alert `\(m)`"
        }
    }
}
