import Foundation
import WattEnergy

/// Why a simulator cannot be built from a cluster and jobs.
public struct SimulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The embedded default `Scheduler`: a deterministic, time-stepped simulation of a GPU
/// cluster (docs/cluster.md describes the model and its assumptions).
///
/// ```swift
/// let cluster = try ClusterDefinition.load(path: "examples/clusters/demo.yaml")
/// let sim = try Simulator(cluster: cluster, jobs: try cluster.loadTrace())
/// while sim.now < cluster.start + 86_400 {
///     let world = sim.snapshot()
///     _ = sim.apply(policyActions(world))
///     sim.step()                                  // one tick (cluster.tick, 300 s by default)
/// }
/// print(sim.report())
/// ```
///
/// Each tick: queued jobs are placed (priority, then FIFO, with EASY backfill, one node per
/// job), running jobs progress at their GPUs' speed under the node's cap, node power comes
/// from the node power model, and energy, facility energy and the power trace are recorded.
/// Jobs submitted during a tick, deferred jobs whose time has come and nodes done waking are
/// taken in at the end of it, and placement runs again, so a snapshot always shows a settled
/// state. The same cluster, jobs and actions give the same results, bit for bit.
public final class Simulator: Scheduler {
    public let cluster: ClusterDefinition
    /// The simulated instant, s since epoch.
    public internal(set) var now: Double
    /// The tick, s.
    public var tick: Double { cluster.tick }

    // MARK: State

    /// A pool's models and queue (a class, so hot loops pass one reference, not a copy).
    final class PoolRecord {
        let definition: PoolDefinition
        let nodeModel: NodePowerModel
        let gpuModel: DevicePowerModel?
        /// Σ over the node's CPUs of (max − idle), W: CPU power grows by this × the allocated share.
        let cpuDynamicW: Double
        let gpus: Int
        let cpus: Int
        var nodes: [Int] = []
        /// Waiting jobs (queued), in scheduling order once sorted.
        var queue: [Int] = []
        var queueSorted = true
        let name: String
        /// The node profile's idle and full-load power, W.
        let idleW: Double
        let maxW: Double

        init(definition: PoolDefinition, nodeModel: NodePowerModel, gpuModel: DevicePowerModel?, cpuDynamicW: Double, gpus: Int, cpus: Int) {
            self.definition = definition
            self.nodeModel = nodeModel
            self.gpuModel = gpuModel
            self.cpuDynamicW = cpuDynamicW
            self.gpus = gpus
            self.cpus = cpus
            self.name = definition.name
            self.idleW = definition.node.idleW
            self.maxW = definition.node.maxW
        }
    }

    struct NodeRecord {
        let id: String
        let pool: Int
        var state: NodeState = .idle
        /// Per-GPU cap, W.
        var cap: Double?
        /// Indices of the jobs running on it, in the order they started.
        private(set) var running: [Int] = []
        /// Their ids, in the same order: kept with `running` (`start`, `detach`) so that a
        /// snapshot shares this array instead of building one per node every tick.
        private(set) var runningIDs: [String] = []

        mutating func add(job j: Int, id: String) {
            running.append(j)
            runningIDs.append(id)
        }

        mutating func remove(job j: Int) {
            while let k = running.firstIndex(of: j) {
                running.remove(at: k)
                runningIDs.remove(at: k)
            }
        }
        var freeGPUs: Int
        var freeCPUs: Int
        /// Waking until (state `.waking`).
        var wakeAt: Double = 0
        /// Suspending (at idle power) until (state `.suspended`).
        var suspendingUntil: Double = 0
        var temperature: Double = Simulator.idleTemperature
        var telemetryGap = false
    }

    struct JobRecord {
        let spec: JobSpec
        /// Absolute submission instant.
        let submitted: Double
        var state: JobState = .queued
        var pool: Int
        /// The pool it was submitted to (moves between pools are measured against it).
        let origin: Int
        /// The node a waiting job is pinned to.
        var pinned: Int?
        /// The node it runs on.
        var node: Int?
        /// Work left, s at full speed on a reference GPU.
        var remaining: Double
        var started: Double?
        var finished: Double?
        var deferredUntil: Double?
        /// When its current deferral began, and the time it has spent deferred before (its
        /// work runs that much later than it would have: `SavingsLedger.shifting`).
        var deferredSince: Double?
        var deferredTime = 0.0
        /// Energy attributed to it so far, J.
        var energy: Double = 0
        var preemptions = 0
        /// Time it has run, s, over all its runs.
        var runTime = 0.0
    }

    struct TickRecord: Sendable, Equatable {
        var time: Double
        var itPower: Double
        var facilityPower: Double
    }

    var pools: [PoolRecord] = []
    var nodes: [NodeRecord] = []
    var jobs: [JobRecord] = []
    var poolIndex: [String: Int] = [:]
    var nodeIndex: [String: Int] = [:]
    var jobIndex: [String: Int] = [:]
    /// Jobs not yet submitted, in submission order, and the next one.
    let pending: [JobSpec]
    var nextPending = 0
    /// Submission offsets of the trace's jobs by id (for messages about jobs not submitted yet).
    var pendingSubmit: [String: Double] = [:]
    /// Submitted jobs that are not done, in submission order.
    var active: [Int] = []
    /// Done jobs in the order they finished.
    var doneOrder: [Int] = []
    var rng: SeededRandom

    // MARK: Accounting

    /// IT energy since the start, J (exact sum over ticks).
    public internal(set) var itEnergy = 0.0
    /// Facility energy (IT × PUE) since the start, J.
    public internal(set) var facilityEnergy = 0.0
    /// IT energy since 00:00 UTC of the current day, J.
    public internal(set) var itEnergyToday = 0.0
    var trace: [TickRecord] = []
    /// GPU-seconds allocated to running jobs since the start.
    var gpuSecondsAllocated = 0.0
    /// GPU work done since the start, GPU-seconds at full speed on the reference GPU.
    var gpuWork = 0.0
    /// What GPU caps did to the work done (`CapSavings`).
    var capSavings = CapSavings()
    /// What each mechanism saved, measured tick by tick (`SavingsLedger`).
    var ledger = SavingsLedger()
    /// The grid over each tick so far, by tick.
    var ratesByTick: [TickRates] = []
    /// Alerts raised by actions, oldest first.
    public internal(set) var alerts: [AlertRecord] = []

    static let idleTemperature = 35.0
    static let fullLoadTemperature = 80.0
    static let suspendedTemperature = 25.0
    static let thermalTimeConstant = 600.0

    /// Builds the cluster's nodes (all idle, at their pool's initial cap) and queues the
    /// jobs for submission at `cluster.start + job.submit`.
    public init(cluster: ClusterDefinition, jobs specs: [JobSpec] = []) throws(SimulatorError) {
        guard cluster.tick > 0, cluster.tick.isFinite else { throw SimulatorError("the tick must be > 0 s, found \(cluster.tick)") }
        guard !cluster.pools.isEmpty else { throw SimulatorError("the cluster has no pools") }
        self.cluster = cluster
        self.now = cluster.start
        self.rng = SeededRandom(seed: cluster.seed, stream: 7)
        for def in cluster.pools {
            guard poolIndex[def.name] == nil else { throw SimulatorError("duplicate pool `\(def.name)`") }
            guard def.count >= 1 else { throw SimulatorError("pool `\(def.name)` has no nodes") }
            let gpu = def.gpu
            let cpuDynamic = def.node.devices.filter { $0.device.kind == .cpu }
                .reduce(0.0) { $0 + Double($1.count) * ($1.device.maxW - $1.device.idleW) }
            let p = PoolRecord(definition: def, nodeModel: NodePowerModel(profile: def.node),
                              gpuModel: gpu.map { DevicePowerModel(profile: $0) }, cpuDynamicW: cpuDynamic,
                              gpus: def.gpusPerNode, cpus: def.cpusPerNode)
            poolIndex[def.name] = pools.count
            pools.append(p)
        }
        guard poolIndex[cluster.defaultPool] != nil else {
            throw SimulatorError(ClusterNames.unknown("default pool", cluster.defaultPool, among: cluster.pools.map(\.name)))
        }
        for (pi, def) in cluster.pools.enumerated() {
            let width = max(3, String(def.count).count)
            for k in 1...def.count {
                let id = "\(def.name)-\(String(k).leftPadded(width))"
                guard nodeIndex[id] == nil else { throw SimulatorError("duplicate node id `\(id)`") }
                nodeIndex[id] = nodes.count
                pools[pi].nodes.append(nodes.count)
                nodes.append(NodeRecord(id: id, pool: pi, cap: def.gpuCap, freeGPUs: def.gpusPerNode, freeCPUs: def.cpusPerNode))
            }
        }
        // Validate the jobs: unique ids, known pools, each fits on one node of its pool.
        for spec in specs {
            guard pendingSubmit[spec.id] == nil else { throw SimulatorError("duplicate job id `\(spec.id)`") }
            pendingSubmit[spec.id] = spec.submit
            let poolName = spec.pool ?? cluster.defaultPool
            guard let pi = poolIndex[poolName] else {
                throw SimulatorError("job `\(spec.id)`: " + ClusterNames.unknown("pool", poolName, among: cluster.pools.map(\.name)))
            }
            if let message = Simulator.fitProblem(spec, pool: pools[pi]) { throw SimulatorError("job `\(spec.id)`: \(message)") }
            guard spec.submit.isFinite, spec.duration > 0, spec.duration.isFinite, spec.gpus >= 0, spec.cpus >= 0 else {
                throw SimulatorError("job `\(spec.id)`: submit, duration, gpus and cpus must be finite, duration > 0")
            }
        }
        // Stable order by submission time.
        pending = specs.enumerated().sorted { ($0.element.submit, $0.offset) < ($1.element.submit, $1.offset) }.map(\.element)
        admit()
        schedule()
    }

    /// Loads a cluster file and the trace it names (or `traceFile`, when given).
    public convenience init(clusterFile: String, traceFile: String? = nil, catalog: HardwareCatalog = .builtIn) throws {
        let cluster = try ClusterDefinition.load(path: clusterFile, catalog: catalog)
        let jobs = try traceFile.map { path throws(TraceError) in try JobTrace.load(path: path) } ?? cluster.loadTrace()
        try self.init(cluster: cluster, jobs: jobs)
    }

    /// Why a job can never run in a pool (nil when it can).
    static func fitProblem(_ spec: JobSpec, pool: PoolRecord) -> String? {
        if spec.gpus > pool.gpus {
            return "needs \(ClusterText.count(spec.gpus, "GPU")) but nodes of pool `\(pool.name)` have \(pool.gpus) (a job runs on one node)"
        }
        if spec.cpus > pool.cpus {
            return "needs \(ClusterText.count(spec.cpus, "CPU")) but nodes of pool `\(pool.name)` have \(pool.cpus) (a job runs on one node)"
        }
        return nil
    }

    // MARK: Time

    /// Whether jobs that arrive during a step are placed at its end (the default). The
    /// control loop turns this off: arrivals then stay queued until the next scheduling pass,
    /// so the snapshot in between shows them and policies can act on them, as in a real
    /// scheduler's cycle (at most one tick of extra wait, in the baseline too).
    public var placesArrivalsImmediately = true

    /// Advances one tick.
    public func step() {
        schedule()
        let t0 = now, dt = cluster.tick
        var energy = 0.0
        var finished: [Int] = []
        let rates = tickRates(from: t0, dt: dt)
        ratesByTick.append(rates)
        for n in nodes.indices { energy += integrate(node: n, from: t0, dt: dt, rates: rates, finished: &finished) }
        for j in finished { finish(job: j) }
        if !finished.isEmpty { active.removeAll { jobs[$0].state == .done } }
        let pue = rates.pue
        let itPower = energy / dt
        trace.append(TickRecord(time: t0, itPower: itPower, facilityPower: itPower * pue))
        itEnergy += energy
        facilityEnergy += energy * pue
        // Power is constant over the tick: split its energy at the last midnight inside it.
        let midnight = ((t0 + dt) / 86_400).rounded(.down) * 86_400
        if midnight > t0 {
            itEnergyToday = energy * (t0 + dt - midnight) / dt
        } else {
            itEnergyToday += energy
        }
        now = t0 + dt
        admit()
        releaseDeferred()
        for n in nodes.indices where nodes[n].state == .waking && nodes[n].wakeAt <= now { nodes[n].state = .idle }
        let p = cluster.nodes.telemetryGapProbability
        if p > 0 {
            for n in nodes.indices { nodes[n].telemetryGap = rng.uniform() < p }
        }
        if placesArrivalsImmediately { schedule() }
    }

    /// Advances by whole ticks covering `seconds` (at least one tick when seconds > 0).
    public func advance(by seconds: Double) {
        guard seconds > 0 else { return }
        let steps = Int((seconds / cluster.tick - 1e-9).rounded(.up))
        for _ in 0..<steps { step() }
    }

    /// Advances tick by tick until `now >= time`.
    public func run(until time: Double) {
        while now < time { step() }
    }

    // MARK: Power

    /// Idle power of a node of the pool at a GPU cap, W.
    func basePower(_ pool: PoolRecord, cap: Double?) -> Double {
        pool.nodeModel.power(gpuUtilization: 0, cpuUtilization: 0, gpuCapWatts: cap)
    }

    /// Power a job adds to its node above idle, W: its GPUs at its utilization under the cap,
    /// and its share of the CPUs' dynamic power.
    func addedPower(_ j: Int, _ pool: PoolRecord, cap: Double?) -> Double {
        let gpus = jobs[j].spec.gpus, cpus = jobs[j].spec.cpus
        var p = 0.0
        if let gpu = pool.gpuModel, gpus > 0 {
            p += Double(gpus) * (gpu.power(utilization: jobs[j].spec.utilization, capWatts: cap) - gpu.power(utilization: 0, capWatts: cap))
        }
        if pool.cpus > 0 { p += Double(cpus) / Double(pool.cpus) * pool.cpuDynamicW }
        return p
    }

    /// The job's share of the node (GPUs, or cores for a CPU job).
    func share(_ j: Int, _ pool: PoolRecord) -> Double {
        let gpus = jobs[j].spec.gpus
        return gpus > 0 && pool.gpus > 0 ? Double(gpus) / Double(pool.gpus) : Double(jobs[j].spec.cpus) / Double(max(1, pool.cpus))
    }

    /// Work per second (reference full-speed seconds per second) of a job under a cap.
    func speed(_ j: Int, _ pool: PoolRecord, cap: Double?) -> Double {
        guard jobs[j].spec.gpus > 0, let gpu = pool.gpuModel else { return 1 }
        // The job's utilization sets its uncapped draw: a job whose peak draw is under the cap
        // runs at full speed (CapResponse).
        return pool.definition.speed * gpu.relativeThroughput(utilization: jobs[j].spec.utilization, capWatts: cap)
    }

    /// The node's power now, W.
    func power(node n: Int) -> Double {
        let node = nodes[n]
        let pool = pools[node.pool]
        switch node.state {
        case .suspended:
            return now < node.suspendingUntil ? basePower(pool, cap: node.cap) : cluster.nodes.suspendedPower
        case .waking:
            return basePower(pool, cap: node.cap)
        case .on, .idle, .draining:
            var p = basePower(pool, cap: node.cap)
            for j in node.running { p += addedPower(j, pool, cap: node.cap) }
            return p
        }
    }

    /// Energy of a node over [t0, t0 + dt), J; progresses its jobs and lists those that finish.
    func integrate(node n: Int, from t0: Double, dt: Double, rates: TickRates, finished: inout [Int]) -> Double {
        let p = nodes[n].pool
        let pool = pools[p]
        let cap = nodes[n].cap
        var energy: Double
        switch nodes[n].state {
        case .suspended:
            let base = basePower(pool, cap: cap)
            let transition = min(dt, max(0, nodes[n].suspendingUntil - t0))
            energy = base * transition + cluster.nodes.suspendedPower * (dt - transition)
            accountSuspension(idleEnergy: base * dt, drawn: energy, suspendedFor: dt - transition, rates)
            relax(node: n, toward: Simulator.suspendedTemperature, dt: dt)
            return energy
        case .waking:
            energy = basePower(pool, cap: cap) * dt
        case .on, .idle, .draining:
            let base = basePower(pool, cap: cap)
            energy = base * dt
            for j in nodes[n].running {
                let s = speed(j, pool, cap: cap)
                let added = addedPower(j, pool, cap: cap)
                var runTime = dt
                if s * dt >= jobs[j].remaining {
                    runTime = s > 0 ? jobs[j].remaining / s : dt
                    jobs[j].remaining = 0
                    jobs[j].finished = t0 + runTime
                    finished.append(j)
                } else {
                    jobs[j].remaining -= s * dt
                }
                energy += added * runTime
                jobs[j].runTime += runTime
                gpuSecondsAllocated += Double(jobs[j].spec.gpus) * runTime
                if jobs[j].spec.gpus > 0, let gpu = pool.gpuModel {
                    gpuWork += Double(jobs[j].spec.gpus) * s * runTime
                    if cap != nil { accountCap(j, gpu, cap: cap, runTime: runTime) }
                }
                jobs[j].energy += (added + share(j, pool) * base) * runTime
                accountSavings(j, pool, poolIndex: p, cap: cap, speed: s, added: added, runTime: runTime, at: t0, rates)
            }
        }
        let idle = pool.idleW, full = pool.maxW
        let fraction = full > idle ? max(0, min(1, (energy / dt - idle) / (full - idle))) : 0
        relax(node: n, toward: Simulator.idleTemperature + (Simulator.fullLoadTemperature - Simulator.idleTemperature) * fraction, dt: dt)
        return energy
    }

    /// Adds a capped job's GPUs over `runTime` to `capSavings`: the GPU energy its work would
    /// have taken uncapped (it runs `relative throughput` as long) minus what it took.
    func accountCap(_ j: Int, _ gpu: DevicePowerModel, cap: Double?, runTime: Double) {
        let u = jobs[j].spec.utilization
        let draw = gpu.uncappedPower(utilization: u)
        let relative = gpu.relativeThroughput(utilization: u, capWatts: cap)
        let uncappedEnergy = Double(jobs[j].spec.gpus) * draw * relative * runTime
        let saved = uncappedEnergy - Double(jobs[j].spec.gpus) * gpu.power(utilization: u, capWatts: cap) * runTime
        let band = uncappedEnergy * gpu.response.energyBandHalfWidth(capW: gpu.effectiveCap(cap), drawW: draw, maxW: gpu.maxWatts)
        capSavings.central += saved
        capSavings.low += saved - band
        capSavings.high += saved + band
    }

    func relax(node n: Int, toward target: Double, dt: Double) {
        nodes[n].temperature += (target - nodes[n].temperature) * (1 - exp(-dt / Simulator.thermalTimeConstant))
    }

    // MARK: Job life

    /// Takes in the jobs submitted up to now.
    func admit() {
        while nextPending < pending.count, cluster.start + pending[nextPending].submit <= now {
            let spec = pending[nextPending]
            nextPending += 1
            let j = jobs.count
            let pool = poolIndex[spec.pool ?? cluster.defaultPool]!
            jobs.append(JobRecord(spec: spec, submitted: cluster.start + spec.submit, pool: pool, origin: pool, remaining: spec.duration))
            jobIndex[spec.id] = j
            active.append(j)
            enqueue(j)
        }
    }

    func releaseDeferred() {
        for j in active where jobs[j].state == .deferred {
            if let until = jobs[j].deferredUntil, until <= now {
                endDeferral(j)
                jobs[j].state = .queued
                jobs[j].deferredUntil = nil
                enqueue(j)
            }
        }
    }

    func enqueue(_ j: Int) {
        let p = jobs[j].pool
        pools[p].queue.append(j)
        pools[p].queueSorted = false
    }

    func dequeue(_ j: Int, from p: Int) {
        if let k = pools[p].queue.firstIndex(of: j) { pools[p].queue.remove(at: k) }
    }

    func start(job j: Int, on n: Int) {
        jobs[j].state = .running
        jobs[j].node = n
        jobs[j].pinned = nil
        if jobs[j].started == nil { jobs[j].started = now }
        nodes[n].add(job: j, id: jobs[j].spec.id)
        nodes[n].freeGPUs -= jobs[j].spec.gpus
        nodes[n].freeCPUs -= jobs[j].spec.cpus
        nodes[n].state = .on
    }

    /// Takes a running job off its node.
    func detach(job j: Int) {
        guard let n = jobs[j].node else { return }
        nodes[n].remove(job: j)
        nodes[n].freeGPUs += jobs[j].spec.gpus
        nodes[n].freeCPUs += jobs[j].spec.cpus
        if nodes[n].running.isEmpty && nodes[n].state == .on { nodes[n].state = .idle }
        jobs[j].node = nil
    }

    func finish(job j: Int) {
        detach(job: j)
        jobs[j].state = .done
        doneOrder.append(j)
    }

    /// Checkpoints a running job and queues it again (in `pool`, pinned to `pin` when given).
    func requeue(job j: Int, pool: Int, pin: Int?) {
        detach(job: j)
        jobs[j].remaining += cluster.jobs.checkpointOverhead
        jobs[j].preemptions += 1
        jobs[j].state = .queued
        jobs[j].pool = pool
        jobs[j].pinned = pin
        enqueue(j)
    }

    // MARK: Records

    /// Every submitted job as the world shows it (done ones included), in submission order.
    public func allJobs() -> [World.Job] {
        jobs.indices.map { worldJob($0) }
    }

    /// Finished jobs: when each was submitted and finished, and how long it runs uncapped
    /// (its trace duration), s — for slowdown.
    public func finishedJobTimes() -> [(submitted: Double, finished: Double, duration: Double)] {
        jobs.compactMap { job in job.finished.map { (job.submitted, $0, job.spec.duration) } }
    }

    /// Jobs of the trace not submitted yet.
    public var pendingJobCount: Int { pending.count - nextPending }

    /// The power trace: one sample per tick at its start, with the tick's mean IT and facility
    /// power, W. Power is constant over a tick in this model, so the trace is a step function:
    /// integrate it with `maxGap: 0, policy: .holdLast` (see `report()`).
    public var powerTrace: [(time: Double, itPower: Double, facilityPower: Double)] {
        trace.map { ($0.time, $0.itPower, $0.facilityPower) }
    }

    /// The IT power trace as samples, closed by a sample at `now`.
    public func itPowerSamples() -> [PowerSample] {
        samples(\.itPower)
    }

    /// The facility power trace as samples, closed by a sample at `now`.
    public func facilityPowerSamples() -> [PowerSample] {
        samples(\.facilityPower)
    }

    private func samples(_ key: KeyPath<TickRecord, Double>) -> [PowerSample] {
        var s = trace.map { PowerSample(time: $0.time, watts: $0[keyPath: key]) }
        if let last = trace.last { s.append(PowerSample(time: now, watts: last[keyPath: key])) }
        return s
    }
}

/// An alert an action raised.
public struct AlertRecord: Sendable, Equatable {
    public var time: Double
    public var severity: String
    public var message: String
    public var rule: String?
    public var reason: String
}
