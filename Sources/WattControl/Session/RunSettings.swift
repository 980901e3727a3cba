import Foundation
import WattCluster
import WattLanguage
import WattSupport

/// Everything that defines a run, as the user asked for it: which scheduler, cluster,
/// trace, grid series, window and clock, which policies, dry run or not, the guardrails,
/// and how much of the past the models see. One value, built once from the command line
/// (`watt run`, `eval`, `repl`) or a test's settings (`watt test`), handed to the one
/// session builder (`Session`), and stored in the journal (as `RunIdentity`, resolved) so
/// that `--resume` can refuse a run that is not the same run.
public struct RunSettings: Codable, Sendable, Equatable {
    public enum SchedulerKind: String, Codable, Sendable {
        /// The built-in deterministic simulator, with a baseline beside it.
        case simulator
        /// A live Slurm cluster (real time, no baseline).
        case slurm
    }

    public var scheduler: SchedulerKind = .simulator
    /// The cluster file; nil for the built-in demo cluster.
    public var cluster: String?
    /// A job trace CSV instead of the cluster file's.
    public var trace: String?
    /// A carbon-intensity CSV (g/kWh) instead of the cluster file's grid series.
    public var grid: String?
    /// The start instant, s since epoch (default: the cluster file's `start`); the trace's
    /// submission times are relative to it.
    public var from: Double?
    /// The end instant (default: the start plus `days`).
    public var to: Double?
    public var days: Double = 7
    /// The control tick, s (default: the cluster file's `tick_s`).
    public var tick: Double?
    /// Policy files and directories, as given.
    public var policies: [String] = []
    /// Shadow mode: evaluate and record, apply nothing.
    public var dryRun = false
    /// Carbon plans (`carbon_plan`, `shift`) read the grid series itself instead of the
    /// forecaster: a perfect forecast, the bound of what timing can save (simulated runs).
    /// Optional, so identities journalled before it read the same.
    public var oraclePlans: Bool?
    /// Guardrails instead of the cluster file's.
    public var guardrails: Guardrails?
    /// Days of the grid's past (carbon intensity, price) recorded as telemetry before the
    /// start, as a running site would have them: grid forecasts and `history(...)` are warm
    /// from the first tick. 0: start cold.
    public var gridHistoryDays: Double = 7
    /// Simulated time run before the session is used, without policies, so that forecasts of
    /// the site's own metrics have history (`watt eval`, `watt repl`). A run's window starts
    /// at its start; its report covers the window only.
    public var warmup: Double = 0
    /// Real-time mode: wall-clock seconds between ticks (nil: as fast as possible). Not part
    /// of what the run is: a run can be resumed at another pace.
    public var interval: Double?
    /// Live runs: stop after this many ticks (nil: until SIGINT/SIGTERM).
    public var ticks: Int?

    public init() {}

    /// What `watt eval` and `watt repl` warm up by default: a day, so forecasts have a
    /// daily cycle of the site's own power to learn from.
    public static let explorationWarmup = 86_400.0

    /// The name of the built-in cluster in messages and settings.
    public static let builtInClusterName = "demo"

    /// The longest tick: a day.
    public static let tickRange = ClusterLimits.tickSeconds
    /// The longest window a simulated run may cover: ten years.
    public static let maxWindowDays = 3_653.0
    /// At most a year of grid history and of warm-up.
    public static let maxHistoryDays = 366.0

    /// The settings' own bounds, each a usage error naming its flag.
    public func validate() throws(WattError) {
        guard days.isFinite, days > 0, days <= Self.maxWindowDays else {
            throw WattError(.usage, "--days must be a number of days above 0 and at most \(Int(Self.maxWindowDays)), found `\(days)`")
        }
        if let tick, !(Self.tickRange.contains(tick)) {
            throw WattError(.usage, "--tick must be between 1 s and 1 day, found `\(DurationText.short(tick))`")
        }
        guard gridHistoryDays.isFinite, gridHistoryDays >= 0, gridHistoryDays <= Self.maxHistoryDays else {
            throw WattError(.usage, "the grid history must be 0 to \(Int(Self.maxHistoryDays)) days, found `\(gridHistoryDays)`")
        }
        guard warmup.isFinite, warmup >= 0, warmup <= Self.maxHistoryDays * 86_400 else {
            throw WattError(.usage, "--warmup must be 0 to \(Int(Self.maxHistoryDays)) days, found `\(DurationText.short(warmup))`")
        }
        if let interval, !(interval.isFinite && interval > 0 && interval <= 86_400) {
            throw WattError(.usage, "--interval must be a positive duration of at most a day")
        }
        if let ticks, ticks < 1 { throw WattError(.usage, "--ticks must be at least 1, found `\(ticks)`") }
        if let from, let to, to <= from {
            throw WattError(.usage, "the run ends (\(TimeCalendar.format(to))) before it starts (\(TimeCalendar.format(from)))")
        }
    }
}
