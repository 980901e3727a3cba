import WattCluster

/// The `for` and `cooldown` of one element (a node, a job) of a `per target` rule's targets:
/// the element is acted on once it has been among the targets at every tick for `for`, and
/// not again by the rule within `cooldown` of that. Leaving the targets (or the rule's
/// condition not holding) resets its `for`; its cooldown runs on.
public struct TargetTimer: Codable, Sendable, Equatable {
    /// When the element entered the targets, without a break since.
    public var since: Double?
    /// When the rule last acted on it.
    public var lastActed: Double?

    public init(since: Double? = nil, lastActed: Double? = nil) {
        self.since = since
        self.lastActed = lastActed
    }
}

extension RuleTimer {
    /// The key of a target of an action: nodes and jobs are apart (a node and a job may share an id).
    public static func targetKey(_ kind: Action.Kind, _ id: String) -> String {
        (kind.targetsNodes ? "node " : "job ") + id
    }

    /// What a `per target` rule may do at this tick.
    public struct TargetStep: Equatable, Sendable {
        /// Elements that have held for `for` and are out of their cooldown: the rule may act on them.
        public var ready: Set<String> = []
        /// Elements still within `for`, with the seconds left.
        public var pending: [String: Double] = [:]
        /// Elements within their cooldown, with the seconds left.
        public var cooling: [String: Double] = [:]
    }

    /// Advances the per-target timers with this tick's targets (`present`: empty when the
    /// condition does not hold or is missing). Elements gone from the targets lose their
    /// `for`; entries with nothing left to time are dropped, so the state stays as small as
    /// the targets and the cooldowns running.
    public mutating func advanceTargets(present: Set<String>, now: Double, holdFor: Double?, cooldown: Double?) -> TargetStep {
        var timers = targets ?? [:]
        var step = TargetStep()
        for key in present {
            var timer = timers[key] ?? TargetTimer()
            let start = timer.since ?? now
            timer.since = start
            timers[key] = timer
            let held = now - start
            if let holdFor, held < holdFor - 1e-9 {
                step.pending[key] = holdFor - held
            } else if let cooldown, let last = timer.lastActed, now - last < cooldown - 1e-9 {
                step.cooling[key] = cooldown - (now - last)
            } else {
                step.ready.insert(key)
            }
        }
        for (key, timer) in timers where !present.contains(key) {
            let cooling = cooldown.map { c in timer.lastActed.map { now - $0 < c - 1e-9 } ?? false } ?? false
            if cooling {
                timers[key] = TargetTimer(since: nil, lastActed: timer.lastActed)
            } else {
                timers[key] = nil
            }
        }
        targets = timers
        return step
    }

    /// Records that the rule acted on these elements now (the ones it proposed, after any `limit`).
    public mutating func markActed(_ keys: some Sequence<String>, now: Double) {
        var timers = targets ?? [:]
        for key in keys { timers[key, default: TargetTimer(since: now)].lastActed = now }
        targets = timers
        lastActed = now
    }

    /// The rule's state at this tick, from its elements': firing when it acted on at least one,
    /// else pending while one waits out its `for`, else cooling while one is in its cooldown.
    public mutating func perTargetDecision(_ step: TargetStep, acted: Bool) -> Decision {
        if acted {
            phase = .firing
            return .act
        }
        if let remaining = step.pending.values.min() {
            phase = .pending
            return .pending(remaining: remaining)
        }
        if let remaining = step.cooling.values.min() {
            phase = .firing
            return .coolingDown(remaining: remaining)
        }
        phase = .inactive
        return .inactive
    }
}
