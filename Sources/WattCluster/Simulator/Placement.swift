/// Placement: per pool, jobs in order of priority (higher first), then submission time
/// (FIFO), then trace order. The first job that cannot start gets a reservation on the node
/// where it can start soonest (from the running jobs' exact remaining times); later jobs
/// backfill any node that has room now, and the reserved node only if they end before the
/// reservation or fit beside the reserved job (EASY backfill). A job runs on one node: the
/// one with the fewest free GPUs that fits it (best fit), keeping whole nodes free for large
/// jobs and idle nodes idle. A job pinned to a node (`move to node`) waits for that node and
/// never holds a reservation.
extension Simulator {
    /// Whether a node can take jobs now.
    func accepts(_ n: Int) -> Bool {
        nodes[n].state == .on || nodes[n].state == .idle
    }

    func fits(_ j: Int, _ n: Int) -> Bool {
        nodes[n].freeGPUs >= jobs[j].spec.gpus && nodes[n].freeCPUs >= jobs[j].spec.cpus
    }

    func schedule() {
        for p in pools.indices where !pools[p].queue.isEmpty {
            schedule(pool: p)
        }
    }

    func sortQueue(_ p: Int) {
        guard !pools[p].queueSorted else { return }
        pools[p].queue.sort { a, b in
            let x = jobs[a], y = jobs[b]
            if x.spec.priority != y.spec.priority { return x.spec.priority > y.spec.priority }
            if x.submitted != y.submitted { return x.submitted < y.submitted }
            return a < b
        }
        pools[p].queueSorted = true
    }

    func schedule(pool p: Int) {
        sortQueue(p)
        // The most free GPUs and CPUs on one accepting node: an upper bound that lets a full
        // pool skip its queue quickly.
        var maxGPUs = 0, maxCPUs = 0
        func refreshBounds() {
            maxGPUs = 0; maxCPUs = 0
            for n in pools[p].nodes where accepts(n) {
                maxGPUs = max(maxGPUs, nodes[n].freeGPUs)
                maxCPUs = max(maxCPUs, nodes[n].freeCPUs)
            }
        }
        refreshBounds()
        if maxCPUs == 0 && maxGPUs == 0 { return }
        var reservation: (node: Int, time: Double, spareGPUs: Int, spareCPUs: Int)?
        var waiting: [Int] = []
        waiting.reserveCapacity(pools[p].queue.count)
        var started = false
        for j in pools[p].queue {
            let spec = jobs[j].spec
            if spec.gpus > maxGPUs || spec.cpus > maxCPUs {
                // Cannot start anywhere now; the first such job reserves.
                if reservation == nil, jobs[j].pinned == nil { reservation = reserve(j, pool: p) }
                waiting.append(j)
                continue
            }
            if let pin = jobs[j].pinned {
                if accepts(pin) && fits(j, pin) {
                    start(job: j, on: pin); started = true; refreshBounds()
                } else {
                    waiting.append(j)
                }
                continue
            }
            if let n = bestFit(j, pool: p, excluding: reservation?.node) {
                start(job: j, on: n); started = true; refreshBounds()
                continue
            }
            if let r = reservation, accepts(r.node), fits(j, r.node) {
                let ends = now + estimatedRunTime(j, on: r.node)
                if ends <= r.time {
                    start(job: j, on: r.node); started = true; refreshBounds()
                    continue
                }
                if spec.gpus <= r.spareGPUs && spec.cpus <= r.spareCPUs {
                    reservation!.spareGPUs -= spec.gpus
                    reservation!.spareCPUs -= spec.cpus
                    start(job: j, on: r.node); started = true; refreshBounds()
                    continue
                }
            }
            if reservation == nil { reservation = reserve(j, pool: p) }
            waiting.append(j)
        }
        if started || waiting.count != pools[p].queue.count { pools[p].queue = waiting }
    }

    /// The accepting node with the fewest free GPUs (then CPUs, then index) that fits the job.
    func bestFit(_ j: Int, pool p: Int, excluding: Int?) -> Int? {
        var best: Int?
        for n in pools[p].nodes where n != excluding && accepts(n) && fits(j, n) {
            if let b = best {
                if (nodes[n].freeGPUs, nodes[n].freeCPUs) < (nodes[b].freeGPUs, nodes[b].freeCPUs) { best = n }
            } else {
                best = n
            }
        }
        return best
    }

    /// Seconds a job would take on a node at the node's cap.
    func estimatedRunTime(_ j: Int, on n: Int) -> Double {
        let s = speed(j, pools[nodes[n].pool], cap: nodes[n].cap)
        return s > 0 ? jobs[j].remaining / s : .infinity
    }

    /// The node where the job can start soonest as running jobs end, when it is, and what is
    /// left over beside it then; nil when no accepting node is big enough.
    func reserve(_ j: Int, pool p: Int) -> (node: Int, time: Double, spareGPUs: Int, spareCPUs: Int)? {
        let spec = jobs[j].spec
        var best: (node: Int, time: Double, spareGPUs: Int, spareCPUs: Int)?
        for n in pools[p].nodes where accepts(n) && pools[p].gpus >= spec.gpus && pools[p].cpus >= spec.cpus {
            var gpus = nodes[n].freeGPUs, cpus = nodes[n].freeCPUs
            var time = now
            if gpus < spec.gpus || cpus < spec.cpus {
                let ends = nodes[n].running.map { (now + estimatedRunTime($0, on: n), $0) }.sorted { $0 < $1 }
                for (t, r) in ends {
                    gpus += jobs[r].spec.gpus
                    cpus += jobs[r].spec.cpus
                    time = t
                    if gpus >= spec.gpus && cpus >= spec.cpus { break }
                }
            }
            guard gpus >= spec.gpus && cpus >= spec.cpus else { continue }
            if best == nil || time < best!.time {
                best = (n, time, gpus - spec.gpus, cpus - spec.cpus)
            }
        }
        return best
    }
}
