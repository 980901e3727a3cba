/// Something a policy asks the cluster to do: a verb, the ids it applies to, its parameters
/// in SI units, the rule that proposed it and why. A `Scheduler` applies actions and answers
/// with one `ActionResult` per target (one for an alert).
///
/// ```swift
/// let a = Action.cap(nodes: ["default-001"], atWatts: 400, rule: "shave_peak",
///                    reason: "forecast site power 1.02 MW > 950 kW")
/// let results = scheduler.apply([a])
/// ```
public struct Action: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Move jobs to another pool or node. A waiting job changes queue; a running one is
        /// checkpointed and requeued there (it must be preemptible).
        case move(to: Destination)
        /// Hold queued (or already deferred) flexible jobs back until a time.
        case deferUntil(Double)
        /// Hold queued (or already deferred) flexible jobs back for a duration, s, from now.
        case deferFor(Double)
        /// Queue deferred jobs again now.
        case release
        /// Checkpoint running preemptible jobs and put them back in their queue.
        case preempt
        /// Checkpoint running preemptible, flexible jobs and hold them until a time (then they
        /// queue again): an interruption planned to resume in a cleaner (or cheaper) hour.
        case preemptUntil(Double)
        /// Cap each GPU of the nodes at a power, W (inside the GPU's cap range).
        case cap(watts: Double)
        /// Remove the nodes' GPU power caps.
        case uncap
        /// Suspend idle nodes.
        case suspend
        /// Wake suspended nodes.
        case wake
        /// Take nodes out of service: they get no new jobs and finish the ones they run (for
        /// thermal rules; Slurm's `DRAIN`).
        case drain
        /// Return drained nodes to service (Slurm's `RESUME`).
        case resume
        /// Tell the operators. `severity` is `info`, `warning` or `critical`.
        case alert(severity: String, message: String)

        /// Whether the targets are node ids (cap, uncap, suspend, wake, drain, resume); else job ids.
        public var targetsNodes: Bool {
            switch self {
            case .cap, .uncap, .suspend, .wake, .drain, .resume: return true
            case .move, .deferUntil, .deferFor, .release, .preempt, .preemptUntil, .alert: return false
            }
        }
    }

    public enum Destination: Sendable, Equatable {
        case pool(String)
        case node(String)
    }

    public var kind: Kind
    /// Job ids (move, defer, release, preempt) or node ids (cap, uncap, suspend, wake, drain, resume);
    /// empty for an alert.
    public var targets: [String]
    /// The rule that proposed the action, when a policy did.
    public var rule: String?
    /// Why: the explanation shown to operators.
    public var reason: String

    public init(_ kind: Kind, targets: [String], rule: String? = nil, reason: String = "") {
        self.kind = kind
        self.targets = targets
        self.rule = rule
        self.reason = reason
    }

    public static func move(jobs: [String], toPool pool: String, rule: String? = nil, reason: String = "") -> Action {
        Action(.move(to: .pool(pool)), targets: jobs, rule: rule, reason: reason)
    }

    public static func move(jobs: [String], toNode node: String, rule: String? = nil, reason: String = "") -> Action {
        Action(.move(to: .node(node)), targets: jobs, rule: rule, reason: reason)
    }

    /// Defer until an instant, s since epoch.
    public static func deferJobs(_ jobs: [String], until time: Double, rule: String? = nil, reason: String = "") -> Action {
        Action(.deferUntil(time), targets: jobs, rule: rule, reason: reason)
    }

    /// Defer for a duration, s.
    public static func deferJobs(_ jobs: [String], for duration: Double, rule: String? = nil, reason: String = "") -> Action {
        Action(.deferFor(duration), targets: jobs, rule: rule, reason: reason)
    }

    public static func release(jobs: [String], rule: String? = nil, reason: String = "") -> Action {
        Action(.release, targets: jobs, rule: rule, reason: reason)
    }

    public static func preempt(jobs: [String], rule: String? = nil, reason: String = "") -> Action {
        Action(.preempt, targets: jobs, rule: rule, reason: reason)
    }

    /// Checkpoint and hold until an instant, s since epoch.
    public static func preempt(jobs: [String], until time: Double, rule: String? = nil, reason: String = "") -> Action {
        Action(.preemptUntil(time), targets: jobs, rule: rule, reason: reason)
    }

    /// Cap every GPU of the nodes at `watts` W.
    public static func cap(nodes: [String], atWatts watts: Double, rule: String? = nil, reason: String = "") -> Action {
        Action(.cap(watts: watts), targets: nodes, rule: rule, reason: reason)
    }

    public static func uncap(nodes: [String], rule: String? = nil, reason: String = "") -> Action {
        Action(.uncap, targets: nodes, rule: rule, reason: reason)
    }

    public static func suspend(nodes: [String], rule: String? = nil, reason: String = "") -> Action {
        Action(.suspend, targets: nodes, rule: rule, reason: reason)
    }

    public static func wake(nodes: [String], rule: String? = nil, reason: String = "") -> Action {
        Action(.wake, targets: nodes, rule: rule, reason: reason)
    }

    public static func drain(nodes: [String], rule: String? = nil, reason: String = "") -> Action {
        Action(.drain, targets: nodes, rule: rule, reason: reason)
    }

    public static func resume(nodes: [String], rule: String? = nil, reason: String = "") -> Action {
        Action(.resume, targets: nodes, rule: rule, reason: reason)
    }

    public static func alert(_ message: String, severity: String = "warning", rule: String? = nil, reason: String = "") -> Action {
        Action(.alert(severity: severity, message: message), targets: [], rule: rule, reason: reason)
    }

    /// What the targets are: `job`, `node`, or nil for an alert.
    public var targetKind: String? {
        switch kind {
        case .move, .deferUntil, .deferFor, .release, .preempt, .preemptUntil: return "job"
        case .cap, .uncap, .suspend, .wake, .drain, .resume: return "node"
        case .alert: return nil
        }
    }

    /// The verb and its parameters, without targets: `move to pool \`efficient\``,
    /// `cap at 400 W`, `defer for 7200 s`.
    public var verb: String {
        switch kind {
        case .move(to: .pool(let p)): return "move to pool `\(p)`"
        case .move(to: .node(let n)): return "move to node `\(n)`"
        case .deferUntil(let t): return "defer until \(ClusterText.instant(t))"
        case .deferFor(let d): return "defer for \(ClusterText.number(d)) s"
        case .release: return "release"
        case .preempt: return "preempt"
        case .preemptUntil(let t): return "preempt until \(ClusterText.instant(t))"
        case .cap(let w): return "cap at \(ClusterText.number(w)) W"
        case .uncap: return "uncap"
        case .suspend: return "suspend"
        case .wake: return "wake"
        case .drain: return "drain"
        case .resume: return "resume"
        case .alert(let severity, let message): return "alert \(severity) `\(message)`"
        }
    }

    public var description: String {
        var text = verb
        if !targets.isEmpty {
            let shown = targets.prefix(5).map { "`\($0)`" }.joined(separator: ", ")
            text += " [\(shown)\(targets.count > 5 ? ", … (\(targets.count))" : "")]"
        }
        if let rule { text += " (rule \(rule))" }
        return text
    }
}

/// The outcome of one action on one target.
public struct ActionResult: Sendable, Equatable, CustomStringConvertible {
    public enum Status: String, Sendable, Equatable {
        /// The cluster changed as asked.
        case applied
        /// It already was as asked: applying the action again is harmless.
        case unchanged
        /// The action cannot apply to this target; `detail` says why.
        case rejected
    }

    /// The action, as given.
    public var action: Action
    /// The job or node id; nil for an alert.
    public var target: String?
    public var status: Status
    /// What was done (applied), what already held (unchanged) or why not (rejected).
    public var detail: String

    public init(action: Action, target: String?, status: Status, detail: String) {
        self.action = action
        self.target = target
        self.status = status
        self.detail = detail
    }

    /// Applied, or applied with no change.
    public var succeeded: Bool { status != .rejected }

    /// E.g. ``cap at 400 W `default-001`: applied (no change): already capped at 400 W``.
    public var description: String {
        let what = target.map { "\(action.verb) `\($0)`" } ?? action.verb
        let status: String
        switch self.status {
        case .applied: status = "applied"
        case .unchanged: status = "applied (no change)"
        case .rejected: status = "rejected"
        }
        return "\(what): \(status): \(detail)"
    }
}
