/// Rule state across ticks, as Prometheus does for alerts: a rule whose condition holds is
/// `pending` until it has held for its `for` duration, then `firing`; a firing rule proposes
/// its actions, except within its `cooldown` after the last time it did. A condition that
/// stops holding (or is missing) resets the rule to `inactive`. The state is Codable so
/// it can be journaled and survive a restart.
public struct RuleTimer: Codable, Sendable, Equatable {
    public enum Phase: String, Codable, Sendable { case inactive, pending, firing }

    public var phase: Phase = .inactive
    /// When the condition started holding without a break.
    public var since: Double?
    /// When the rule last proposed its actions.
    public var lastActed: Double?
    /// When the hysteresis clear condition started holding without a break.
    public var clearSince: Double?
    /// When each target counted by a `limit N per hour` was acted on (the last hour only).
    public var limitedTargets: [Double] = []
    /// `per target`: the timer of each element of the rule's targets (`TargetTimers.swift`),
    /// keyed `node ID` or `job ID`. Nil for a rule timed as a whole, so that journals
    /// written before `per target` decode unchanged and rule timers journal as they did.
    public var targets: [String: TargetTimer]?

    public init() {}

    /// What the rule does at this tick.
    public enum Decision: Equatable, Sendable {
        /// Condition false or missing: nothing (its `else` actions, if any, still apply).
        case inactive
        /// Holding, but not yet for `holdFor`: nothing, until `remaining` more seconds.
        case pending(remaining: Double)
        /// Firing and allowed to act.
        case act
        /// Firing but within its cooldown: nothing until `remaining` more seconds.
        case coolingDown(remaining: Double)

        /// `inactive`, `pending`, `firing` (acting) or `cooling` (firing, within its cooldown).
        public var stateName: String {
            switch self {
            case .inactive: return "inactive"
            case .pending: return "pending"
            case .act: return "firing"
            case .coolingDown: return "cooling"
            }
        }
    }

    /// Advances the timer with this tick's condition. `holds` is nil when the condition could
    /// not be evaluated (a missing value): that resets the timer, since a rule never acts on
    /// a value it could not trust.
    ///
    /// With hysteresis (`clear` given: the `until` condition's value now and its duration),
    /// a firing rule stays firing whatever `holds` says, until the clear condition has held
    /// for its duration; a gap in the clear condition does not clear it.
    public mutating func update(holds: Bool?, now: Double, holdFor: Double?, cooldown: Double?,
                                clear: (holds: Bool?, duration: Double?)? = nil) -> Decision {
        if let clear, phase == .firing {
            if clear.holds == true {
                let start = clearSince ?? now
                clearSince = start
                if now - start >= (clear.duration ?? 0) - 1e-9 {
                    phase = .inactive
                    since = nil
                    clearSince = nil
                    return .inactive
                }
            } else {
                clearSince = nil
            }
            return act(now: now, cooldown: cooldown)
        }
        guard holds == true else {
            phase = .inactive
            since = nil
            return .inactive
        }
        let start = since ?? now
        since = start
        let held = now - start
        if let holdFor, held < holdFor - 1e-9 {
            phase = .pending
            return .pending(remaining: holdFor - held)
        }
        phase = .firing
        return act(now: now, cooldown: cooldown)
    }

    private mutating func act(now: Double, cooldown: Double?) -> Decision {
        if let cooldown, let last = lastActed, now - last < cooldown - 1e-9 {
            return .coolingDown(remaining: cooldown - (now - last))
        }
        lastActed = now
        return .act
    }

    /// The states as tests, metrics and the REPL name them.
    public static let stateNames = ["inactive", "pending", "firing", "cooling"]

    /// Whether the rule is held on by hysteresis (firing with a clear condition pending).
    public var isLatched: Bool { phase == .firing }
}
