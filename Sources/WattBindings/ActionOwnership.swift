import WattCluster

/// What Watt set on each node and job, by which rule and pack, and since when: the caps,
/// suspensions and holds of the actions the scheduler applied. Policies read it as
/// `cap_rule`, `cap_pack`, `capped_since` (and `suspend_*`, `hold_*`), so a pack lifts only
/// the caps it set and can say "capped for more than 2 h" (docs/control.md, "Who set it").
///
/// Kept by the binding from one tick to the next, rebuilt on resume from the replayed ticks
/// (`EnergyBinding.replay`), and reconciled with every snapshot: a state that is gone (a node
/// uncapped by the operator, a job released by the scheduler) forgets its owner; a state Watt
/// did not set has none.
public final class ActionOwnership: @unchecked Sendable {
    public struct Owner: Sendable, Equatable {
        public var rule: String
        public var pack: String
        public var since: Double
    }

    /// The pack of each rule: the folder of its policy file (`policies/carbon/x.watt` →
    /// `carbon`), or the file's name without `.watt` when it has none.
    public private(set) var packs: [String: String] = [:]
    public private(set) var caps: [String: Owner] = [:]
    public private(set) var suspensions: [String: Owner] = [:]
    public private(set) var holds: [String: Owner] = [:]
    /// When a rule last lifted a node's cap or woke it (until it is capped or suspended again).
    public private(set) var uncapped: [String: Double] = [:]
    public private(set) var woken: [String: Double] = [:]
    private var now = 0.0

    public init() {}

    /// The rules of the program now running, with the names of their policy files.
    public func setRules(_ rules: [(name: String, file: String)]) {
        packs = Dictionary(rules.map { ($0.name, Self.pack(ofFile: $0.file)) }, uniquingKeysWith: { first, _ in first })
    }

    static func pack(ofFile file: String) -> String {
        let parts = file.split(separator: "/", omittingEmptySubsequences: true)
        if parts.count >= 2 { return String(parts[parts.count - 2]) }
        let name = parts.last.map(String.init) ?? file
        return name.hasSuffix(".watt") ? String(name.dropLast(5)) : name
    }

    /// A new snapshot: owners of states that are gone are forgotten.
    func begin(_ world: World) {
        now = world.now
        var capped = Set<String>(), suspended = Set<String>(), held = Set<String>()
        for node in world.nodes {
            if node.powerCap != nil { capped.insert(node.id) }
            if node.state == .suspended { suspended.insert(node.id) }
        }
        for job in world.jobs where job.state == .deferred { held.insert(job.id) }
        caps = caps.filter { capped.contains($0.key) }
        suspensions = suspensions.filter { suspended.contains($0.key) }
        // A day on, a lift or a wake is no longer news (and the tables stay small).
        uncapped = uncapped.filter { !capped.contains($0.key) && now - $0.value < 86_400 }
        woken = woken.filter { !suspended.contains($0.key) && now - $0.value < 86_400 }
        holds = holds.filter { held.contains($0.key) }
    }

    /// The snapshot with its owners filled in.
    func annotate(_ world: World) -> World {
        guard !caps.isEmpty || !suspensions.isEmpty || !holds.isEmpty || !uncapped.isEmpty || !woken.isEmpty else { return world }
        var world = world
        for i in world.nodes.indices {
            let id = world.nodes[i].id
            if let o = caps[id] { world.nodes[i].capRule = o.rule; world.nodes[i].capPack = o.pack; world.nodes[i].cappedSince = o.since }
            world.nodes[i].uncappedAt = uncapped[id]
            world.nodes[i].wokenAt = woken[id]
            if let o = suspensions[id] {
                world.nodes[i].suspendRule = o.rule; world.nodes[i].suspendPack = o.pack; world.nodes[i].suspendedSince = o.since
            }
        }
        if !holds.isEmpty {
            for i in world.jobs.indices {
                if let o = holds[world.jobs[i].id] {
                    world.jobs[i].holdRule = o.rule; world.jobs[i].holdPack = o.pack; world.jobs[i].heldSince = o.since
                }
            }
        }
        return world
    }

    /// What the scheduler applied this tick. A state set again by the same rule keeps its
    /// `since`; set by another rule, it changes hands. An action of no rule (a test, the
    /// REPL) leaves no owner.
    func applied(_ results: [ActionResult]) {
        for result in results where result.status == .applied {
            guard let target = result.target else { continue }
            let owner = result.action.rule.map { Owner(rule: $0, pack: packs[$0] ?? "-", since: now) }
            func set(_ table: inout [String: Owner]) {
                guard let owner else { table[target] = nil; return }
                if table[target]?.rule != owner.rule { table[target] = owner }
            }
            switch result.action.kind {
            case .cap: set(&caps); uncapped[target] = nil
            case .uncap:
                caps[target] = nil
                if owner != nil { uncapped[target] = now }
            case .suspend: set(&suspensions); woken[target] = nil
            case .wake:
                suspensions[target] = nil
                if owner != nil { woken[target] = now }
            case .deferFor, .deferUntil, .preemptUntil: set(&holds)
            case .release: holds[target] = nil
            case .move, .preempt, .drain, .resume, .alert: break
            }
        }
    }
}
