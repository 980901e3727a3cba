import ArgumentParser
import Foundation
import WattControl
import WattLanguage
import WattSlurm
import WattSupport

/// `watt run`: the control loop over policy files on the simulated cluster, with the
/// baseline run beside it and the report of what the policies changed.
public enum RunCommand {
    public struct Options: Sendable {
        public var paths: [String] = ["policies"]
        public var cluster = "examples/clusters/demo.yaml"
        public var trace: String?
        public var grid: String?
        public var from: String?
        public var to: String?
        public var days = 7.0
        public var tick: String?
        public var interval: String?
        public var dryRun = false
        public var jsonPath: String?
        public var progress = false
        public var markdown = false
        public var journalPath: String?
        public var svgPath: String?
        public var resume = false
        /// Take SIGINT/SIGTERM (stop after the tick) and SIGHUP (reload); the executable does.
        public var handleSignals = false
        /// Crash tests: SIGKILL after this tick (`WATT_FAULT_KILL_AFTER_TICK`).
        public var killAfterTick: Int?
        public var metricsFile: String?
        /// `--metrics-listen`: serve the metrics over HTTP here (loopback unless `metricsListenAny`).
        public var metricsListen: String?
        public var metricsListenAny = false
        /// `slurm`: the loop runs in real time against the Slurm that `SLURM_CONF` names.
        public var scheduler: String?
        public var ticks: Int?
        public var powerCap: Double?
        public var capCommand: [String]?
        /// Where node power comes from with `--scheduler slurm`.
        public var power = PowerSourceOptions()
        public init() {}
    }

    /// The options as run settings, or a usage error.
    static func settings(_ options: Options) -> Result<PolicyRun.Settings, CommandOutput> {
        func usage(_ message: String) -> Result<PolicyRun.Settings, CommandOutput> {
            .failure(CommandOutput(stderr: "error: \(message)\n", exitCode: 2))
        }
        var settings = PolicyRun.Settings(clusterFile: options.cluster)
        settings.traceFile = options.trace
        settings.gridFile = options.grid
        guard options.days > 0, options.days.isFinite else { return usage("--days must be a positive number") }
        settings.days = options.days
        if let from = options.from {
            guard let t = TimeCalendar.parseISO8601(from) else { return usage("--from `\(from)` is not an ISO 8601 date or time (e.g. 2020-06-03 or 2020-06-03T12:00:00Z)") }
            settings.from = t
        }
        if let to = options.to {
            guard let t = TimeCalendar.parseISO8601(to) else { return usage("--to `\(to)` is not an ISO 8601 date or time (e.g. 2020-06-08)") }
            settings.to = t
        }
        if let tick = options.tick {
            guard let t = DurationText.parse(tick), t >= 1 else { return usage("--tick `\(tick)` is not a duration of at least 1 s (e.g. 60s, 5min)") }
            settings.tick = t
        }
        if let interval = options.interval {
            guard let t = DurationText.parse(interval), t > 0 else { return usage("--interval `\(interval)` is not a positive duration (e.g. 60s, 500ms)") }
            settings.interval = t
        }
        settings.dryRun = options.dryRun
        settings.resume = options.resume
        settings.killAfterTick = options.killAfterTick
        settings.metricsFile = options.metricsFile
        return .success(settings)
    }

    public static func run(_ options: Options) -> CommandOutput {
        if let scheduler = options.scheduler { return live(options, scheduler: scheduler) }
        guard options.power.isEmpty else {
            return CommandOutput(stderr: "error: --power-source and its options go with --scheduler slurm (the simulator models node power itself)\n", exitCode: 2)
        }
        var settings: PolicyRun.Settings
        switch Self.settings(options) {
        case .success(let s): settings = s
        case .failure(let usage): return usage
        }
        let watch: PolicySet, journal: Journal?, server: MetricsServer?
        switch openRun(options) {
        case .success(let opened): (watch, journal, server) = opened
        case .failure(let usage): return usage
        }
        let files = watch.files
        defer { server?.stop() }
        settings.metricsPage = server?.page
        var hooks = PolicyRun.Hooks()
        let bar = options.progress ? ProgressBar() : nil
        if let bar { hooks.progress = { fraction, now in bar.update(fraction: fraction, simulatedTime: TimeCalendar.format(now)) } }
        if options.handleSignals {
            RunSignals.install()
            hooks.shouldStop = { RunSignals.stopRequested != nil }
            hooks.reloadRequested = { RunSignals.takeHangup() }
        }
        // Reloads and overruns are news while the loop runs: stderr, at once.
        hooks.onReload = { time, event in
            bar?.interrupt()
            var text = "watt: \(TimeCalendar.format(time)): \(event.summary)\n"
            text += DiagnosticRenderer.text(event.diagnostics)
            FileHandle.standardError.write(Data(text.utf8))
        }
        hooks.onOverrun = { time, seconds in
            bar?.interrupt()
            FileHandle.standardError.write(Data("watt: tick at \(TimeCalendar.format(time)) overran the interval by \(String(format: "%.3f", seconds)) s\n".utf8))
        }
        let result: (policies: PolicyRun.Summary, baseline: PolicyRun.Summary, diagnostics: [Diagnostic], events: PolicyRun.Events)
        do {
            result = try PolicyRun.run(settings, policies: files, watch: watch, journal: journal, hooks: hooks)
        } catch {
            bar?.interrupt()
            return CommandOutput(stdout: error.message.hasSuffix("\n") ? error.message : error.message + "\n", exitCode: 1)
        }
        bar?.interrupt()
        let events = result.events
        var out = CommandOutput()
        out.stdout += DiagnosticRenderer.text(result.diagnostics)
        let window = "\(TimeCalendar.format(events.start)) to \(TimeCalendar.format(events.end)), tick \(DurationText.short(events.tick))"
        out.stdout += "run: \(files.count) policy file\(files.count == 1 ? "" : "s") on \(options.cluster), \(window)"
        out.stdout += options.dryRun ? " (dry run: nothing applied)\n" : "\n"
        if let stopped = events.stoppedAt {
            let why = options.handleSignals ? RunSignals.stopRequested.map(RunSignals.name) ?? "a stop request" : "a stop request"
            out.stdout += "stopped by \(why) at \(TimeCalendar.format(stopped)); the report covers the run until then, and the baseline the same window\n"
        }
        for (time, event) in events.reloads { out.stdout += "reload at \(TimeCalendar.format(time)): \(event.summary)\n" }
        if !events.overruns.isEmpty { out.stdout += "\(events.overruns.count) tick\(events.overruns.count == 1 ? "" : "s") overran the interval\n" }
        out.stdout += "\n"
        out.stdout += PolicyRun.table(policies: result.policies, baseline: result.baseline, markdown: options.markdown)
        if let svgPath = options.svgPath {
            let svg = PolicyRun.chart(policies: result.policies, baseline: result.baseline,
                                      title: "\(options.paths.joined(separator: ", ")) on \(options.cluster): \(window)")
            do { try Data(svg.utf8).write(to: URL(fileURLWithPath: svgPath)) } catch {
                out.stderr += "error: cannot write `\(svgPath)`: \(error.localizedDescription)\n"
                out.exitCode = 2
            }
        }
        if let jsonPath = options.jsonPath {
            let json = PolicyRun.json(policies: result.policies, baseline: result.baseline)
            do { try Data(json.utf8).write(to: URL(fileURLWithPath: jsonPath)) } catch {
                out.stderr += "error: cannot write `\(jsonPath)`: \(error.localizedDescription)\n"
                out.exitCode = 2
            }
        }
        return out
    }
}

extension RunCommand {
    /// `--scheduler slurm`: real time against a live cluster, no baseline.
    static func live(_ options: Options, scheduler name: String) -> CommandOutput {
        guard name == "slurm" else { return CommandOutput(stderr: "error: --scheduler must be `slurm` (the simulator is the default)\n", exitCode: 2) }
        guard let interval = options.interval.flatMap(DurationText.parse), interval > 0 else {
            return CommandOutput(stderr: "error: --scheduler slurm runs in real time: give --interval (e.g. 30s)\n", exitCode: 2)
        }
        var cap: CapExecutor?
        if let template = options.capCommand {
            do { cap = try CapExecutor(template: template) } catch { return CommandOutput(stderr: "error: --cap-command: \(error.message)\n", exitCode: 2) }
        }
        let telemetry: PowerTelemetry
        switch options.power.telemetry() {
        case .success(let t): telemetry = t
        case .failure(let why): return CommandOutput(stderr: "error: \(why.message)\n", exitCode: 2)
        }
        let slurm = SlurmScheduler(site: .init(powerCap: options.powerCap ?? .infinity), cap: cap, telemetry: telemetry)
        let watch: PolicySet, journal: Journal?, server: MetricsServer?
        switch openRun(options) {
        case .success(let opened): (watch, journal, server) = opened
        case .failure(let usage): return usage
        }
        defer { server?.stop() }
        var hooks = PolicyRun.Hooks()
        if options.handleSignals {
            RunSignals.install()
            hooks.shouldStop = { RunSignals.stopRequested != nil }
            hooks.reloadRequested = { RunSignals.takeHangup() }
        }
        hooks.onReload = { _, event in
            FileHandle.standardError.write(Data(("watt: \(event.summary)\n" + DiagnosticRenderer.text(event.diagnostics)).utf8))
        }
        do {
            let summary = try LiveRun.run(scheduler: slurm, policies: watch.files, watch: watch, journal: journal, interval: interval,
                                          ticks: options.ticks, dryRun: options.dryRun, metricsFile: options.metricsFile,
                                          metricsPage: server?.page, hooks: hooks)
            var out = "run: \(watch.files.count) policy file\(watch.files.count == 1 ? "" : "s") against Slurm, \(summary.ticks) ticks every \(DurationText.short(interval))"
            out += options.dryRun ? " (dry run: nothing applied)\n" : "\n"
            if options.handleSignals, let signal = RunSignals.stopRequested {
                out += "stopped by \(RunSignals.name(signal)) after the tick in progress\n"
            }
            for line in summary.actions { out += "  \(line)\n" }
            out += "\(summary.applied) applied, \(summary.rejected) rejected, \(summary.failedSnapshots.count) ticks without a snapshot\n"
            return CommandOutput(stdout: out)
        } catch {
            return CommandOutput(stdout: error.message.hasSuffix("\n") ? error.message : error.message + "\n", exitCode: 1)
        }
    }
}

public struct Run: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Run policies on the simulated cluster beside a baseline without them, and report the difference.",
        discussion: """
            Policy files are watched while the run goes on: a changed file (or SIGHUP) is re-checked and \
            runs from the next tick; a file with errors is reported and its previous version keeps running. \
            SIGINT or SIGTERM stop the run after the current tick and print the report so far (a second \
            one stops at once).
            """)
    @Argument(help: "Policy files or directories (default: policies/).") var paths: [String] = []
    @Option(help: "The cluster file.") var cluster: String = "examples/clusters/demo.yaml"
    @Option(help: "A job trace CSV (default: the cluster file's).") var trace: String?
    @Option(help: "A grid carbon-intensity CSV in g/kWh (default: the cluster file's).") var grid: String?
    @Option(help: "Start instant, ISO 8601 (default: the cluster file's start); the trace starts there.") var from: String?
    @Option(help: "End instant, ISO 8601 (default: --from plus --days).") var to: String?
    @Option(help: "Simulated days (when --to is not given).") var days: Double = 7
    @Option(help: "The control tick, e.g. 60s or 5min (default: the cluster file's).") var tick: String?
    @Option(help: "Real-time mode: one tick every this much wall-clock time, e.g. 60s (default: as fast as possible).") var interval: String?
    @Flag(name: .customLong("dry-run"), help: "Evaluate and report, but apply nothing (shadow mode).") var dryRun = false
    @Option(help: "Also write the report as JSON to this file.") var json: String?
    @Flag(help: "Print the report table as markdown.") var markdown = false
    @Option(help: "Write every tick, action and rule decision to this SQLite journal.") var journal: String?
    @Option(help: "Draw the run as a self-contained SVG chart (power with and without policies, carbon, rule firings).") var svg: String?
    @Flag(help: "Resume the journal's latest run from its last tick (after a crash).") var resume = false
    @Option(help: "`slurm`: run in real time against the Slurm that SLURM_CONF names (default: the built-in simulator).") var scheduler: String?
    @Option(help: "With --scheduler: stop after this many ticks (default: run until SIGINT/SIGTERM).") var ticks: Int?
    @Option(name: .customLong("power-cap"), help: "With --scheduler: the site's power limit in W.") var powerCap: Double?
    @Option(name: .customLong("cap-command"), help: "With --scheduler slurm: the command that caps a node's GPUs, e.g. 'ssh {node} nvidia-smi -pl {watts}' (split on spaces; placeholders are whole arguments).") var capCommand: String?
    @Option(name: .customLong("power-source"), help: "With --scheduler slurm: where node power comes from: rapl, nvidia-smi, prometheus or model (default: model, an estimate from utilization and the hardware profile).") var powerSource: String?
    @Option(name: .customLong("prometheus-url"), help: "With --power-source prometheus: the server, e.g. http://prometheus:9090.") var prometheusURL: String?
    @Option(name: .customLong("power-query"), help: "With --power-source prometheus: the PromQL query (default: sum by (instance) (DCGM_FI_DEV_POWER_USAGE)).") var powerQuery: String?
    @Option(name: .customLong("power-label"), help: "With --power-source prometheus: the label that names the Slurm node (default: instance; a :port is dropped).") var powerLabel: String?
    @Option(name: .customLong("power-covers"), help: "With --power-source prometheus: what the query measures: gpus (default), cpus or node; the model adds the rest.") var powerCovers: String?
    @Option(name: .customLong("power-command"), help: "With --power-source nvidia-smi: how to reach each node, e.g. 'ssh {node} nvidia-smi --query-gpu=index,power.draw --format=csv,noheader,nounits' (split on spaces; {node} a whole argument). Default: nvidia-smi here, for this machine's node.") var powerCommand: String?
    @Option(name: .customLong("power-node"), help: "With --power-source rapl (or nvidia-smi without --power-command): the Slurm node this machine is (default: the short host name).") var powerNode: String?
    @Option(name: .customLong("metrics-file"), help: "Write Prometheus metrics here after every tick (node_exporter textfile collector format).") var metricsFile: String?
    @Option(name: .customLong("metrics-listen"), help: "Serve Prometheus metrics over HTTP at PORT, IP:PORT or [IPv6]:PORT (GET /metrics; loopback only unless --metrics-listen-any; port 0 picks a free one, printed on stderr).") var metricsListen: String?
    @Flag(name: .customLong("metrics-listen-any"), help: "Allow --metrics-listen on a non-loopback address (the endpoint has no authentication or TLS).") var metricsListenAny = false
    public init() {}
    public func run() throws {
        var options = RunCommand.Options()
        if !paths.isEmpty { options.paths = paths }
        options.cluster = cluster
        options.trace = trace
        options.grid = grid
        options.from = from
        options.to = to
        options.days = days
        options.tick = tick
        options.interval = interval
        options.dryRun = dryRun
        options.jsonPath = json
        options.progress = true
        options.markdown = markdown
        options.journalPath = journal
        options.svgPath = svg
        options.resume = resume
        options.handleSignals = true
        options.metricsFile = metricsFile
        options.metricsListen = metricsListen
        options.metricsListenAny = metricsListenAny
        options.scheduler = scheduler
        options.ticks = ticks
        options.powerCap = powerCap
        options.capCommand = capCommand.map { $0.split(separator: " ").map(String.init) }
        options.power.source = powerSource
        options.power.prometheusURL = prometheusURL
        options.power.query = powerQuery
        options.power.label = powerLabel
        options.power.covers = powerCovers
        options.power.command = powerCommand.map { $0.split(separator: " ").map(String.init) }
        options.power.node = powerNode
        options.killAfterTick = ProcessInfo.processInfo.environment["WATT_FAULT_KILL_AFTER_TICK"].flatMap { Int($0) }
        FaultInjection.configure()
        guard !resume || journal != nil else { throw ValidationError("--resume needs --journal") }
        let out = RunCommand.run(options)
        out.emit()
        if FaultInjection.counting { FileHandle.standardError.write(Data("fault points: \(FaultInjection.pointsPassed)\n".utf8)) }
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}

extension RunCommand {
    /// What both kinds of run open before the first tick: the policies (watched for
    /// reloads), the journal and the metrics endpoint; the caller stops the server.
    static func openRun(_ options: Options) -> Result<(PolicySet, Journal?, MetricsServer?), CommandOutput> {
        let watch: PolicySet
        do { watch = try PolicySet(paths: options.paths) } catch { return .failure(CommandOutput(stderr: error.message + "\n", exitCode: 2)) }
        var journal: Journal?
        if let path = options.journalPath {
            do { journal = try Journal(path: path) } catch { return .failure(CommandOutput(stderr: "error: \(error.message)\n", exitCode: 2)) }
        }
        switch metricsServer(options) {
        case .success(let server): return .success((watch, journal, server))
        case .failure(let usage): return .failure(usage)
        }
    }
}
