import WattBindings
import WattCluster
import WattLanguage

/// One control tick: snapshot → inputs (and telemetry history) → evaluate every rule on the
/// same inputs → rule timers (`for`, `cooldown`) → arbitration → guardrails → apply through
/// the scheduler. A failing rule never stops the others; its outcome says why.
public final class ControlLoop {
    public private(set) var program: Program
    /// Each rule's priority, for the guardrails (a higher-priority cap displaces a lower one).
    private var rulePriorities: [String: Double] = [:]
    private static func priorities(_ program: Program) -> [String: Double] {
        Dictionary(program.checked.rules.map { ($0.name, $0.priority) }, uniquingKeysWith: { a, _ in a })
    }
    public let binding: EnergyBinding
    public let scheduler: any Scheduler
    public var guardrails: Guardrails
    /// Shadow mode: evaluate and record, apply nothing.
    public var dryRun: Bool
    /// Explain rules that did not fire too (for the journal's "why didn't it fire").
    public var explainAll = false
    public private(set) var timers: [String: RuleTimer] = [:]
    private var recentMoves: [Double] = []
    /// The last applied state change per target, to count flaps (see `FlapCounter`).
    public private(set) var flapCounter = FlapCounter()

    public struct TickRecord: Sendable {
        public var time: Double
        /// The world the tick saw (its one snapshot): metrics and the journal read it.
        public var world: World
        public var outcomes: [RuleOutcome]
        public var decisions: [String: RuleTimer.Decision]
        public var proposed: [ClusterAction]
        public var conflicts: [Arbitration.Conflict]
        public var guardrailEvents: [Guardrails.Event]
        public var results: [ActionResult]
        public var steps: Int
        /// Applied actions that undid one applied to the same target within the flap window.
        public var flaps: Int = 0
        /// Telemetry the binding refused in this tick's snapshot, and why (`TelemetryGuard`).
        public var dataQuality: DataQuality? = nil
        /// `per target` rules: which elements were ready, pending (`for`) or cooling down.
        public var targetSteps: [String: RuleTimer.TargetStep] = [:]
        public var applied: Int { results.filter { $0.status == .applied }.count }
        public var rejected: Int { results.filter { $0.status == .rejected }.count }
    }

    public init(program: Program, binding: EnergyBinding, scheduler: any Scheduler, guardrails: Guardrails = Guardrails(),
                dryRun: Bool = false) {
        self.program = program
        self.binding = binding
        self.scheduler = scheduler
        self.guardrails = guardrails
        self.dryRun = dryRun
        binding.ownership.setRules(program.checked.rules.map { ($0.name, $0.source.name) })
        rulePriorities = Self.priorities(program)
    }

    /// A tick on a fresh snapshot of the scheduler.
    public func tick() throws -> TickRecord { tick(world: try scheduler.snapshot()) }

    /// A tick on a snapshot the caller took (a live run's first tick reuses the snapshot
    /// that made its vocabulary: one snapshot per tick).
    public func tick(world: World) -> TickRecord {
        let inputs = binding.inputs(for: world)
        // Rules with an `until` clause that are firing stay on until it clears.
        let latched = Set(program.checked.rules.filter { $0.clearCondition != nil && (timers[$0.name]?.isLatched ?? false) }.map(\.name))
        let evaluation = program.evaluate(inputs, now: world.now, latched: latched, explainAll: explainAll)
        var proposals: [Arbitration.Proposal] = []
        var decisions: [String: RuleTimer.Decision] = [:]
        var targetSteps: [String: RuleTimer.TargetStep] = [:]
        for outcome in evaluation.outcomes {
            let holds: Bool?
            switch outcome.status {
            case .fired, .notFired: holds = outcome.conditionHolds
            case .missing, .failed: holds = nil
            }
            // The planned actions (`per target` plans them first, to time each element).
            var planned: [ClusterAction]?
            var targetStep: RuleTimer.TargetStep?
            let decision: RuleTimer.Decision
            if outcome.perTarget {
                // `per target`: `for` and `cooldown` hold per element; only the ready ones are acted on.
                let fired = outcome.status == .fired
                let all = fired ? clusterActions(outcome) : []
                let present = Set(all.flatMap { a in a.targets.map { RuleTimer.targetKey(a.kind, $0) } })
                let step = timers[outcome.rule, default: RuleTimer()].advanceTargets(present: present, now: world.now,
                                                                                    holdFor: outcome.holdFor, cooldown: outcome.cooldown)
                targetStep = step
                targetSteps[outcome.rule] = step
                if fired {
                    // Targeted actions keep their ready elements; a targetless one (an alert) goes
                    // along when at least one element is ready.
                    planned = step.ready.isEmpty ? [] : all.compactMap { a in
                        guard !a.targets.isEmpty else { return a }
                        var a = a
                        a.targets = a.targets.filter { step.ready.contains(RuleTimer.targetKey(a.kind, $0)) }
                        return a.targets.isEmpty ? nil : a
                    }
                    decision = .act  // settled below, once `limit` has said which elements are acted on
                } else {
                    // Condition false or missing: the rule is inactive (its elements' cooldowns run on).
                    timers[outcome.rule]?.phase = .inactive
                    decision = .inactive
                }
            } else {
                let clear = outcome.hasClearCondition ? (holds: outcome.clearHolds, duration: outcome.clearFor) : nil
                decision = timers[outcome.rule, default: RuleTimer()].update(holds: holds, now: world.now, holdFor: outcome.holdFor,
                                                                             cooldown: outcome.cooldown, clear: clear)
            }
            decisions[outcome.rule] = decision
            // `then` actions only when the timer lets the rule act; `else` actions whenever the condition is false.
            // A latched rule that just cleared proposes nothing this tick.
            if outcome.status == .fired && decision != .act { continue }
            guard decision == .act || (outcome.status == .notFired && !outcome.actions.isEmpty) else { continue }
            var actedOn: [String] = []
            // `limit N per tick|hour`: at most N targets of this rule's actions in the window;
            // `limit N % per ...`: at most that share of the nodes (node verbs) or of the jobs
            // not done (job verbs) in this snapshot.
            var budget = Int.max
            var used = 0
            if let n = outcome.limitCount, outcome.status == .fired {
                let window = outcome.limitWindow ?? 0
                if window > 0 {
                    timers[outcome.rule]?.limitedTargets.removeAll { world.now - $0 >= window - 1e-9 }
                    used = timers[outcome.rule]?.limitedTargets.count ?? 0
                }
                budget = outcome.limitShare == nil ? max(0, n - used) : 0
            }
            for var action in planned ?? clusterActions(outcome) {
                if let share = outcome.limitShare, outcome.status == .fired, !action.targets.isEmpty {
                    let fleet = action.kind.targetsNodes ? world.nodes.count : world.jobs.filter { $0.state != .done }.count
                    budget = max(0, Int((share * Double(fleet) + 1e-9).rounded(.down)) - used)
                }
                if budget != Int.max && !action.targets.isEmpty {
                    action.targets = Array(action.targets.prefix(budget))
                    budget -= action.targets.count
                    used += action.targets.count
                    if (outcome.limitWindow ?? 0) > 0 {
                        timers[outcome.rule]?.limitedTargets.append(contentsOf: Array(repeating: world.now, count: action.targets.count))
                    }
                    if action.targets.isEmpty { continue }
                }
                actedOn += action.targets.map { RuleTimer.targetKey(action.kind, $0) }
                proposals.append(Arbitration.Proposal(action: action, priority: outcome.priority))
            }
            if outcome.status == .fired, let step = targetStep {
                timers[outcome.rule]?.markActed(actedOn, now: world.now)
                decisions[outcome.rule] = timers[outcome.rule]?.perTargetDecision(step, acted: !actedOn.isEmpty) ?? .inactive
            }
        }
        // Values no cluster can honour (a NaN cap, a defer into the past) take no part.
        let (sane, outOfBounds) = ActionBounds.filter(proposals, now: world.now)
        let (arbitrated, conflicts) = Arbitration.resolve(sane)
        var (allowed, events) = guardrails.apply(arbitrated, world: world, recentMoves: &recentMoves,
                                                 priorities: rulePriorities, capOwners: binding.ownership.caps.mapValues(\.rule))
        events = outOfBounds + events
        let results = dryRun ? [] : scheduler.apply(allowed)
        binding.applied(results)
        let flaps = flapCounter.record(results, now: world.now)
        return TickRecord(time: world.now, world: world, outcomes: evaluation.outcomes, decisions: decisions, proposed: allowed,
                          conflicts: conflicts, guardrailEvents: events, results: results, steps: evaluation.steps, flaps: flaps,
                          dataQuality: binding.dataQuality, targetSteps: targetSteps)
    }

    /// The cluster actions of a rule's proposals: a planning verb (`shift`) becomes one action
    /// per kind its targets resolve to.
    private func clusterActions(_ outcome: RuleOutcome) -> [ClusterAction] {
        outcome.actions.flatMap { (try? binding.clusterActions($0)) ?? [] }
    }

    /// Hot reload: run `program` from the next tick. Timers of rules that still exist carry
    /// over (a pending `for` keeps counting); those of removed rules are dropped.
    public func replace(program: Program) {
        self.program = program
        binding.ownership.setRules(program.checked.rules.map { ($0.name, $0.source.name) })
        rulePriorities = Self.priorities(program)
        let names = Set(program.checked.rules.map(\.name))
        timers = timers.filter { names.contains($0.key) }
        // A rule no longer timed `per target` drops its elements' timers.
        for rule in program.checked.rules where !rule.perTarget { timers[rule.name]?.targets = nil }
    }

    /// Resuming: the results of a replayed tick, so that flaps across the restart count.
    public func replay(_ results: [ActionResult], now: Double) { _ = flapCounter.record(results, now: now) }

    /// The timers, to journal them (they survive a restart when restored).
    public func restore(timers: [String: RuleTimer]) { self.timers = timers }

    /// The moves of the last hour, for the moves-per-hour guardrail after a restart.
    public func restore(recentMoves: [Double]) { self.recentMoves = recentMoves }
}
