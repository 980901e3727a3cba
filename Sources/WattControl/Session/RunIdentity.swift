import Foundation
import WattCluster
import WattLanguage
import WattSupport

/// What a run is, resolved from its settings and fingerprinted: the journal stores it with
/// the run, and `--resume` refuses to continue a run whose identity differs (a dry run
/// resumed as a real one, another cluster, trace, grid, window, tick, policies or Watt).
/// Fingerprints are SHA-256 of the inputs' content, so a file edited in place counts as a
/// different input, and a file moved but unchanged does not.
public struct RunIdentity: Codable, Sendable, Equatable {
    public var version: String
    public var scheduler: RunSettings.SchedulerKind
    /// The cluster file as given (`demo` for the built-in one, `live` for a live scheduler).
    public var cluster: String
    public var clusterSHA256: String?
    /// The trace read (the cluster file's or `--trace`).
    public var trace: String?
    public var traceSHA256: String?
    /// The grid's carbon intensity and price as the run sees them, sampled at every tick of
    /// the run and of its grid history (whatever file or tariff they come from).
    public var gridSHA256: String?
    /// The pools' hardware (node and device profiles, cap curves), wherever they come from.
    public var hardwareSHA256: String?
    public var start: Double
    public var end: Double?
    public var tick: Double
    public var gridHistoryDays: Double
    public var dryRun: Bool
    public var guardrails: Guardrails?
    /// Each policy file running, with the SHA-256 of its text (updated on reload).
    public var policies: [String: String]

    init(settings: RunSettings, cluster: ClusterDefinition, start: Double, end: Double, simulatedJobs: [JobSpec]) {
        version = WattVersion.current
        scheduler = .simulator
        self.cluster = settings.cluster ?? RunSettings.builtInClusterName
        clusterSHA256 = Self.fileFingerprint(settings.cluster ?? Session.builtInClusterPath())
        trace = settings.trace ?? cluster.tracePath
        traceSHA256 = trace.flatMap(Self.fileFingerprint)
        var samples: [UInt8] = []
        let tick = cluster.tick
        let history = settings.gridHistoryDays * 86_400
        var t = start - (history / tick).rounded(.down) * tick
        while t < end {
            for v in [cluster.grid.carbonIntensity.value(at: t), cluster.grid.price.value(at: t)] {
                withUnsafeBytes(of: (v ?? .nan).bitPattern.littleEndian) { samples.append(contentsOf: $0) }
            }
            t += tick
        }
        samples.append(contentsOf: Array(cluster.grid.currency.utf8))
        gridSHA256 = SHA256.hex(samples)
        hardwareSHA256 = SHA256.hex(Array(String(describing: cluster.pools).utf8))
        self.start = start
        self.end = end
        self.tick = tick
        gridHistoryDays = settings.gridHistoryDays
        dryRun = settings.dryRun
        guardrails = settings.guardrails ?? Guardrails(cluster.guardrails)
        policies = [:]
    }

    /// An identity for a run not built by `Session` (tools, tests of the journal).
    public init(cluster: String, start: Double, tick: Double, dryRun: Bool = false, policies: [String: String] = [:]) {
        version = WattVersion.current
        scheduler = .simulator
        self.cluster = cluster
        self.start = start
        self.tick = tick
        gridHistoryDays = 0
        self.dryRun = dryRun
        self.policies = policies
    }

    init(live settings: RunSettings, start: Double, tick: Double) {
        version = WattVersion.current
        scheduler = settings.scheduler
        cluster = "live"
        self.start = start
        self.tick = tick
        gridHistoryDays = 0
        dryRun = settings.dryRun
        guardrails = settings.guardrails
        policies = [:]
    }

    static func fileFingerprint(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { SHA256.hex($0) }
    }

    public static func fingerprints(_ files: [SourceFile]) -> [String: String] {
        Dictionary(files.map { ($0.name, SHA256.hex($0.bytes)) }, uniquingKeysWith: { a, _ in a })
    }

    /// How `other` (a new run's identity) differs from this one (the journaled run's), one
    /// line per setting, in the order a user would check them; empty when they are the same run.
    public func differences(_ other: RunIdentity) -> [String] {
        var out: [String] = []
        func short(_ s: String?) -> String { s.map { String($0.prefix(12)) } ?? "none" }
        func compare<T: Equatable>(_ name: String, _ a: T, _ b: T, _ show: (T) -> String) {
            if a != b { out.append("\(name): the run has \(show(a)), now \(show(b))") }
        }
        compare("dry run", dryRun, other.dryRun) { $0 ? "`--dry-run`" : "no `--dry-run`" }
        compare("scheduler", scheduler, other.scheduler) { "`\($0.rawValue)`" }
        compare("cluster", cluster, other.cluster) { "`\($0)`" }
        if cluster == other.cluster {
            compare("cluster file content", clusterSHA256, other.clusterSHA256) { "sha256 \(short($0))" }
        }
        compare("trace", trace, other.trace) { $0.map { "`\($0)`" } ?? "no trace" }
        if trace == other.trace { compare("trace content", traceSHA256, other.traceSHA256) { "sha256 \(short($0))" } }
        compare("grid series (carbon intensity and price over the run)", gridSHA256, other.gridSHA256) { "sha256 \(short($0))" }
        compare("hardware of the pools", hardwareSHA256, other.hardwareSHA256) { "sha256 \(short($0))" }
        compare("start", start, other.start) { TimeCalendar.format($0) }
        compare("end", end, other.end) { $0.map(TimeCalendar.format) ?? "none (live)" }
        compare("tick", tick, other.tick) { DurationText.short($0) }
        compare("grid history", gridHistoryDays, other.gridHistoryDays) { "\($0) days" }
        compare("guardrails", guardrails, other.guardrails) { g in
            g.map { "max capped share \($0.maxCappedGPUShare), min cap \($0.minCapWatts) W, \($0.maxJobsMovedPerHour) moves/h, never suspend \($0.neverSuspend.sorted())" } ?? "none"
        }
        for file in Set(policies.keys).union(other.policies.keys).sorted() {
            switch (policies[file], other.policies[file]) {
            case (nil, _?): out.append("policies: `\(file)` was not in the run")
            case (_?, nil): out.append("policies: `\(file)` of the run is not given now")
            case (let a?, let b?) where a != b: out.append("policies: `\(file)` changed (sha256 \(short(a)) → \(short(b)))")
            default: break
            }
        }
        compare("watt version", version, other.version) { "`\($0)`" }
        return out
    }
}
