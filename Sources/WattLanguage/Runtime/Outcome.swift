/// What evaluating a program on one snapshot produced.
public struct Evaluation: Sendable {
    public var now: Double
    public var outcomes: [RuleOutcome]
    public var steps: Int
    public var actions: [ProposedAction] { outcomes.flatMap(\.actions) }
}

public struct RuleOutcome: Sendable {
    public enum Status: Sendable, Equatable {
        /// The condition held: the `then` actions are proposed.
        case fired
        /// The condition did not hold; `else` actions, if any, are proposed.
        case notFired
        /// The condition needed a value the host did not have; the rule does nothing.
        case missing(String)
        /// Evaluation stopped (budget, division by zero, host function failure).
        case failed(String)
    }
    public var rule: String
    public var priority: Double
    public var status: Status
    public var actions: [ProposedAction]
    /// The comparisons of the condition and their values, when the rule fired.
    public var explanation: [ExplanationTerm]
    public var diagnostic: Diagnostic?
    public var steps: Int
    public var range: SourceRange
    public var source: SourceFile
    /// `for` and `cooldown` of the rule, for the control loop (seconds).
    public var holdFor: Double?
    public var cooldown: Double?
    /// `per target`: `holdFor` and `cooldown` hold per element of the actions' targets.
    public var perTarget = false
    /// Hysteresis: whether the rule has an `until` clause, whether it holds now (nil when
    /// it could not be evaluated), and how long it must hold to clear the rule.
    public var hasClearCondition = false
    /// `limit N per tick|hour`: the count and the window (0: a tick, 3600: an hour).
    public var limitCount: Int?
    public var limitWindow: Double?
    /// `limit N % per tick|hour`: the share (0, 1] of the host's targets of the acted-on
    /// kind; the host turns it into a count (`limitCount` is then 0).
    public var limitShare: Double?
    /// The `when` condition's own value (nil when missing), apart from any latching.
    public var conditionHolds: Bool?
    public var clearHolds: Bool?
    public var clearFor: Double?
}

public struct ProposedAction: Sendable {
    public struct Slot: Sendable {
        public var key: String
        public var value: Value
        public var type: WattType
        public var unit: String?
    }
    public var verb: String
    public var target: Value?
    public var targetType: WattType?
    public var slots: [Slot]
    public var rule: String
    public var priority: Double
    public var range: SourceRange
    public var source: SourceFile
    public var explanation: [ExplanationTerm]

    public func slot(_ key: String) -> Value? { slots.first { $0.key == key }?.value }

    /// `move [job "j1", …] to pool "efficient"` — for logs, the REPL and test failures.
    public func describe(vocabulary: Vocabulary? = nil) -> String {
        var parts = [verb]
        if let target, let targetType { parts.append(ValueFormatter.format(target, targetType, vocabulary: vocabulary, maxItems: 5)) }
        for s in slots { parts.append("\(s.key) \(ValueFormatter.format(s.value, s.type, unit: s.unit, vocabulary: vocabulary))") }
        return parts.joined(separator: " ")
    }
}
