import WattSupport
import Foundation
import WattEnergy

/// A cluster to simulate: pools of catalog nodes, the site (power cap, PUE, outdoor
/// temperature), the grid (carbon intensity, price), the clock (start, tick, seed) and how
/// nodes and jobs behave. Usually read from a YAML file (`ClusterDefinition.load(path:)`,
/// format in docs/cluster.md); tests build small ones in code.
public struct ClusterDefinition: Sendable {
    /// A name for reports, e.g. `demo`.
    public var name: String
    /// The simulated instant the run starts at, s since epoch (e.g. 2020-06-01T00:00:00Z, so
    /// that the 2020 grid series apply).
    public var start: Double
    /// The control tick, s (default 300).
    public var tick: Double
    /// Seeds every pseudo-random choice of the simulator (telemetry gaps).
    public var seed: UInt64
    /// The site's power limit, W.
    public var powerCap: Double
    public var pue: PUEModel
    public var outdoorTemperature: OutdoorTemperatureModel
    public var grid: GridDefinition
    /// At least one pool; names are unique.
    public var pools: [PoolDefinition]
    /// Where jobs without a pool go (default: the first pool).
    public var defaultPool: String
    public var nodes: NodeBehavior
    public var jobs: JobBehavior
    /// The job trace named by the file (`jobs.trace`), resolved against the file's folder.
    public var tracePath: String?
    /// Limits the control loop keeps whatever the policies say (the file's `guardrails`).
    public var guardrails = GuardrailSettings()
    /// Forecast settings per telemetry path that replace the defaults (the file's `forecast`).
    public var forecast: [String: ForecastSettings] = [:]
    /// The hardware catalog the pools' profiles come from (the built-in one plus the file's
    /// `profiles`).
    public var catalog: HardwareCatalog

    public init(name: String = "cluster", start: Double, tick: Double = 300, seed: UInt64 = 0, powerCap: Double,
                pue: PUEModel = .constant(1.3), outdoorTemperature: OutdoorTemperatureModel = .none,
                grid: GridDefinition = GridDefinition(), pools: [PoolDefinition], defaultPool: String? = nil,
                nodes: NodeBehavior = NodeBehavior(), jobs: JobBehavior = JobBehavior(), tracePath: String? = nil,
                catalog: HardwareCatalog = .builtIn) {
        self.name = name
        self.start = start
        self.tick = tick
        self.seed = seed
        self.powerCap = powerCap
        self.pue = pue
        self.outdoorTemperature = outdoorTemperature
        self.grid = grid
        self.pools = pools
        self.defaultPool = defaultPool ?? pools.first?.name ?? ""
        self.nodes = nodes
        self.jobs = jobs
        self.tracePath = tracePath
        self.catalog = catalog
    }

    /// GPUs in the whole cluster.
    public var gpuCount: Int { pools.reduce(0) { $0 + $1.count * $1.gpusPerNode } }
}

/// A set of identical nodes.
public struct PoolDefinition: Sendable {
    public var name: String
    public var node: NodeProfile
    public var count: Int
    /// The cap every GPU starts with, W; nil = uncapped.
    public var gpuCap: Double?
    /// CPU cores per node for job placement (default: 16 per GPU, or 64 per CPU socket on a
    /// node without GPUs; profiles count sockets, not cores).
    public var cpusPerNode: Int
    /// How fast a job runs here relative to an uncapped reference GPU (default: the ratio of
    /// the GPUs' peak throughput, `peakFLOPS`).
    public var speed: Double

    public init(name: String, node: NodeProfile, count: Int, gpuCap: Double? = nil, cpusPerNode: Int? = nil, speed: Double = 1) {
        self.name = name
        self.node = node
        self.count = count
        self.gpuCap = gpuCap
        self.cpusPerNode = cpusPerNode ?? PoolDefinition.defaultCPUs(node)
        self.speed = speed
    }

    public var gpusPerNode: Int { node.count(of: .gpu) }

    /// The node's GPU model (the first GPU component), nil for a CPU node.
    public var gpu: DeviceProfile? { node.devices.first { $0.device.kind == .gpu }?.device }

    public static func defaultCPUs(_ node: NodeProfile) -> Int {
        let gpus = node.count(of: .gpu)
        return gpus > 0 ? 16 * gpus : 64 * max(1, node.count(of: .cpu))
    }
}

/// Outdoor temperature over time, °C (it drives a temperature-dependent PUE).
public enum OutdoorTemperatureModel: Sendable, Equatable {
    /// Unknown: PUE models use their base value.
    case none
    /// `mean + daily × cos(2π (hour − peakHour) / 24) + annual × cos(2π (day − 196) / 365.25)`,
    /// hours and days in UTC; the annual term peaks in mid-July (day 196).
    case diurnal(mean: Double, dailyAmplitude: Double, annualAmplitude: Double, peakHour: Double)
    /// Measured or prepared values (each holds until the next one).
    case series(StepSeries)

    public func value(at t: Double) -> Double? {
        switch self {
        case .none: return nil
        case .diurnal(let mean, let daily, let annual, let peak):
            let hour = (t.truncatingRemainder(dividingBy: 86_400) + 86_400).truncatingRemainder(dividingBy: 86_400) / 3600
            let day = ClusterCalendar.dayOfYear(t)
            return mean + daily * cos(2 * Double.pi * (hour - peak) / 24) + annual * cos(2 * Double.pi * (day - 196) / 365.25)
        case .series(let s): return s.value(at: t)
        }
    }
}

/// The grid's carbon intensity and price.
public struct GridDefinition: Sendable, Equatable {
    /// Grid region code, e.g. `DE`.
    public var region: String
    public var carbonIntensity: RateModel
    public var price: RateModel
    /// The currency of `price`, e.g. `EUR`.
    public var currency: String

    public init(region: String = "unknown", carbonIntensity: RateModel = .constant(SI.gramsPerKWh(300)),
                price: RateModel = .constant(SI.perKWh(0.15)), currency: String = "EUR") {
        self.region = region
        self.carbonIntensity = carbonIntensity
        self.price = price
        self.currency = currency
    }
}

/// A rate over time in SI units (g/J for carbon intensity, currency/J for price).
public enum RateModel: Sendable, Equatable {
    case constant(Double)
    /// A daily schedule in UTC: each `(secondOfDay, rate)` holds from its second of the day
    /// until the next; the last one wraps to the first of the next day. Sorted, first ≥ 0.
    case timeOfUse([TimeOfUseStep])
    /// A series (e.g. the 2020 grid files); nil outside it.
    case series(StepSeries)

    public func value(at t: Double) -> Double? {
        switch self {
        case .constant(let v): return v
        case .timeOfUse(let steps):
            guard !steps.isEmpty else { return nil }
            let second = (t.truncatingRemainder(dividingBy: 86_400) + 86_400).truncatingRemainder(dividingBy: 86_400)
            var value = steps[steps.count - 1].rate
            for s in steps where s.secondOfDay <= second { value = s.rate }
            return value
        case .series(let s): return s.value(at: t)
        }
    }

    /// The model as a step series covering [from, to] (for `Accounting`).
    public func stepSeries(from: Double, to: Double) -> StepSeries {
        switch self {
        case .constant(let v): return .constant(v)
        case .series(let s):
            // Only the steps that cover [from, to]: accounting splits each sample interval
            // at the series' steps, so a year-long series would cost a scan per interval.
            func index(_ t: Double) -> Int { s.index(at: t) ?? (t < s.start ? 0 : s.times.count - 1) }
            let lo = index(from), hi = max(lo, index(to))
            if lo == 0 && hi == s.times.count - 1 { return s }
            let end = hi + 1 < s.times.count ? s.times[hi + 1] : s.end
            return try! StepSeries(times: Array(s.times[lo...hi]), values: Array(s.values[lo...hi]), lastDuration: end - s.times[hi],
                                   allowsNegative: true)
        case .timeOfUse(let steps):
            guard !steps.isEmpty else { return .constant(0) }
            let firstDay = (from / 86_400).rounded(.down) * 86_400
            var times: [Double] = [], values: [Double] = []
            var day = firstDay
            // Before the first step of each day the previous day's last rate holds.
            if steps[0].secondOfDay > 0 { times.append(day); values.append(steps[steps.count - 1].rate) }
            while day <= to {
                for s in steps {
                    let t = day + s.secondOfDay
                    if let last = times.last, t <= last { continue }
                    times.append(t); values.append(s.rate)
                }
                day += 86_400
            }
            var series = try! StepSeries(times: times, values: values)
            series.lastDuration = .infinity
            return series
        }
    }
}

public struct TimeOfUseStep: Sendable, Equatable {
    /// Seconds after 00:00 UTC the rate starts at.
    public var secondOfDay: Double
    public var rate: Double
    public init(secondOfDay: Double, rate: Double) {
        self.secondOfDay = secondOfDay
        self.rate = rate
    }
}

/// The site's guardrails as configured (`guardrails:` in the cluster file); the control loop
/// enforces them after arbitration.
public struct GuardrailSettings: Sendable, Equatable {
    /// At most this share of the site's GPUs capped at once (0…1).
    public var maxCappedGPUShare: Double = 0.5
    /// No GPU capped below this power, W.
    public var minCapWatts: Double = 0
    /// At most this many jobs moved in any hour.
    public var maxJobsMovedPerHour: Int = 500
    /// Node ids that are never suspended.
    public var neverSuspend: [String] = []
    public init() {}
}

/// How nodes suspend, wake and report.
public struct NodeBehavior: Sendable, Equatable {
    /// Power of a suspended node (BMC and standby supplies), W.
    public var suspendedPower: Double
    /// How long suspending takes, s, at idle power.
    public var suspendSeconds: Double
    /// How long waking takes, s, at idle power; the node takes jobs at the first tick after.
    public var wakeSeconds: Double
    /// Chance that a node's power reading is missing at a tick (telemetry gap), 0…1.
    public var telemetryGapProbability: Double

    public init(suspendedPower: Double = 50, suspendSeconds: Double = 60, wakeSeconds: Double = 300,
                telemetryGapProbability: Double = 0) {
        self.suspendedPower = suspendedPower
        self.suspendSeconds = suspendSeconds
        self.wakeSeconds = wakeSeconds
        self.telemetryGapProbability = telemetryGapProbability
    }
}

/// How jobs are handled.
public struct JobBehavior: Sendable, Equatable {
    /// Work lost by a checkpoint and restart (preempt, move of a running job), s at full speed.
    public var checkpointOverhead: Double
    /// How long done jobs stay in `World.jobs`, s.
    public var doneRetention: Double

    public init(checkpointOverhead: Double = 60, doneRetention: Double = 3600) {
        self.checkpointOverhead = checkpointOverhead
        self.doneRetention = doneRetention
    }
}

/// Calendar arithmetic in UTC, without Foundation's calendars.
enum ClusterCalendar {
    /// Day of the year, 0-based with fraction (0 = Jan 1 00:00 UTC).
    static func dayOfYear(_ t: Double) -> Double {
        let days = (t / 86_400).rounded(.down)
        let (y, _, _) = ClusterText.civil(fromDays: Int64(days))
        let jan1 = Double(daysFromCivil(year: Int(y), month: 1, day: 1))
        return t / 86_400 - jan1
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int { CivilCalendar.daysFromCivil(year: year, month: month, day: day) }
}

extension ClusterDefinition {
    /// The grid as a snapshot at `time` shows it (its series' values then).
    public func grid(at time: Double) -> World.Grid {
        World.Grid(carbonIntensity: grid.carbonIntensity.value(at: time), price: grid.price.value(at: time),
                   region: grid.region, currency: grid.currency)
    }
}
