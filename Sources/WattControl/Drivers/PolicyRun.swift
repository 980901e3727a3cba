import Foundation
import WattBindings
import WattCluster
import WattEnergy
import WattLanguage
import WattSupport

/// A simulated run of policies against a cluster, and the same run without them (the
/// baseline: same cluster, trace, grid and window), summarised side by side.
public enum PolicyRun {
    public struct Summary: Sendable {
        public var report: SimulationReport
        public var peakFacilityPower: Double
        public var hoursAboveCap: Double
        public var waitP50: Double
        public var waitP95: Double
        /// Bounded slowdown of finished jobs: (wait + run) / max(run, 60 s), at least 1.
        public var slowdownMean: Double = 1
        public var slowdownP95: Double = 1
        public var applied = 0
        public var rejected = 0
        public var conflicts = 0
        public var guardrailStops = 0
        /// Applied actions that undid another on the same target within an hour.
        public var flaps = 0
        /// Who flapped, how and where (`FlapStats`; rebuilt by the replay of a resumed run).
        public var flapStats = FlapStats()
        /// Ticks each rule acted on.
        public var firings: [String: Int] = [:]
        /// Ticks each rule's condition ended without a result: a missing value, an undefined
        /// result (division by zero, overflow) or a failure (step budget, host function).
        public var gaps: [String: Int] = [:]
        /// When each rule acted, and the grid's carbon intensity per tick (for the chart).
        public var firingTimes: [String: [Double]] = [:]
        public var carbon: [(time: Double, gramsPerJoule: Double)] = []
        /// Facility power per tick.
        public var facilityPower: [(time: Double, watts: Double)] = []
        public var powerCap: Double = 0
        public init(report: SimulationReport, peakFacilityPower: Double, hoursAboveCap: Double, waitP50: Double, waitP95: Double) {
            self.report = report
            self.peakFacilityPower = peakFacilityPower
            self.hoursAboveCap = hoursAboveCap
            self.waitP50 = waitP50
            self.waitP95 = waitP95
        }
    }

    /// What the run went through besides the numbers: where it stopped and why, reloads,
    /// ticks that overran their interval.
    public struct Events: Sendable {
        /// Set when a stop request (SIGINT/SIGTERM) ended the run before its end.
        public var stoppedAt: Double?
        public var reloads: [(time: Double, event: PolicySet.ReloadEvent)] = []
        /// Real-time mode: ticks that took longer than the interval (tick time, seconds over).
        public var overruns: [(time: Double, by: Double)] = []
        public var start: Double = 0
        public var end: Double = 0
        public var tick: Double = 0
    }

    /// Where the run's metrics go after each tick: a node_exporter textfile, the page the
    /// metrics endpoint serves (`MetricsServer`), or both.
    public struct MetricsOutput {
        public var file: String?
        public var page: MetricsPage?
        public init(file: String? = nil, page: MetricsPage? = nil) { self.file = file; self.page = page }
        var isEmpty: Bool { file == nil && page == nil }
    }

    /// Callbacks from the loop to its host (the CLI wires signals and the progress bar).
    public struct Hooks {
        /// Fraction of the window done, simulated now.
        public var progress: ((Double, Double) -> Void)?
        /// Polled between ticks: true stops the run cleanly after the current tick.
        public var shouldStop: () -> Bool = { false }
        /// Polled between ticks: true forces a reload now (SIGHUP); consumed by the call.
        public var reloadRequested: () -> Bool = { false }
        public var onReload: ((Double, PolicySet.ReloadEvent) -> Void)?
        public var onOverrun: ((Double, Double) -> Void)?
        /// Crash tests' seam (`RunProbe`): nil in production.
        public var probe: (any RunProbe)?
        public init() {}
    }

    /// Tests' short form: fixed policies, `days` from the cluster file's start.
    public static func run(clusterFile: String, traceFile: String?, policies: [SourceFile], days: Double,
                           guardrails: Guardrails? = nil, dryRun: Bool = false, journal: Journal? = nil,
                           resume: Bool = false) throws(WattError) -> (policies: Summary, baseline: Summary, diagnostics: [Diagnostic]) {
        var settings = RunSettings()
        settings.cluster = clusterFile
        settings.trace = traceFile
        settings.days = days
        settings.guardrails = guardrails
        settings.dryRun = dryRun
        let result = try run(settings, policies: policies, watch: nil, journal: journal, resume: resume)
        return (result.policies, result.baseline, result.diagnostics)
    }

    /// Runs the policies and the baseline over the window. `watch`, when given, is checked
    /// for changed files (at most once a wall-clock second, and on `hooks.reloadRequested`)
    /// and reloaded without stopping; `policies` are then its files. With `resume`, the
    /// journal's latest run continues from its last tick, if it is the same run (`RunIdentity`).
    public static func run(_ settings: RunSettings, policies: [SourceFile], watch: PolicySet?, journal: Journal?,
                           resume: Bool = false, metrics output: MetricsOutput = MetricsOutput(),
                           hooks: Hooks = Hooks()) throws(WattError) -> (policies: Summary, baseline: Summary, diagnostics: [Diagnostic], events: Events) {
        let session = try Session.simulated(settings, withBaseline: true)
        guard let simulator = session.simulator, let baseline = session.baseline else {
            throw WattError(.runFailed, "a simulated session has no simulator")
        }
        let (program, diagnostics) = try session.compile(policies)
        session.policiesChanged(policies)
        let dryRun = settings.dryRun
        let loop = session.loop(program)
        loop.explainAll = journal != nil
        var counters = (applied: 0, rejected: 0, conflicts: 0, stops: 0, flaps: 0)
        var firingTimes: [String: [Double]] = [:]
        var gaps: [String: Int] = [:]
        var carbon: [(time: Double, gramsPerJoule: Double)] = []
        var events = Events(start: session.start, end: session.end, tick: session.tick)
        var ticksDone = 0
        var resumed: Journal.Resumption?
        if let journal, resume { resumed = try journal.resumption() }
        if let journal, let r = resumed {
            // The same run, or none: a dry run resumed as a real one, another cluster or
            // window would splice two runs into one journal.
            try checkSameRun(r.identity, session.identity)
            // Replay what was sent to the scheduler, tick by tick, on the deterministic
            // simulator (recording telemetry as the run did), then continue.
            journal.continueRun(r.runID)
            var moves: [Double] = []
            session.replay(r.sent, before: r.lastTick + session.tick) { now, actions, results in
                loop.replay(results, now: now)
                for a in actions { if case .move = a.kind { moves.append(contentsOf: Array(repeating: now, count: a.targets.count)) } }
                ticksDone += 1
            }
            loop.restore(timers: r.timers)
            loop.restore(recentMoves: moves.filter { simulator.now - $0 < 3600 })
            counters = (r.applied, r.rejected, r.conflicts, r.stops, r.flaps)
            firingTimes = r.firingTimes
            gaps = r.gaps
            carbon = r.carbon
        } else if let journal {
            // A new run (also `--resume` on a journal whose run died before its first tick).
            try journal.startRun(session.identity, at: session.start)
        }
        let pacer = settings.interval.map { Pacer(interval: $0) }
        let metrics = output.isEmpty ? nil : MetricsExporter(path: output.file, page: output.page)
        var lastChangeCheck = Date()
        let end = session.end
        while simulator.now < end {
            if hooks.shouldStop() { events.stoppedAt = simulator.now; break }
            // Hot reload: on request, or when a watched file changed (stat at most once a second).
            if let watch {
                let forced = hooks.reloadRequested()
                if forced || Date().timeIntervalSince(lastChangeCheck) >= 1 {
                    lastChangeCheck = Date()
                    if let (program, event) = watch.reload(vocabulary: session.vocabulary, force: forced) {
                        if let program {
                            loop.replace(program: program)
                            session.policiesChanged(watch.files)
                            try journal?.updateIdentity(session.identity)
                        }
                        events.reloads.append((simulator.now, event))
                        try journal?.recordReload(event, at: simulator.now)
                        hooks.onReload?(simulator.now, event)
                    }
                }
            }
            hooks.probe?.reached(.tickStarted)
            let tickStarted = Date()
            let record = loop.tick(world: simulator.snapshot())
            ticksDone += 1
            if let metrics {
                metrics.record(record, seconds: Date().timeIntervalSince(tickStarted), models: session.binding.models)
                do { try metrics.publish() } catch {
                    throw WattError(.unwritable, "cannot write metrics `\(metrics.path ?? "")`: \(error.localizedDescription)")
                }
            }
            hooks.probe?.reached(.tickApplied(ticksDone))
            counters.applied += record.applied
            counters.rejected += record.rejected
            counters.conflicts += record.conflicts.count
            counters.stops += record.guardrailEvents.count
            counters.flaps += record.flaps
            for (rule, decision) in record.decisions where decision == .act {
                firingTimes[rule, default: []].append(record.time)
            }
            for outcome in record.outcomes {
                switch outcome.status {
                case .missing, .failed: gaps[outcome.rule, default: 0] += 1
                case .fired, .notFired: break
                }
            }
            carbon.append((record.time, simulator.cluster.grid.carbonIntensity.value(at: simulator.now) ?? .nan))
            // A journal that cannot be written is a safe stop, not a silent gap.
            try journal?.record(record, timers: loop.timers, dryRun: dryRun)
            simulator.step()
            hooks.progress?((simulator.now - session.start) / (end - session.start), simulator.now)
            if let pacer {
                if let over = pacer.waitForNextTick(shouldStop: hooks.shouldStop) {
                    events.overruns.append((record.time, over))
                    hooks.onOverrun?(record.time, over)
                }
            }
        }
        let stoppedAt = simulator.now
        events.end = stoppedAt
        baseline.run(until: stoppedAt)
        var summary = summarize(simulator)
        summary.applied = counters.applied
        summary.rejected = counters.rejected
        summary.conflicts = counters.conflicts
        summary.guardrailStops = counters.stops
        summary.flaps = counters.flaps
        summary.flapStats = loop.flapCounter.stats
        summary.firings = firingTimes.mapValues(\.count)
        summary.firingTimes = firingTimes
        summary.gaps = gaps
        summary.carbon = carbon
        return (summary, summarize(baseline), diagnostics, events)
    }

    /// Refuses to resume a journaled run under another identity, naming each difference.
    static func checkSameRun(_ journaled: RunIdentity?, _ now: RunIdentity) throws(WattError) {
        let fresh = "start afresh: run without `--resume`, or with another `--journal`; the journal was not changed"
        guard let journaled else {
            throw WattError(.resumeMismatch, "the journal's run was written by an older watt that did not keep its settings, so it cannot be resumed safely",
                            hint: fresh)
        }
        let differences = journaled.differences(now)
        guard differences.isEmpty else {
            throw WattError(.resumeMismatch, "`--resume` with settings that differ from the journaled run's:\n"
                            + differences.map { "  - \($0)" }.joined(separator: "\n"),
                            hint: "resume with the run's own settings, or " + fresh)
        }
    }
}
