/// Applying actions. Every target gets a result; nothing is all-or-nothing. The exact
/// messages are listed in docs/cluster.md and tested in ActionTests.
extension Simulator {
    public func apply(_ actions: [Action]) -> [ActionResult] {
        var results: [ActionResult] = []
        for action in actions {
            if case .alert(let severity, let message) = action.kind {
                let (status, detail) = alert(severity: severity, message: message, action: action)
                results.append(ActionResult(action: action, target: nil, status: status, detail: detail))
                continue
            }
            for target in action.targets {
                let (status, detail) = apply(action, to: target)
                results.append(ActionResult(action: action, target: target, status: status, detail: detail))
            }
        }
        return results
    }

    typealias Outcome = (ActionResult.Status, String)

    func apply(_ action: Action, to target: String) -> Outcome {
        switch action.kind {
        case .move, .deferUntil, .deferFor, .release, .preempt, .preemptUntil:
            switch lookupJob(target) {
            case .failure(let why): return (.rejected, why.message)
            case .success(let j):
                switch action.kind {
                case .move(to: .pool(let pool)): return move(job: j, toPool: pool)
                case .move(to: .node(let node)): return move(job: j, toNode: node)
                case .deferUntil(let t): return deferJob(j, until: t, asked: nil)
                case .deferFor(let d): return deferJob(j, until: now + d, asked: d)
                case .release: return release(job: j)
                case .preemptUntil(let t): return preempt(job: j, until: t)
                default: return preempt(job: j)
                }
            }
        case .cap, .uncap, .suspend, .wake, .drain, .resume:
            guard let n = nodeIndex[target] else {
                return (.rejected, ClusterNames.unknown("node", target, among: nodes.map(\.id)))
            }
            switch action.kind {
            case .cap(let w): return cap(node: n, watts: w)
            case .uncap: return uncap(node: n)
            case .suspend: return suspend(node: n)
            case .drain: return drain(node: n)
            case .resume: return resume(node: n)
            default: return wake(node: n)
            }
        case .alert:
            return (.rejected, "an alert has no targets")
        }
    }

    func lookupJob(_ id: String) -> Result<Int, LookupFailure> {
        if let j = jobIndex[id] { return .success(j) }
        if let submit = pendingSubmit[id] {
            return .failure(LookupFailure("job `\(id)` is not submitted yet (it is submitted at \(ClusterText.instant(cluster.start + submit)))"))
        }
        return .failure(LookupFailure(ClusterNames.unknown("job", id, among: jobs.map(\.spec.id))))
    }

    struct LookupFailure: Error { var message: String; init(_ m: String) { message = m } }

    // MARK: Jobs

    func move(job j: Int, toPool name: String) -> Outcome {
        let id = jobs[j].spec.id
        guard let p = poolIndex[name] else { return (.rejected, ClusterNames.unknown("pool", name, among: pools.map(\.name))) }
        if let why = Simulator.fitProblem(jobs[j].spec, pool: pools[p]) { return (.rejected, "job `\(id)` \(why)") }
        let from = pools[jobs[j].pool].name
        switch jobs[j].state {
        case .done:
            return (.rejected, "job `\(id)` is done")
        case .running:
            if jobs[j].pool == p { return (.unchanged, "already in pool `\(name)`") }
            guard jobs[j].spec.preemptible else {
                return (.rejected, "job `\(id)` is running and not preemptible, so it cannot be moved")
            }
            let node = jobs[j].node.map { nodes[$0].id } ?? "?"
            requeue(job: j, pool: p, pin: nil)
            return (.applied, "checkpointed on node `\(node)` and requeued in pool `\(name)` (from `\(from)`)")
        case .queued, .deferred, .held:
            if jobs[j].pool == p && jobs[j].pinned == nil { return (.unchanged, "already in pool `\(name)`") }
            let wasPinned = jobs[j].pinned.map { nodes[$0].id }
            if jobs[j].state == .queued { dequeue(j, from: jobs[j].pool) }
            jobs[j].pool = p
            jobs[j].pinned = nil
            if jobs[j].state == .queued { enqueue(j) }
            if jobs[j].pool == p, from == name, let wasPinned { return (.applied, "unpinned from node `\(wasPinned)`, stays in pool `\(name)`") }
            return (.applied, "moved from pool `\(from)` to pool `\(name)`")
        }
    }

    func move(job j: Int, toNode name: String) -> Outcome {
        let id = jobs[j].spec.id
        guard let n = nodeIndex[name] else { return (.rejected, ClusterNames.unknown("node", name, among: nodes.map(\.id))) }
        let p = nodes[n].pool
        if jobs[j].spec.gpus > pools[p].gpus {
            return (.rejected, "job `\(id)` needs \(ClusterText.count(jobs[j].spec.gpus, "GPU")) but node `\(name)` has \(pools[p].gpus)")
        }
        if jobs[j].spec.cpus > pools[p].cpus {
            return (.rejected, "job `\(id)` needs \(ClusterText.count(jobs[j].spec.cpus, "CPU")) but node `\(name)` has \(pools[p].cpus)")
        }
        switch jobs[j].state {
        case .done:
            return (.rejected, "job `\(id)` is done")
        case .running:
            if jobs[j].node == n { return (.unchanged, "already running on node `\(name)`") }
            guard jobs[j].spec.preemptible else {
                return (.rejected, "job `\(id)` is running and not preemptible, so it cannot be moved")
            }
            if nodes[n].state == .suspended {
                return (.rejected, "node `\(name)` is suspended; a suspended node cannot run jobs (wake it first)")
            }
            if nodes[n].state == .draining {
                return (.rejected, "node `\(name)` is draining; it takes no new jobs (resume it first)")
            }
            let from = jobs[j].node.map { nodes[$0].id } ?? "?"
            requeue(job: j, pool: p, pin: n)
            return (.applied, "checkpointed on node `\(from)` and requeued for node `\(name)`")
        case .queued, .deferred, .held:
            if jobs[j].pinned == n { return (.unchanged, "already pinned to node `\(name)`") }
            if nodes[n].state == .suspended {
                return (.rejected, "node `\(name)` is suspended; a suspended node cannot run jobs (wake it first)")
            }
            if nodes[n].state == .draining {
                return (.rejected, "node `\(name)` is draining; it takes no new jobs (resume it first)")
            }
            if jobs[j].state == .queued { dequeue(j, from: jobs[j].pool) }
            jobs[j].pool = p
            jobs[j].pinned = n
            if jobs[j].state == .queued { enqueue(j) }
            return (.applied, "pinned to node `\(name)` in pool `\(pools[p].name)`")
        }
    }

    func deferJob(_ j: Int, until t: Double, asked duration: Double?) -> Outcome {
        let id = jobs[j].spec.id
        if let duration, !(duration > 0 && duration.isFinite) {
            return (.rejected, "a defer duration must be a positive number of seconds, found \(ClusterText.number(duration))")
        }
        guard t.isFinite, t > now else {
            return (.rejected, "defer until \(ClusterText.instant(t)) is not after now (\(ClusterText.instant(now)))")
        }
        switch jobs[j].state {
        case .running: return (.rejected, "job `\(id)` is running; a running job cannot be deferred (preempt it first)")
        case .done: return (.rejected, "job `\(id)` is done")
        case .held: return (.rejected, "job `\(id)` is held by an operator")
        case .queued, .deferred:
            guard jobs[j].spec.flexible else { return (.rejected, "job `\(id)` is not flexible") }
            if let deadline = jobs[j].spec.deadline.map({ cluster.start + $0 }) {
                let left = estimatedWaitingRunTime(j)
                if t + left > deadline {
                    return (.rejected, "deferring job `\(id)` until \(ClusterText.instant(t)) would miss its deadline \(ClusterText.instant(deadline)) (\(ClusterText.number(left.rounded())) s of work left)")
                }
            }
            if jobs[j].state == .deferred {
                if jobs[j].deferredUntil == t { return (.unchanged, "already deferred until \(ClusterText.instant(t))") }
                let was = jobs[j].deferredUntil.map(ClusterText.instant) ?? "?"
                jobs[j].deferredUntil = t
                return (.applied, "deferred until \(ClusterText.instant(t)) (was \(was))")
            }
            dequeue(j, from: jobs[j].pool)
            jobs[j].state = .deferred
            jobs[j].deferredUntil = t
            beginDeferral(j)
            return (.applied, "deferred until \(ClusterText.instant(t))")
        }
    }

    func release(job j: Int) -> Outcome {
        let id = jobs[j].spec.id
        switch jobs[j].state {
        case .deferred:
            endDeferral(j)
            jobs[j].state = .queued
            jobs[j].deferredUntil = nil
            enqueue(j)
            return (.applied, "queued again in pool `\(pools[jobs[j].pool].name)`")
        case .queued: return (.unchanged, "already queued")
        case .running: return (.rejected, "job `\(id)` is running, not deferred")
        case .held: return (.rejected, "job `\(id)` is held by an operator, not deferred")
        case .done: return (.rejected, "job `\(id)` is done")
        }
    }

    func preempt(job j: Int) -> Outcome {
        let id = jobs[j].spec.id
        switch jobs[j].state {
        case .running:
            guard jobs[j].spec.preemptible else { return (.rejected, "job `\(id)` is not preemptible") }
            let from = jobs[j].node.map { nodes[$0].id } ?? "?"
            requeue(job: j, pool: jobs[j].pool, pin: nil)
            return (.applied, "checkpointed on node `\(from)` and requeued in pool `\(pools[jobs[j].pool].name)`")
        case .queued: return (.unchanged, "already queued")
        case .deferred, .held, .done: return (.rejected, "job `\(id)` is not running (\(jobs[j].state.rawValue))")
        }
    }

    /// Checkpoints a running job and holds it until `t` (a planned interruption): the
    /// checkpoint overhead is added to its work (it runs that much longer, at full power, when
    /// it resumes), its work done is kept, and it queues again at `t`. A waiting job is
    /// deferred until `t`, as `defer` does. Refused when the job would miss its deadline
    /// resuming at `t`.
    func preempt(job j: Int, until t: Double) -> Outcome {
        let id = jobs[j].spec.id
        guard jobs[j].state == .running else {
            if jobs[j].state == .done { return (.rejected, "job `\(id)` is done") }
            return deferJob(j, until: t, asked: nil)
        }
        guard jobs[j].spec.preemptible else { return (.rejected, "job `\(id)` is not preemptible") }
        guard jobs[j].spec.flexible else { return (.rejected, "job `\(id)` is not flexible") }
        guard t.isFinite, t > now else {
            return (.rejected, "preempt until \(ClusterText.instant(t)) is not after now (\(ClusterText.instant(now)))")
        }
        if let deadline = jobs[j].spec.deadline.map({ cluster.start + $0 }) {
            let p = jobs[j].pool
            let s = speed(j, pools[p], cap: pools[p].definition.gpuCap)
            let left = s > 0 ? (jobs[j].remaining + cluster.jobs.checkpointOverhead) / s : .infinity
            if t + left > deadline {
                return (.rejected, "holding job `\(id)` until \(ClusterText.instant(t)) would miss its deadline \(ClusterText.instant(deadline)) (\(ClusterText.number(left.rounded())) s of work left with the checkpoint)")
            }
        }
        let from = jobs[j].node.map { nodes[$0].id } ?? "?"
        requeue(job: j, pool: jobs[j].pool, pin: nil)
        dequeue(j, from: jobs[j].pool)
        jobs[j].state = .deferred
        jobs[j].deferredUntil = t
        beginDeferral(j)
        return (.applied, "checkpointed on node `\(from)` and held until \(ClusterText.instant(t))")
    }

    /// Seconds a waiting job needs at its pool's speed and initial cap.
    func estimatedWaitingRunTime(_ j: Int) -> Double {
        let p = jobs[j].pool
        let cap = jobs[j].pinned.map { nodes[$0].cap } ?? pools[p].definition.gpuCap
        let s = speed(j, pools[p], cap: cap)
        return s > 0 ? jobs[j].remaining / s : .infinity
    }

    // MARK: Nodes

    func cap(node n: Int, watts: Double) -> Outcome {
        let id = nodes[n].id
        guard watts.isFinite else { return (.rejected, "a cap must be a finite number of watts, found \(ClusterText.number(watts))") }
        guard let gpu = pools[nodes[n].pool].definition.gpu else { return (.rejected, "node `\(id)` has no GPUs to cap") }
        guard gpu.capRangeW.contains(watts) else {
            return (.rejected, "cap \(ClusterText.number(watts)) W is outside the GPU cap range \(ClusterText.number(gpu.capRangeW.lowerBound))–\(ClusterText.number(gpu.capRangeW.upperBound)) W of `\(gpu.name)`")
        }
        if nodes[n].cap == watts { return (.unchanged, "already capped at \(ClusterText.number(watts)) W per GPU") }
        let was = nodes[n].cap.map { "\(ClusterText.number($0)) W" } ?? "uncapped"
        nodes[n].cap = watts
        return (.applied, "GPUs capped at \(ClusterText.number(watts)) W (was \(was))")
    }

    func uncap(node n: Int) -> Outcome {
        guard let was = nodes[n].cap else { return (.unchanged, "not capped") }
        nodes[n].cap = nil
        return (.applied, "GPU cap removed (was \(ClusterText.number(was)) W)")
    }

    func suspend(node n: Int) -> Outcome {
        let id = nodes[n].id
        switch nodes[n].state {
        case .suspended: return (.unchanged, "already suspended")
        case .waking: return (.rejected, "node `\(id)` is waking")
        case .draining where nodes[n].running.isEmpty:
            return (.rejected, "node `\(id)` is draining; resume it before suspending")
        case .on, .draining:
            let running = nodes[n].running.map { jobs[$0].spec.id }
            return (.rejected, "node `\(id)` has \(running.count) running job\(running.count == 1 ? "" : "s") (\(ClusterText.ids(running))); only idle nodes can be suspended")
        case .idle:
            let pinned = active.filter { jobs[$0].pinned == n }.map { jobs[$0].spec.id }
            if !pinned.isEmpty {
                return (.rejected, "node `\(id)` has waiting jobs pinned to it (\(ClusterText.ids(pinned)))")
            }
            nodes[n].state = .suspended
            nodes[n].suspendingUntil = now + cluster.nodes.suspendSeconds
            return (.applied, "suspended")
        }
    }

    func wake(node n: Int) -> Outcome {
        switch nodes[n].state {
        case .suspended:
            nodes[n].state = .waking
            // Waking starts once suspending has finished.
            nodes[n].wakeAt = max(now, nodes[n].suspendingUntil) + cluster.nodes.wakeSeconds
            return (.applied, "waking, up at \(ClusterText.instant(nodes[n].wakeAt))")
        case .waking: return (.unchanged, "already waking")
        case .on, .idle, .draining: return (.unchanged, "already on")
        }
    }

    /// A drained node takes no new jobs (placement skips it) and finishes the ones it runs.
    func drain(node n: Int) -> Outcome {
        let id = nodes[n].id
        switch nodes[n].state {
        case .draining: return (.unchanged, "already draining")
        case .suspended: return (.rejected, "node `\(id)` is suspended; only nodes in service can be drained")
        case .waking: return (.rejected, "node `\(id)` is waking; only nodes in service can be drained")
        case .on, .idle:
            let running = nodes[n].running.count
            nodes[n].state = .draining
            return (.applied, running == 0 ? "draining (no running jobs)" : "draining (\(ClusterText.count(running, "running job")) to finish)")
        }
    }

    func resume(node n: Int) -> Outcome {
        let id = nodes[n].id
        switch nodes[n].state {
        case .draining:
            nodes[n].state = nodes[n].running.isEmpty ? .idle : .on
            return (.applied, "back in service (\(nodes[n].state.rawValue))")
        case .suspended: return (.rejected, "node `\(id)` is suspended, not draining (wake it)")
        case .on, .idle, .waking: return (.unchanged, "not draining")
        }
    }

    // MARK: Alerts

    static let severities = ["info", "warning", "critical"]

    func alert(severity: String, message: String, action: Action) -> Outcome {
        guard Simulator.severities.contains(severity) else {
            if let s = ClusterNames.suggestion(for: severity, among: Simulator.severities) {
                return (.rejected, "unknown severity `\(severity)`; did you mean `\(s)`?")
            }
            return (.rejected, "unknown severity `\(severity)`; expected `info`, `warning` or `critical`")
        }
        guard !message.trimmingWhitespace().isEmpty else { return (.rejected, "an alert needs a message") }
        let record = AlertRecord(time: now, severity: severity, message: message, rule: action.rule, reason: action.reason)
        if alerts.reversed().prefix(while: { $0.time == now }).contains(where: {
            $0.severity == severity && $0.message == message && $0.rule == action.rule
        }) {
            return (.unchanged, "already raised at this tick")
        }
        alerts.append(record)
        return (.applied, "raised")
    }
}
