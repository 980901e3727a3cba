import Foundation
import WattCluster
import WattSupport

/// A real Slurm cluster behind the `Scheduler` protocol: snapshots from `squeue --json` and
/// `sinfo --json` with node power from the telemetry chain (`PowerTelemetry`) and profiles from
/// the hardware catalog (`SlurmHardwareMap`), actions as `scontrol` commands (and a cap
/// command, when configured).
/// A command that fails becomes a rejected action carrying Slurm's own error; an idempotent
/// command that timed out or could not reach the controller is tried again once after a
/// short pause. The control loop keeps running either way.
public final class SlurmScheduler: Scheduler, @unchecked Sendable {
    public let runner: any CommandRunning
    public var site: SlurmSnapshot.Site
    public var cap: CapExecutor?
    public var hardware: SlurmHardwareMap
    public var telemetry: PowerTelemetry
    /// Where telemetry problems and hardware notes go (stderr); each is told once, and again
    /// only after it has gone away and come back.
    public var report: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("watt: \($0)\n".utf8)) }
    private var told: Set<String> = []
    /// Node states and drain reasons of the latest snapshot: `drain` and `resume` answer from them.
    private var nodeStates: [String: NodeState] = [:]
    private var drainReasons: [String: String] = [:]
    /// Seconds a command may take (`squeue --json` takes about 9 s to report a controller
    /// that is down).
    public var timeout: Double = 20
    /// Seconds all the commands of one tick may take together: the snapshot's and the
    /// actions'. A tick starts at `snapshot()`; a command that would start past the budget
    /// is skipped (its action rejected, saying so) and each command's timeout is cut to what
    /// is left, so a hung controller costs at most this much per tick.
    public var tickBudget: Double = 30
    /// Pause before the one retry, s.
    public var retryPause: Double = 1
    /// The clock (tests pin it).
    public var clock: () -> Double = { Date().timeIntervalSince1970 }
    /// A clock that only goes forward, for the tick's budget (tests drive it).
    public var monotonic: () -> Double = { ProcessInfo.processInfo.systemUptime }
    private var tickDeadline: Double?
    /// Commands skipped because the tick's budget was spent (all ticks).
    public private(set) var skippedCommands = 0

    /// One command run: what it was and how it ended, with its output's size rather than the
    /// output itself (a `squeue --json` can be megabytes, every tick).
    public struct CommandRecord: Sendable {
        public var command: [String]
        public var status: Int32
        public var timedOut: Bool
        public var skipped: Bool
        public var stdoutBytes: Int
        /// The start of its stderr (at most 512 bytes).
        public var stderr: String
    }
    /// The latest commands run (a bounded ring: a live run goes on for months), with the
    /// count of older ones.
    public private(set) var log = RecentLog<CommandRecord>(capacity: 256)

    public init(runner: any CommandRunning = ProcessRunner(), site: SlurmSnapshot.Site, cap: CapExecutor? = nil,
                hardware: SlurmHardwareMap = SlurmHardwareMap(), telemetry: PowerTelemetry = PowerTelemetry()) {
        self.runner = runner
        self.site = site
        self.cap = cap
        self.hardware = hardware
        self.telemetry = telemetry
    }

    /// Tells each line not told at the previous snapshot.
    func tell(_ lines: [String]) {
        let now = Set(lines)
        for line in lines where !told.contains(line) { report(line) }
        told = now
    }

    /// Seconds left of the tick's budget (the whole budget when no tick has started).
    var budgetLeft: Double { tickDeadline.map { $0 - monotonic() } ?? tickBudget }

    func run(_ command: [String], retry: Bool) -> CommandResult {
        var result = attempt(command)
        let transient = result.timedOut || result.stderr.contains("Unable to contact slurm controller")
            || result.stderr.contains("Socket timed out")
        if !result.succeeded && retry && transient && budgetLeft > retryPause {
            Thread.sleep(forTimeInterval: retryPause)
            result = attempt(command)
        }
        return result
    }

    /// One try within what is left of the tick's budget, or none when it is spent.
    private func attempt(_ command: [String]) -> CommandResult {
        let left = budgetLeft
        let result: CommandResult
        let skipped = left <= 0
        if skipped {
            skippedCommands += 1
            result = CommandResult(status: 124, stdout: "", stderr: Self.budgetSpent(tickBudget), timedOut: false)
        } else {
            result = runner.run(command, timeout: min(timeout, left))
        }
        log.append(CommandRecord(command: command, status: result.status, timedOut: result.timedOut, skipped: skipped,
                                 stdoutBytes: result.stdout.utf8.count, stderr: String(decoding: result.stderr.utf8.prefix(512), as: UTF8.self)))
        return result
    }

    static func budgetSpent(_ budget: Double) -> String {
        "skipped: the tick's \(DurationText.short(budget)) budget for Slurm commands was spent before it could run"
    }

    public func snapshot() throws -> World {
        tickDeadline = monotonic() + tickBudget
        let jobs = run(["squeue", "--json"], retry: true)
        guard jobs.succeeded else { throw SlurmError("`squeue --json` failed: \(jobs.failure)") }
        let nodes = run(["sinfo", "--json"], retry: true)
        guard nodes.succeeded else { throw SlurmError("`sinfo --json` failed: \(nodes.failure)") }
        var parsed = try SlurmSnapshot.parse(squeue: jobs.stdout, sinfo: nodes.stdout, now: clock(), site: site, hardware: hardware)
        let problems = telemetry.fill(&parsed, within: budgetLeft)
        tell(parsed.matches.flatMap(\.notes) + problems)
        nodeStates = Dictionary(parsed.world.nodes.map { ($0.id, $0.state) }, uniquingKeysWith: { a, _ in a })
        drainReasons = parsed.reasons
        return parsed.world
    }

    /// Drain and resume are idempotent in the world model; Slurm refuses to resume a node
    /// that is not drained, so the latest snapshot answers for it. A node drained (or down)
    /// for another reason than a rule's is the operators': Watt never resumes it.
    func settled(_ kind: ClusterAction.Kind, _ target: String) -> (ActionResult.Status, String)? {
        switch (kind, nodeStates[target]) {
        case (.drain, .draining?): return (.unchanged, "already draining")
        case (.resume, .draining?):
            // `SlurmNames.drainReason` gives `watt` or `watt: RULE`; Slurm may append `[user@time]`.
            let reason = drainReasons[target] ?? ""
            guard reason == "watt" || reason.hasPrefix("watt: ") || reason.hasPrefix("watt [") else {
                let why = reason.isEmpty ? "" : " for `\(reason.prefix(80))`"
                return (.rejected, "node `\(target)` is drained or down\(why), not by a rule: only nodes Watt drained are resumed")
            }
            return nil
        case (.resume, let state?) where state != .suspended: return (.unchanged, "not draining")
        default: return nil
        }
    }

    public func apply(_ actions: [ClusterAction]) -> [ActionResult] {
        let logged = log.total
        var results: [ActionResult] = []
        defer {
            // Said at once as well as in each rejected action (journal, summary, metrics).
            let skipped = log.entries.suffix(log.total - logged).filter(\.skipped).map { "`\($0.command.joined(separator: " "))`" }
            if !skipped.isEmpty {
                report("the tick's \(DurationText.short(tickBudget)) budget for Slurm commands was spent: \(skipped.count) command\(skipped.count == 1 ? "" : "s") not run, \(skipped.count == 1 ? "its action" : "their actions") rejected: \(skipped.prefix(5).joined(separator: ", "))\(skipped.count > 5 ? ", ..." : "")")
            }
        }
        for action in actions {
            if case .alert(let severity, let message) = action.kind {
                results.append(ActionResult(action: action, target: nil, status: .applied, detail: "alert (\(severity)): \(message)"))
                continue
            }
            for target in action.targets {
                if let (status, detail) = settled(action.kind, target) {
                    results.append(ActionResult(action: action, target: target, status: status, detail: detail))
                    continue
                }
                switch SlurmCommands.commands(for: action, target: target, now: clock(), cap: cap) {
                case .failure(let why):
                    results.append(ActionResult(action: action, target: target, status: .rejected, detail: why.message))
                case .success(let commands):
                    var detail: [String] = []
                    var failed: String?
                    for command in commands {
                        // `requeue` is not idempotent: never retried.
                        let retry = !(command.count > 1 && command[1] == "requeue")
                        let result = run(command, retry: retry)
                        if !result.succeeded { failed = "`\(command.joined(separator: " "))`: \(result.failure)"; break }
                        detail.append("ran `\(command.joined(separator: " "))`")
                    }
                    if let failed {
                        results.append(ActionResult(action: action, target: target, status: .rejected, detail: failed))
                    } else {
                        results.append(ActionResult(action: action, target: target, status: .applied, detail: detail.joined(separator: "; ")))
                    }
                }
            }
        }
        return results
    }
}
