/// The bounds of every number a cluster file (or a series file it names) may hold, in one
/// place (docs/cluster.md lists them). Each is wide enough for any real site and refuses what
/// can only be a typo or an attack: a value outside is an error naming the file, the line,
/// the key and the range, before anything is allocated or simulated from it.
public enum ClusterLimits {
    /// The control tick, s: a second to a day (as `watt run --tick`). Below a second a run of
    /// a week is 600,000+ ticks of the whole cluster (`tick_s: 0.001` hung); above a day the
    /// run's window is a handful of ticks.
    public static let tickSeconds = 1.0...86_400.0
    /// Nodes of one pool, and of the whole cluster: the largest AI sites have tens of
    /// thousands of nodes. The simulator allocates per node (`nodes: 50000000` aborted on
    /// allocation).
    public static let nodesPerPool = 1...100_000
    public static let totalNodes = 100_000
    /// CPU cores per node.
    public static let cpusPerNode = 1...4_096
    /// The site's power limit, W: up to 10 GW (the largest campuses planned are a few GW).
    public static let powerCapWatts = 10e9
    /// Grid carbon intensity, g/kWh: the dirtiest generation (lignite, oil shale) is under
    /// 1,600 g/kWh over its life cycle (IPCC AR5 WG3 annex III).
    public static let gramsPerKWh = 0.0...2_000.0
    /// An energy price per kWh: wholesale prices have capped at a few (ERCOT's cap 5 USD/kWh).
    public static let pricePerKWh = 0.0...100.0
    /// Outdoor temperature, °C (the records are -89 and 57), and its amplitudes.
    public static let temperatureC = -90.0...60.0
    public static let temperatureAmplitudeC = 0.0...100.0
    /// How long a series value holds over missing rows, s: at most 30 days.
    public static let maxHoldSeconds = 30.0 * 86_400
    /// Short node and job durations (suspend, wake, checkpoint), s: at most a day.
    public static let shortSeconds = 0.0...86_400.0
    /// How long finished jobs stay listed, s: at most a year.
    public static let retentionSeconds = 0.0...(366.0 * 86_400)
    /// A suspended node's power, W; a per-GPU cap floor, W.
    public static let nodeWatts = 0.0...100_000.0
    /// A pool's speed relative to the reference GPU.
    public static let speed = 1000.0
    /// Jobs the guardrails let policies move per hour.
    public static let jobsMovedPerHour = 0...1_000_000

    // A job trace's numbers (`JobTrace`): wide enough for any real workload, so that a typo
    // or a hostile value (`duration: 1e308`) is refused at its line instead of simulated.
    /// When a job is submitted and its deadline, s from the trace's start: within ten years
    /// (as `watt run --days`, at most 3653).
    public static let traceSeconds = 0.0...(3_653.0 * 86_400)
    /// How long a job runs at full speed, s: at most a year.
    public static let jobDurationSeconds = 1e-3...(366.0 * 86_400)
    /// GPUs and CPU cores one job asks for: at most the largest cluster's (100,000 nodes of
    /// up to 16 GPUs and `cpusPerNode` cores).
    public static let jobGPUs = 0...1_600_000
    public static let jobCPUs = 1...409_600_000
    /// A job's scheduling priority.
    public static let jobPriority = -1_000_000_000...1_000_000_000
}
