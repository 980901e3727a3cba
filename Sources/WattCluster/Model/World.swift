/// A snapshot of everything a policy may read at one tick: the site, the grid, the pools,
/// the nodes and the jobs. Plain values in SI units (W, J, s, g/J, currency/J, °C; see
/// `SI` in WattEnergy); instants are seconds since 1970-01-01 UTC. A `Scheduler` produces
/// one per tick (`Scheduler.snapshot()`); nothing in it changes after it is taken.
public struct World: Sendable, Equatable {
    /// The instant of the snapshot, s since 1970-01-01 UTC.
    public var now: Double
    public var site: Site
    public var grid: Grid
    /// Every pool, in the order of the cluster definition.
    public var pools: [Pool]
    /// Every node, pool by pool, in the order of the cluster definition.
    public var nodes: [Node]
    /// Every job submitted so far that is not done, then the jobs that finished recently
    /// (the simulator keeps done jobs for `doneRetention` seconds), in submission order.
    public var jobs: [Job]

    public init(now: Double, site: Site, grid: Grid, pools: [Pool], nodes: [Node], jobs: [Job]) {
        self.now = now
        self.site = site
        self.grid = grid
        self.pools = pools
        self.nodes = nodes
        self.jobs = jobs
    }

    /// How many nodes got their power from each source, in order of first appearance
    /// (`rapl:1,model:3`); nil when no node says (the simulator).
    public var powerSources: String? {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for node in nodes {
            guard let source = node.powerSource else { continue }
            if counts[source] == nil { order.append(source) }
            counts[source, default: 0] += 1
        }
        return order.isEmpty ? nil : order.map { "\($0):\(counts[$0]!)" }.joined(separator: ",")
    }

    /// The data center as a whole.
    public struct Site: Sendable, Equatable {
        /// IT power now: the sum of the nodes' power, W.
        public var itPower: Double
        /// Facility power now: IT power × PUE, W.
        public var facilityPower: Double
        /// The site's power limit (contracted or electrical), W. Compare it with `facilityPower`.
        public var powerCap: Double
        /// Power usage effectiveness now (facility / IT), ≥ 1.
        public var pue: Double
        /// Outdoor temperature, °C; nil when unknown (no model or a gap in its series).
        public var outdoorTemperature: Double?
        /// IT energy since the start of the run, J.
        public var itEnergy: Double
        /// IT energy since 00:00 UTC of the current day, J.
        public var itEnergyToday: Double

        public init(itPower: Double, facilityPower: Double, powerCap: Double, pue: Double,
                    outdoorTemperature: Double?, itEnergy: Double, itEnergyToday: Double) {
            self.itPower = itPower
            self.facilityPower = facilityPower
            self.powerCap = powerCap
            self.pue = pue
            self.outdoorTemperature = outdoorTemperature
            self.itEnergy = itEnergy
            self.itEnergyToday = itEnergyToday
        }
    }

    /// The electricity grid the site draws from.
    public struct Grid: Sendable, Equatable {
        /// Average (location-based) carbon intensity now, g/J (400 g/kWh = 400 / 3.6e6 g/J);
        /// nil when the series has no value now (outside the file's time span).
        public var carbonIntensity: Double?
        /// Energy price now, currency/J (0.2 EUR/kWh = 0.2 / 3.6e6); nil when unknown.
        public var price: Double?
        /// The grid region, as the cluster file names it (e.g. `DE`).
        public var region: String
        /// The currency of `price` (e.g. `EUR`).
        public var currency: String

        public init(carbonIntensity: Double?, price: Double?, region: String, currency: String) {
            self.carbonIntensity = carbonIntensity
            self.price = price
            self.region = region
            self.currency = currency
        }
    }

    /// A set of identical nodes.
    public struct Pool: Sendable, Equatable {
        /// The pool's name, e.g. `default`.
        public var name: String
        /// The hardware node profile of its nodes (a `HardwareCatalog` node name).
        public var nodeProfile: String
        /// Number of nodes in the pool, whatever their state.
        public var nodeCount: Int
        /// Sum of the power of its nodes now, W (including nodes without telemetry).
        public var power: Double
        /// GPUs in the pool (every node, whatever its state).
        public var gpus: Int
        /// GPUs not allocated to a job on nodes that can take jobs now (on or idle).
        public var gpusFree: Int

        public init(name: String, nodeProfile: String, nodeCount: Int, power: Double, gpus: Int, gpusFree: Int) {
            self.name = name
            self.nodeProfile = nodeProfile
            self.nodeCount = nodeCount
            self.power = power
            self.gpus = gpus
            self.gpusFree = gpusFree
        }
    }

    /// One server.
    public struct Node: Sendable, Equatable {
        /// Unique id, e.g. `default-001`.
        public var id: String
        /// The pool it belongs to.
        public var pool: String
        /// Its hardware node profile name.
        public var profile: String
        public var state: NodeState
        /// Measured power now, W; nil on a telemetry gap.
        public var power: Double?
        /// Where `power` came from when the scheduler says (`rapl`, `nvidia-smi`, `prometheus`,
        /// `model` for an estimate from utilization and the hardware profile); nil otherwise
        /// (the simulator).
        public var powerSource: String?
        /// The power cap of each of its GPUs, W; nil when uncapped.
        public var powerCap: Double?
        /// Mean GPU utilization over all its GPUs, 0…1 (CPU utilization for a node without GPUs).
        public var utilization: Double
        /// Temperature (hottest GPU, or the board for a CPU node), °C.
        public var temperature: Double
        /// Ids of the jobs running on it.
        public var jobs: [String]
        /// GPUs it has.
        public var gpus: Int
        /// GPUs not allocated to a job (0 unless it can take jobs: on or idle).
        public var gpusFree: Int
        /// CPU cores it has.
        public var cpus: Int
        /// CPU cores not allocated to a job (0 unless it can take jobs: on or idle).
        public var cpusFree: Int
        /// What Watt set on it, by which rule and pack, since when (`ActionOwnership` in the
        /// binding fills these from the actions it applied; nil when Watt did not set the
        /// state, or a scheduler reports the node).
        public var capRule: String?
        public var capPack: String?
        public var cappedSince: Double?
        public var suspendRule: String?
        public var suspendPack: String?
        public var suspendedSince: Double?
        /// When a Watt rule last lifted its cap, or woke it (nil if none has, or it is capped
        /// again): so a rule can leave alone a node another rule just changed back.
        public var uncappedAt: Double?
        public var wokenAt: Double?

        public init(id: String, pool: String, profile: String, state: NodeState, power: Double?, powerCap: Double?,
                    utilization: Double, temperature: Double, jobs: [String], gpus: Int, gpusFree: Int,
                    cpus: Int, cpusFree: Int, powerSource: String? = nil) {
            self.id = id
            self.pool = pool
            self.profile = profile
            self.state = state
            self.power = power
            self.powerCap = powerCap
            self.utilization = utilization
            self.temperature = temperature
            self.jobs = jobs
            self.gpus = gpus
            self.gpusFree = gpusFree
            self.cpus = cpus
            self.cpusFree = cpusFree
            self.powerSource = powerSource
        }
    }

    /// One job.
    public struct Job: Sendable, Equatable {
        /// Unique id, e.g. `j000123`.
        public var id: String
        /// The user who submitted it.
        public var user: String
        /// The pool it runs or will run in.
        public var pool: String
        /// The node it runs on, or the node it is pinned to while it waits; nil otherwise.
        public var node: String?
        public var state: JobState
        /// GPUs it uses (0 for a CPU job).
        public var gpus: Int
        /// CPU cores it uses.
        public var cpus: Int
        /// Larger runs first.
        public var priority: Int
        /// Whether it may be time-shifted (deferred) and moved: batch training, not
        /// interactive or inference work.
        public var flexible: Bool
        /// Whether it may be checkpointed and requeued.
        public var preemptible: Bool
        /// When it was submitted, s since epoch.
        public var submitted: Double
        /// When it started running for the first time, s since epoch; nil if it never ran.
        public var started: Double?
        /// When it finished, s since epoch; nil unless done.
        public var finished: Double?
        /// When it must be done by, s since epoch; nil without a deadline.
        public var deadline: Double?
        /// Estimated time to finish, s: running, at its current speed; otherwise at the
        /// speed of an uncapped GPU of its pool, or the pool's default cap (0 when done).
        public var remainingTime: Double
        /// Estimated energy to finish, J: `remainingTime` × the job's power (its GPUs plus
        /// its share of the rest of the node; docs/cluster.md).
        public var remainingEnergy: Double
        /// How long it has run so far, s, over all its runs (a checkpointed job keeps its
        /// work); 0 if it never ran. With `remainingTime`, the job's length.
        public var runTime: Double
        /// Extra run time one checkpoint and resume cost it, s (0 when unknown).
        public var checkpointOverhead: Double
        /// Which rule and pack Watt held it back by (`defer`, `preempt until`, `shift`), since
        /// when (filled by the binding, as for nodes; nil otherwise).
        public var holdRule: String?
        public var holdPack: String?
        public var heldSince: Double?

        public init(id: String, user: String, pool: String, node: String?, state: JobState, gpus: Int, cpus: Int,
                    priority: Int, flexible: Bool, preemptible: Bool, submitted: Double, started: Double?,
                    finished: Double? = nil, deadline: Double?, remainingTime: Double, remainingEnergy: Double,
                    runTime: Double = 0, checkpointOverhead: Double = 0) {
            self.id = id
            self.user = user
            self.pool = pool
            self.node = node
            self.state = state
            self.gpus = gpus
            self.cpus = cpus
            self.priority = priority
            self.flexible = flexible
            self.preemptible = preemptible
            self.submitted = submitted
            self.started = started
            self.finished = finished
            self.deadline = deadline
            self.remainingTime = remainingTime
            self.remainingEnergy = remainingEnergy
            self.runTime = runTime
            self.checkpointOverhead = checkpointOverhead
        }
    }
}

/// What a node is doing.
public enum NodeState: String, Sendable, Equatable, CaseIterable {
    /// Powered on and running at least one job.
    case on
    /// Powered on with no job.
    case idle
    /// Suspended (or suspending): draws its standby power and runs nothing.
    case suspended
    /// Resuming from suspend: draws idle power and runs nothing until it is up.
    case waking
    /// Takes no new jobs and is finishing the ones it has (`drain`; Slurm's DRAIN and DOWN);
    /// `resume` returns it to service.
    case draining
}

/// Where a job is in its life.
public enum JobState: String, Sendable, Equatable, CaseIterable {
    /// Waiting in its pool's queue.
    case queued
    /// Running on a node.
    case running
    /// Held back by a policy until a time (`defer`), then queued again.
    case deferred
    /// Held by an operator; only the operator releases it.
    case held
    /// Finished.
    case done
}
