import WattEnergy

extension Simulator {
    /// The world now. Never throws (the protocol allows adapters to).
    public func snapshot() -> World {
        let outdoor = cluster.outdoorTemperature.value(at: now)
        let pue = cluster.pue.pue(outdoorTemperature: outdoor)
        var nodePower = [Double](repeating: 0, count: nodes.count)
        var worldNodes: [World.Node] = []
        worldNodes.reserveCapacity(nodes.count)
        var itPower = 0.0
        for n in nodes.indices {
            let node = nodes[n]
            let pool = pools[node.pool]
            let p = power(node: n)
            nodePower[n] = p
            itPower += p
            let takes = accepts(n)
            var utilization = 0.0
            if pool.gpus > 0 {
                for j in node.running { utilization += Double(jobs[j].spec.gpus) * jobs[j].spec.utilization }
                utilization /= Double(pool.gpus)
            } else if pool.cpus > 0 {
                utilization = Double(pool.cpus - node.freeCPUs) / Double(pool.cpus)
            }
            worldNodes.append(World.Node(
                id: node.id, pool: pool.name, profile: pool.definition.node.name, state: node.state,
                power: node.telemetryGap ? nil : p, powerCap: node.cap, utilization: utilization,
                temperature: node.temperature, jobs: node.runningIDs,
                gpus: pool.gpus, gpusFree: takes ? node.freeGPUs : 0, cpus: pool.cpus, cpusFree: takes ? node.freeCPUs : 0))
        }
        let worldPools = pools.map { pool in
            World.Pool(name: pool.name, nodeProfile: pool.definition.node.name, nodeCount: pool.nodes.count,
                       power: pool.nodes.reduce(0) { $0 + nodePower[$1] }, gpus: pool.gpus * pool.nodes.count,
                       gpusFree: pool.nodes.reduce(0) { $0 + (accepts($1) ? nodes[$1].freeGPUs : 0) })
        }
        var worldJobs = active.map { worldJob($0) }
        let horizon = now - cluster.jobs.doneRetention
        var recent: [Int] = []
        // Jobs finish in tick order; within a tick their times vary, so look one tick further.
        for j in doneOrder.reversed() {
            guard let f = jobs[j].finished, f >= horizon - cluster.tick else { break }
            if f >= horizon { recent.append(j) }
        }
        worldJobs += recent.sorted().map { worldJob($0) }
        let site = World.Site(itPower: itPower, facilityPower: itPower * pue, powerCap: cluster.powerCap, pue: pue,
                              outdoorTemperature: outdoor, itEnergy: itEnergy, itEnergyToday: itEnergyToday)
        let grid = cluster.grid(at: now)
        return World(now: now, site: site, grid: grid, pools: worldPools, nodes: worldNodes, jobs: worldJobs)
    }

    func worldJob(_ j: Int) -> World.Job {
        let job = jobs[j]
        let pool = pools[job.pool]
        var remainingTime = 0.0, remainingEnergy = 0.0
        if job.state != .done {
            let cap: Double?
            if let n = job.node ?? job.pinned { cap = nodes[n].cap } else { cap = pool.definition.gpuCap }
            let s = speed(j, pool, cap: cap)
            remainingTime = s > 0 ? job.remaining / s : .infinity
            let jobPower = addedPower(j, pool, cap: cap) + share(j, pool) * basePower(pool, cap: cap)
            remainingEnergy = remainingTime * jobPower
        }
        let node = (job.node ?? job.pinned).map { nodes[$0].id }
        return World.Job(id: job.spec.id, user: job.spec.user, pool: pool.name, node: node, state: job.state,
                         gpus: job.spec.gpus, cpus: job.spec.cpus, priority: job.spec.priority, flexible: job.spec.flexible,
                         preemptible: job.spec.preemptible, submitted: job.submitted, started: job.started, finished: job.finished,
                         deadline: job.spec.deadline.map { cluster.start + $0 }, remainingTime: remainingTime,
                         remainingEnergy: remainingEnergy, runTime: job.runTime,
                         checkpointOverhead: cluster.jobs.checkpointOverhead)
    }

    // MARK: Operators

    /// Puts a waiting (queued or deferred) job on hold: it stays `held` until `unhold`. Not a
    /// policy action: holds belong to operators. Returns false when the job is not waiting.
    @discardableResult
    public func hold(job id: String) -> Bool {
        guard let j = jobIndex[id] else { return false }
        switch jobs[j].state {
        case .queued: dequeue(j, from: jobs[j].pool)
        case .deferred: jobs[j].deferredUntil = nil; endDeferral(j)
        default: return false
        }
        jobs[j].state = .held
        return true
    }

    /// Queues a held job again. Returns false when the job is not held.
    @discardableResult
    public func unhold(job id: String) -> Bool {
        guard let j = jobIndex[id], jobs[j].state == .held else { return false }
        jobs[j].state = .queued
        enqueue(j)
        return true
    }

    // MARK: Checks

    /// Broken invariants, empty when the state is consistent: every submitted job is in
    /// exactly one place for its state (one queue, one node, or neither), no node runs more
    /// GPUs or CPUs than it has, free counts match, no job runs on a node that is not on,
    /// `active` lists exactly the jobs that are not done.
    public func invariantViolations() -> [String] {
        var problems: [String] = []
        var queued = [Int](repeating: 0, count: jobs.count)
        for p in pools.indices {
            for j in pools[p].queue {
                queued[j] += 1
                if jobs[j].pool != p { problems.append("job `\(jobs[j].spec.id)` is queued in pool `\(pools[p].name)` but belongs to `\(pools[jobs[j].pool].name)`") }
            }
        }
        var runningOn = [Int](repeating: 0, count: jobs.count)
        for n in nodes.indices {
            let node = nodes[n]
            let pool = pools[node.pool]
            var gpus = 0, cpus = 0
            for j in node.running {
                runningOn[j] += 1
                gpus += jobs[j].spec.gpus
                cpus += jobs[j].spec.cpus
                if jobs[j].node != n { problems.append("job `\(jobs[j].spec.id)` is on node `\(node.id)` but records another node") }
            }
            if gpus > pool.gpus || cpus > pool.cpus { problems.append("node `\(node.id)` runs \(gpus) GPUs and \(cpus) CPUs of \(pool.gpus) and \(pool.cpus)") }
            if node.freeGPUs != pool.gpus - gpus || node.freeCPUs != pool.cpus - cpus { problems.append("node `\(node.id)` has wrong free counts") }
            if !node.running.isEmpty && node.state != .on && node.state != .draining {
                problems.append("node `\(node.id)` is \(node.state.rawValue) with \(node.running.count) running jobs")
            }
            if node.running.isEmpty && node.state == .on { problems.append("node `\(node.id)` is on with no job") }
            if node.runningIDs != node.running.map({ jobs[$0].spec.id }) {
                problems.append("node `\(node.id)` lists other job ids than those of its running jobs")
            }
        }
        for j in jobs.indices {
            let expectQueue = jobs[j].state == .queued ? 1 : 0
            let expectNode = jobs[j].state == .running ? 1 : 0
            if queued[j] != expectQueue { problems.append("job `\(jobs[j].spec.id)` (\(jobs[j].state.rawValue)) is in \(queued[j]) queues") }
            if runningOn[j] != expectNode { problems.append("job `\(jobs[j].spec.id)` (\(jobs[j].state.rawValue)) is on \(runningOn[j]) nodes") }
        }
        let notDone = jobs.indices.filter { jobs[$0].state != .done }
        if notDone != active { problems.append("the active list does not match the jobs that are not done") }
        if jobs.count + pendingJobCount != pending.count { problems.append("\(pending.count) jobs in the trace, \(jobs.count) submitted and \(pendingJobCount) pending") }
        return problems
    }
}
