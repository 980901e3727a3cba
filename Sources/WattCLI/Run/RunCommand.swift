import ArgumentParser
import Foundation
import WattControl
import WattLanguage
import WattSlurm
import WattSupport

/// `watt run`: the control loop over policy files on the simulated cluster, with the
/// baseline run beside it and the report of what the policies changed; or, with
/// `--scheduler slurm`, in real time against a live cluster.
public enum RunCommand {
    /// What `watt run` was asked for: the run (`RunSettings`, what it is) and where its
    /// outputs go (what it prints and writes, which is not part of the run).
    public struct Options: Sendable {
        public var settings: RunSettings
        public var resume = false
        public var jsonPath: String?
        public var svgPath: String?
        public var markdown = false
        public var progress = false
        public var journalPath: String?
        /// Take SIGINT/SIGTERM (stop after the tick) and SIGHUP (reload); the executable does.
        public var handleSignals = false
        public var metricsFile: String?
        /// `--metrics-listen`: serve the metrics over HTTP here (loopback unless `metricsListenAny`).
        public var metricsListen: String?
        public var metricsListenAny = false
        /// With `--scheduler slurm`: the site's power limit, the cap command, where node power comes from.
        public var powerCap: Double?
        public var capCommand: [String]?
        public var power = PowerSourceOptions()
        public init(settings: RunSettings = Options.defaultSettings) { self.settings = settings }

        /// `watt run` with no arguments: `policies/` on the built-in demo cluster for a week.
        public static var defaultSettings: RunSettings {
            var s = RunSettings()
            s.policies = ["policies"]
            return s
        }
    }

    /// The crash tests' probe, when the environment asks for one (`FaultInjection`).
    nonisolated(unsafe) static var probe: FaultInjection?

    public static func run(_ options: Options) -> CommandOutput {
        do {
            try options.settings.validate()
            try checkOutputs(options)
            return options.settings.scheduler == .slurm ? try live(options) : try simulated(options)
        } catch {
            return CommandOutput(error: error)
        }
    }

    static func simulated(_ options: Options) throws(WattError) -> CommandOutput {
        guard options.power.isEmpty, options.capCommand == nil, options.powerCap == nil else {
            throw WattError(.usage, "--power-source, --cap-command, --power-cap and their options go with --scheduler slurm (the simulator models node power itself)")
        }
        if options.resume && options.journalPath == nil { throw WattError(.usage, "--resume needs --journal") }
        let (watch, journal, server) = try openRun(options)
        defer { server?.stop() }
        let settings = options.settings
        var hooks = PolicyRun.Hooks()
        hooks.probe = probe
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
            FileHandle.standardError.write(Data(("watt: \(TimeCalendar.format(time)): \(event.summary)\n" + DiagnosticRenderer.text(event.diagnostics)).utf8))
        }
        hooks.onOverrun = { time, seconds in
            bar?.interrupt()
            FileHandle.standardError.write(Data("watt: tick at \(TimeCalendar.format(time)) overran the interval by \(String(format: "%.3f", seconds)) s\n".utf8))
        }
        let result: (policies: PolicyRun.Summary, baseline: PolicyRun.Summary, diagnostics: [Diagnostic], events: PolicyRun.Events)
        do {
            result = try PolicyRun.run(settings, policies: watch.files, watch: watch, journal: journal, resume: options.resume,
                                       metrics: .init(file: options.metricsFile, page: server?.page), hooks: hooks)
        } catch {
            bar?.interrupt()
            throw error
        }
        bar?.interrupt()
        let events = result.events
        let clusterName = settings.cluster ?? RunSettings.builtInClusterName
        var out = CommandOutput()
        out.stdout += DiagnosticRenderer.text(result.diagnostics)
        let window = "\(TimeCalendar.format(events.start)) to \(TimeCalendar.format(events.end)), tick \(DurationText.short(events.tick))"
        out.stdout += "run: \(watch.files.count) policy file\(watch.files.count == 1 ? "" : "s") on \(clusterName), \(window)"
        out.stdout += settings.dryRun ? " (dry run: nothing applied)\n" : "\n"
        if let stopped = events.stoppedAt {
            let why = options.handleSignals ? RunSignals.stopRequested.map(RunSignals.name) ?? "a stop request" : "a stop request"
            out.stdout += "stopped by \(why) at \(TimeCalendar.format(stopped)); the report covers the run until then, and the baseline the same window\n"
        }
        for (time, event) in events.reloads { out.stdout += "reload at \(TimeCalendar.format(time)): \(event.summary)\n" }
        if !events.overruns.isEmpty { out.stdout += "\(events.overruns.count) tick\(events.overruns.count == 1 ? "" : "s") overran the interval\n" }
        out.stdout += "\n"
        out.stdout += PolicyRun.table(policies: result.policies, baseline: result.baseline, markdown: options.markdown)
        var toStdout: String?
        if let svgPath = options.svgPath {
            let svg = PolicyRun.chart(policies: result.policies, baseline: result.baseline,
                                      title: "\(settings.policies.joined(separator: ", ")) on \(clusterName): \(window)")
            if svgPath == "-" { toStdout = svg } else { try write(svg, to: svgPath) }
        }
        if let jsonPath = options.jsonPath {
            let json = PolicyRun.json(policies: result.policies, baseline: result.baseline)
            if jsonPath == "-" { toStdout = json } else { try write(json, to: jsonPath) }
        }
        // `--json -`: stdout is the JSON alone (a pipe's input); the table goes to stderr.
        if let toStdout {
            out.stderr = out.stdout + out.stderr
            out.stdout = toStdout
        }
        return out
    }

    /// Where the report goes is checked before the run, not after it (a real-time run of
    /// hours, then `cannot write`): the folder must exist and the path must not be one.
    /// `-` is stdout (only one output can be).
    static func checkOutputs(_ options: Options) throws(WattError) {
        let outputs = [("--json", options.jsonPath), ("--svg", options.svgPath)].compactMap { flag, path in path.map { (flag, $0) } }
        if outputs.filter({ $0.1 == "-" }).count > 1 {
            throw WattError(.usage, "--json and --svg cannot both write to stdout (`-`)")
        }
        for (flag, path) in outputs where path != "-" {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw WattError(.unwritable, "\(flag): cannot write `\(path)`: it is a directory")
            }
            let folder = (path as NSString).deletingLastPathComponent
            let dir = folder.isEmpty ? "." : folder
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw WattError(.unwritable, "\(flag): cannot write `\(path)`: no such directory `\(dir)`", hint: "nothing ran; create the directory or choose another path")
            }
            guard FileManager.default.isWritableFile(atPath: dir) else {
                throw WattError(.unwritable, "\(flag): cannot write `\(path)`: the directory `\(dir)` is not writable", hint: "nothing ran")
            }
        }
        if options.settings.scheduler == .slurm, options.jsonPath != nil || options.svgPath != nil {
            throw WattError(.usage, "--json and --svg report a simulated run against its baseline; a live run (--scheduler slurm) has neither")
        }
    }

    static func write(_ text: String, to path: String) throws(WattError) {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
            throw WattError(.unwritable, "cannot write `\(path)`: \(error.localizedDescription)")
        }
    }

    /// `--scheduler slurm`: real time against a live cluster, no baseline.
    static func live(_ options: Options) throws(WattError) -> CommandOutput {
        let settings = options.settings
        guard let interval = settings.interval else {
            throw WattError(.usage, "--scheduler slurm runs in real time: give --interval (e.g. 30s)")
        }
        guard !options.resume else {
            throw WattError(.usage, "--resume continues a simulated run; a live run starts from the cluster as it is now")
        }
        var cap: CapExecutor?
        if let template = options.capCommand {
            do { cap = try CapExecutor(template: template) } catch { throw WattError(.usage, "--cap-command: \(error.message)") }
        }
        let telemetry: PowerTelemetry
        switch options.power.telemetry() {
        case .success(let t): telemetry = t
        case .failure(let why): throw WattError(.usage, why.message)
        }
        let slurm = SlurmScheduler(site: .init(powerCap: options.powerCap ?? .infinity), cap: cap, telemetry: telemetry)
        // All of a tick's Slurm commands share one budget: the interval, from 10 s to 60 s.
        slurm.tickBudget = min(max(interval, 10), 60)
        let (watch, journal, server) = try openRun(options)
        defer { server?.stop() }
        var hooks = PolicyRun.Hooks()
        hooks.probe = probe
        if options.handleSignals {
            // A stopped run ends within the tick's command budget (and a little for the journal).
            RunSignals.install(grace: slurm.tickBudget + 10)
            hooks.shouldStop = { RunSignals.stopRequested != nil }
            hooks.reloadRequested = { RunSignals.takeHangup() }
        }
        hooks.onReload = { _, event in
            FileHandle.standardError.write(Data(("watt: \(event.summary)\n" + DiagnosticRenderer.text(event.diagnostics)).utf8))
        }
        let summary = try LiveRun.run(scheduler: slurm, settings: settings, policies: watch.files, watch: watch, journal: journal,
                                      metrics: .init(file: options.metricsFile, page: server?.page), hooks: hooks)
        var out = "run: \(watch.files.count) policy file\(watch.files.count == 1 ? "" : "s") against Slurm, \(summary.ticks) ticks every \(DurationText.short(interval))"
        out += settings.dryRun ? " (dry run: nothing applied)\n" : "\n"
        if options.handleSignals, let signal = RunSignals.stopRequested {
            out += "stopped by \(RunSignals.name(signal)) after the tick in progress\n"
        }
        if summary.actions.dropped > 0 { out += "  (\(summary.actions.dropped) earlier action results not shown: the journal keeps them)\n" }
        for line in summary.actions { out += "  \(line)\n" }
        out += "\(summary.applied) applied, \(summary.rejected) rejected, \(summary.failedSnapshots.total) ticks without a snapshot\n"
        return CommandOutput(stdout: out)
    }

    /// What both kinds of run open before the first tick: the policies (watched for
    /// reloads), the journal and the metrics endpoint; the caller stops the server.
    static func openRun(_ options: Options) throws(WattError) -> (PolicySet, Journal?, MetricsServer?) {
        let watch = try PolicySet(paths: options.settings.policies)
        // As `watt check` does: a run of no policies is a mistake, not a baseline.
        guard !watch.files.isEmpty else {
            throw WattError(.unreadable, "no policy files in \(options.settings.policies.map { "`\($0)`" }.joined(separator: ", "))",
                            hint: "a run loads the `.watt` files there, test files (`*_test.watt`) excepted")
        }
        var journal: Journal?
        if let path = options.journalPath {
            journal = try Journal(path: path, maxPages: probe?.journalMaxPages)
            journal?.probe = probe
        }
        return (watch, journal, try metricsServer(options))
    }
}

public struct Run: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Run policies on the simulated cluster beside a baseline without them, and report the difference.",
        discussion: """
            Policy files are watched while the run goes on: a changed file (or SIGHUP) is re-checked and \
            runs from the next tick; a file with errors is reported and its previous version keeps running. \
            SIGINT or SIGTERM stop the run after the current tick and print the report so far (a second \
            one stops at once). Exit status: 0 ok, 1 the policies or the run failed, 2 bad input, 64 usage.
            """)
    @Argument(help: "Policy files or directories (default: policies/).") var paths: [String] = []
    @Option(help: "The cluster file (default: the built-in demo cluster, also named `demo`).") var cluster: String?
    @Option(help: "A job trace CSV (default: the cluster file's).") var trace: String?
    @Option(help: "A grid carbon-intensity CSV in g/kWh (default: the cluster file's).") var grid: String?
    @Option(help: "Start instant, ISO 8601 (default: the cluster file's start); the trace starts there.", transform: FlagValue.instant)
    var from: Double?
    @Option(help: "End instant, ISO 8601 (default: --from plus --days).", transform: FlagValue.instant) var to: Double?
    @Option(help: "Simulated days (when --to is not given), above 0 and at most 3653.", transform: FlagValue.days) var days: Double = 7
    @Option(help: "The control tick, e.g. 60s or 5min, from 1 s to 1 day (default: the cluster file's).", transform: FlagValue.tick) var tick: Double?
    @Option(help: "Real-time mode: one tick every this much wall-clock time, e.g. 60s (default: as fast as possible).",
            transform: FlagValue.duration) var interval: Double?
    @Flag(name: .customLong("dry-run"), help: "Evaluate and report, but apply nothing (shadow mode).") var dryRun = false
    @Flag(name: .customLong("oracle-plans"), help: "Plan carbon timing (`carbon_plan`, `shift`) on the grid series itself, a perfect forecast: the bound of what timing can save (simulator only).")
    var oraclePlans = false
    @Option(help: "Also write the report as JSON to this file (`-`: to stdout, the table then to stderr).") var json: String?
    @Flag(help: "Print the report table as markdown.") var markdown = false
    @Option(help: "Write every tick, action and rule decision to this SQLite journal.") var journal: String?
    @Option(help: "Draw the run as a self-contained SVG chart (power with and without policies, carbon, rule firings); `-`: to stdout.") var svg: String?
    @Flag(help: "Resume the journal's latest run from its last tick (after a crash); refused when the settings differ from the run's.")
    var resume = false
    @Option(help: "`slurm`: run in real time against the Slurm that SLURM_CONF names (default: the built-in simulator).") var scheduler: String?
    @Option(help: "With --scheduler: stop after this many ticks (default: run until SIGINT/SIGTERM).",
            transform: FlagValue.count("--ticks", 1...1_000_000_000)) var ticks: Int?
    @Option(name: .customLong("power-cap"), help: "With --scheduler: the site's power limit in W (up to 10 GW).",
            transform: FlagValue.number("--power-cap", 1...10e9, " W")) var powerCap: Double?
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

    /// The flags as what the run is and where its outputs go (the one place they are mapped).
    /// `quiet`: no progress bar and no signal handlers (tests running it in process).
    func options(quiet: Bool = false) throws(WattError) -> RunCommand.Options {
        var s = RunCommand.Options.defaultSettings
        if !paths.isEmpty { s.policies = paths }
        s.cluster = cluster.flatMap { $0 == RunSettings.builtInClusterName ? nil : $0 }
        s.trace = trace
        s.grid = grid
        s.from = from
        s.to = to
        s.days = days
        s.tick = tick
        s.interval = interval
        s.dryRun = dryRun
        s.oraclePlans = oraclePlans ? true : nil
        s.ticks = ticks
        if let scheduler {
            guard scheduler == "slurm" else { throw WattError(.usage, "--scheduler must be `slurm` (the simulator is the default), found `\(scheduler)`") }
            s.scheduler = .slurm
        }
        var o = RunCommand.Options(settings: s)
        o.jsonPath = json
        o.progress = !quiet
        o.markdown = markdown
        o.journalPath = journal
        o.svgPath = svg
        o.resume = resume
        o.handleSignals = !quiet
        o.metricsFile = metricsFile
        o.metricsListen = metricsListen
        o.metricsListenAny = metricsListenAny
        o.powerCap = powerCap
        o.capCommand = capCommand.map { $0.split(separator: " ").map(String.init) }
        o.power.source = powerSource
        o.power.prometheusURL = prometheusURL
        o.power.query = powerQuery
        o.power.label = powerLabel
        o.power.covers = powerCovers
        o.power.command = powerCommand.map { $0.split(separator: " ").map(String.init) }
        o.power.node = powerNode
        return o
    }

    public func run() throws {
        RunCommand.probe = FaultInjection.fromEnvironment()
        let out: CommandOutput
        do { out = RunCommand.run(try options()) } catch { out = CommandOutput(error: error) }
        out.emit()
        if let probe = RunCommand.probe, probe.counting {
            FileHandle.standardError.write(Data("fault points: \(probe.passed)\n".utf8))
        }
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}
