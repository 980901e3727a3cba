import Foundation
import WattBindings
import WattCluster
import WattEnergy
import WattLanguage

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
        /// Ticks each rule acted on.
        public var firings: [String: Int] = [:]
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

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// How to run: the cluster, its window and clock, and the control loop's options.
    public struct Settings: Sendable {
        public var clusterFile: String
        /// A job trace CSV instead of the cluster file's.
        public var traceFile: String?
        /// A carbon-intensity CSV (g/kWh) instead of the cluster file's grid series.
        public var gridFile: String?
        /// The start instant, s since epoch (default: the cluster file's `start`); the trace's
        /// submission times are relative to it.
        public var from: Double?
        /// The end instant (default: `from` plus `days`).
        public var to: Double?
        public var days: Double = 7
        /// The control tick, s (default: the cluster file's `tick_s`).
        public var tick: Double?
        /// Guardrails instead of the cluster file's (`guardrails:`; defaults when absent).
        public var guardrails: Guardrails?
        public var dryRun = false
        public var resume = false
        /// Days of the grid's past (carbon intensity, price) recorded as telemetry before the
        /// start, as a running site would have them: grid forecasts and `history(...)` are
        /// warm from the first tick. 0: start cold.
        public var gridHistoryDays: Double = 7
        /// Real-time mode: wall-clock seconds between ticks (nil: as fast as possible).
        public var interval: Double?
        /// Prometheus metrics written after each tick (node_exporter textfile format).
        public var metricsFile: String?
        /// The page the metrics endpoint serves (`MetricsServer`), updated after each tick.
        public var metricsPage: MetricsPage?
        /// Fault injection for crash tests: SIGKILL this process after this tick (1-based,
        /// counting resumed ones) has been applied and before it is journaled.
        public var killAfterTick: Int?

        public init(clusterFile: String) { self.clusterFile = clusterFile }
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
        public init() {}
    }

    /// Compatibility entry for tests: fixed policies, `days` from the cluster file's start.
    public static func run(clusterFile: String, traceFile: String?, policies: [SourceFile], days: Double,
                           guardrails: Guardrails? = nil, dryRun: Bool = false, journal: Journal? = nil,
                           resume: Bool = false, progress: ((Double) -> Void)? = nil) throws(Failure) -> (policies: Summary, baseline: Summary, diagnostics: [Diagnostic]) {
        var settings = Settings(clusterFile: clusterFile)
        settings.traceFile = traceFile
        settings.days = days
        settings.guardrails = guardrails
        settings.dryRun = dryRun
        settings.resume = resume
        var hooks = Hooks()
        if let progress { hooks.progress = { fraction, _ in progress(fraction) } }
        let result = try run(settings, policies: policies, watch: nil, journal: journal, hooks: hooks)
        return (result.policies, result.baseline, result.diagnostics)
    }

    /// Records the grid's carbon intensity and price, tick by tick, for `days` before `start`
    /// (from the cluster's grid series and tariff; the published past, not a forecast).
    public static func seedGridHistory(_ binding: EnergyBinding, cluster: ClusterDefinition, before start: Double, days: Double) {
        guard days > 0 else { return }
        let tick = cluster.tick
        var t = start - (days * 86_400 / tick).rounded(.down) * tick
        while t < start - 1e-9 {
            binding.models.record("grid.carbon", cluster.grid.carbonIntensity.value(at: t), at: t)
            binding.models.record("grid.price", cluster.grid.price.value(at: t), at: t)
            t += tick
        }
    }

    /// Builds the two simulators for the settings' window and clock.
    static func simulators(_ settings: Settings) throws(Failure) -> (Simulator, Simulator, start: Double, end: Double) {
        do {
            var cluster = try ClusterDefinition.load(path: settings.clusterFile)
            let jobs = try settings.traceFile.map { path throws(TraceError) in try JobTrace.load(path: path) } ?? cluster.loadTrace()
            if let from = settings.from { cluster.start = from }
            if let tick = settings.tick {
                guard tick >= 1, tick <= 86_400 else { throw Failure(message: "error: --tick must be between 1 s and 1 day") }
                cluster.tick = tick
            }
            let start = cluster.start
            let end = settings.to ?? start + settings.days * 86_400
            guard end > start else {
                throw Failure(message: "error: the run ends (\(TimeCalendar.format(end))) before it starts (\(TimeCalendar.format(start)))")
            }
            if let grid = settings.gridFile { cluster = try cluster.withCarbonIntensity(csv: grid, from: start, to: end) }
            if case .series(let s) = cluster.grid.carbonIntensity, s.value(at: start) == nil || s.value(at: end - 1) == nil {
                throw Failure(message: "error: the grid carbon series covers \(TimeCalendar.format(s.start)) to \(TimeCalendar.format(s.end)); the run from \(TimeCalendar.format(start)) to \(TimeCalendar.format(end)) is not inside it")
            }
            return (try Simulator(cluster: cluster, jobs: jobs), try Simulator(cluster: cluster, jobs: jobs), start, end)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(message: "\(error)")
        }
    }

    /// Runs the policies and the baseline over the window. `watch`, when given, is checked
    /// for changed files (at most once a wall-clock second, and on `hooks.reloadRequested`)
    /// and reloaded without stopping; `policies` are then its files.
    public static func run(_ settings: Settings, policies: [SourceFile], watch: PolicySet?, journal: Journal?,
                           hooks: Hooks = Hooks()) throws(Failure) -> (policies: Summary, baseline: Summary, diagnostics: [Diagnostic], events: Events) {
        let (simulator, baseline, start, end) = try simulators(settings)
        // Policies see each tick's arrivals before they are placed; the baseline runs the same cycle.
        simulator.placesArrivalsImmediately = false
        baseline.placesArrivalsImmediately = false
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick,
                                    forecast: simulator.cluster.forecast)
        let compiled = Compilation.compile(policies, vocabulary: binding.vocabulary)
        guard let program = compiled.program, !compiled.hasErrors else {
            throw Failure(message: DiagnosticRenderer.text(compiled.diagnostics))
        }
        seedGridHistory(binding, cluster: simulator.cluster, before: start, days: settings.gridHistoryDays)
        let dryRun = settings.dryRun
        let guardrails = settings.guardrails ?? Guardrails(simulator.cluster.guardrails)
        let loop = ControlLoop(program: program, binding: binding, scheduler: simulator, guardrails: guardrails, dryRun: dryRun)
        loop.explainAll = journal != nil
        var counters = (applied: 0, rejected: 0, conflicts: 0, stops: 0, flaps: 0)
        var firingTimes: [String: [Double]] = [:]
        var carbon: [(time: Double, gramsPerJoule: Double)] = []
        var events = Events(start: start, end: end, tick: simulator.tick)
        var ticksDone = 0
        var resumed: Journal.Resumption?
        if let journal, settings.resume {
            do { resumed = try journal.resumption() } catch { throw Failure(message: error.message) }
        }
        if let journal, let r = resumed {
            // Replay what was sent to the scheduler, tick by tick, on the deterministic
            // simulator (recording telemetry as the run did), then continue.
            journal.continueRun(r.runID)
            var moves: [Double] = []
            while simulator.now <= r.lastTick + 1e-6 {
                let now = simulator.now
                binding.record(simulator.snapshot())
                let actions = r.sent[now] ?? []
                if !dryRun { loop.replay(simulator.apply(actions), now: now) }
                for a in actions { if case .move = a.kind { moves.append(contentsOf: Array(repeating: now, count: a.targets.count)) } }
                simulator.step()
                ticksDone += 1
            }
            loop.restore(timers: r.timers)
            loop.restore(recentMoves: moves.filter { simulator.now - $0 < 3600 })
            counters = (r.applied, r.rejected, r.conflicts, r.stops, r.flaps)
            firingTimes = r.firingTimes
            carbon = r.carbon
        } else if let journal {
            // A new run (also `--resume` on a journal whose run died before its first tick).
            do { try journal.startRun(cluster: settings.clusterFile, policies: policies.map(\.name), dryRun: dryRun, at: start) } catch {
                throw Failure(message: error.message)
            }
        }
        let pacer = settings.interval.map { Pacer(interval: $0) }
        let metrics = settings.metricsFile != nil || settings.metricsPage != nil
            ? MetricsExporter(path: settings.metricsFile, page: settings.metricsPage) : nil
        var lastChangeCheck = Date()
        // `simulator.now` and the grid's series, not `snapshot()`, for what is not the world:
        // a snapshot builds every node and job (it was two to four extra per tick).
        while simulator.now < end {
            if hooks.shouldStop() { events.stoppedAt = simulator.now; break }
            // Hot reload: on request, or when a watched file changed (stat at most once a second).
            if let watch {
                let forced = hooks.reloadRequested()
                if forced || Date().timeIntervalSince(lastChangeCheck) >= 1 {
                    lastChangeCheck = Date()
                    if let (program, event) = watch.reload(vocabulary: binding.vocabulary, force: forced) {
                        if let program { loop.replace(program: program) }
                        events.reloads.append((simulator.now, event))
                        do { try journal?.recordReload(event, at: simulator.now) } catch { throw Failure(message: error.message) }
                        hooks.onReload?(simulator.now, event)
                    }
                }
            }
            FaultInjection.point()
            let record: ControlLoop.TickRecord
            let tickStarted = Date()
            do { record = try loop.tick() } catch { throw Failure(message: "tick failed: \(error)") }
            ticksDone += 1
            if let metrics {
                metrics.record(record, world: simulator.snapshot(), seconds: Date().timeIntervalSince(tickStarted), models: binding.models)
                do { try metrics.publish() } catch { throw Failure(message: "error: cannot write metrics `\(metrics.path ?? "")`: \(error.localizedDescription)") }
            }
            if settings.killAfterTick == ticksDone { kill(getpid(), SIGKILL) }
            FaultInjection.point()
            counters.applied += record.applied
            counters.rejected += record.rejected
            counters.conflicts += record.conflicts.count
            counters.stops += record.guardrailEvents.count
            counters.flaps += record.flaps
            for (rule, decision) in record.decisions where decision == .act {
                firingTimes[rule, default: []].append(record.time)
            }
            carbon.append((record.time, simulator.cluster.grid.carbonIntensity.value(at: simulator.now) ?? .nan))
            if let journal {
                do { try journal.record(record, world: simulator.snapshot(), timers: loop.timers, dryRun: dryRun) } catch {
                    // A journal that cannot be written is a safe stop, not a silent gap.
                    throw Failure(message: error.message)
                }
            }
            simulator.step()
            hooks.progress?((simulator.now - start) / (end - start), simulator.now)
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
        summary.firings = firingTimes.mapValues(\.count)
        summary.firingTimes = firingTimes
        summary.carbon = carbon
        return (summary, summarize(baseline), compiled.diagnostics, events)
    }
}
