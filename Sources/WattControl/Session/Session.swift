import Foundation
import WattBindings
import WattCluster
import WattEnergy
import WattLanguage
import WattSupport

/// The one session builder: from `RunSettings`, the world a command works on — a simulated
/// cluster (with a baseline twin for runs) or a live scheduler — bound to the energy
/// vocabulary, with the grid's past recorded and the warm-up run, so that `watt run`,
/// `eval`, `repl` and `test` see the same world for the same settings. The run drivers
/// (`PolicyRun`, `LiveRun`) are short loops over a session.
public final class Session {
    public let settings: RunSettings
    public let scheduler: any Scheduler
    /// The simulated cluster (nil for a live scheduler).
    public let simulator: Simulator?
    /// The same cluster without policies, for the report's baseline (simulated runs only).
    public let baseline: Simulator?
    public let binding: EnergyBinding
    /// The window of a simulated run: from its start (after any warm-up) to its end.
    public let start: Double
    public let end: Double
    public let tick: Double
    /// What the run is, resolved and fingerprinted (stored in the journal).
    public private(set) var identity: RunIdentity

    public var vocabulary: Vocabulary { binding.vocabulary }
    public var catalog: HardwareCatalog { simulator?.cluster.catalog ?? .builtIn }

    private init(settings: RunSettings, scheduler: any Scheduler, simulator: Simulator?, baseline: Simulator?,
                 binding: EnergyBinding, start: Double, end: Double, tick: Double, identity: RunIdentity) {
        self.settings = settings
        self.scheduler = scheduler
        self.simulator = simulator
        self.baseline = baseline
        self.binding = binding
        self.start = start
        self.end = end
        self.tick = tick
        self.identity = identity
    }

    /// The cluster the settings name, with the window and clock they ask for applied.
    public static func cluster(_ settings: RunSettings) throws(WattError) -> (cluster: ClusterDefinition, jobs: [JobSpec], end: Double) {
        try settings.validate()
        do {
            var cluster = try ClusterDefinition.load(path: settings.cluster ?? Self.builtInClusterPath())
            let jobs = try settings.trace.map { path throws(TraceError) in try JobTrace.load(path: path) } ?? cluster.loadTrace()
            if let from = settings.from { cluster.start = from }
            if let tick = settings.tick { cluster.tick = tick }
            let start = cluster.start
            let end = settings.to ?? start + settings.days * 86_400
            guard end > start else {
                throw WattError(.usage, "the run ends (\(TimeCalendar.format(end))) before it starts (\(TimeCalendar.format(start)))")
            }
            if let grid = settings.grid {
                cluster = try cluster.withCarbonIntensity(csv: grid, from: start, to: end + settings.warmup)
            }
            // Outside the series is an error; a gap inside it (at the window's edge too) is not:
            // the report counts the energy without an intensity and marks carbon incomplete.
            if case .series(let s) = cluster.grid.carbonIntensity, start < s.start || end + settings.warmup > s.end {
                throw WattError(.invalidFile, "the grid carbon series covers \(TimeCalendar.format(s.start)) to \(TimeCalendar.format(s.end)); the run from \(TimeCalendar.format(start)) to \(TimeCalendar.format(end + settings.warmup)) is not inside it",
                                hint: "choose a window inside the series with --from/--to, or give another series with --grid")
            }
            return (cluster, jobs, end)
        } catch let error as WattError {
            throw error
        } catch {
            throw WattError(.invalidFile, "\(error)")
        }
    }

    /// The built-in demo cluster (embedded, `ClusterDefinition.load` resolves the name).
    static func builtInClusterPath() -> String { ClusterDefinition.builtInDemoName }

    /// A simulated session: the cluster, its twin for the baseline when `withBaseline`, the
    /// grid's past recorded, the warm-up run. Policies see each tick's arrivals before they
    /// are placed (the baseline runs the same cycle).
    public static func simulated(_ settings: RunSettings, withBaseline: Bool = false) throws(WattError) -> Session {
        let (cluster, jobs, end) = try Self.cluster(settings)
        let simulator: Simulator, baseline: Simulator?
        do {
            simulator = try Simulator(cluster: cluster, jobs: jobs)
            baseline = withBaseline ? try Simulator(cluster: cluster, jobs: jobs) : nil
        } catch {
            throw WattError(.invalidFile, "\(error)")
        }
        simulator.placesArrivalsImmediately = false
        baseline?.placesArrivalsImmediately = false
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: cluster.catalog, tick: cluster.tick, forecast: cluster.forecast)
        if settings.oraclePlans == true {
            let intensity = cluster.grid.carbonIntensity
            binding.plans.oracle = { intensity.value(at: $0) }
        }
        Self.recordGridHistory(binding, cluster: cluster, before: cluster.start, days: settings.gridHistoryDays)
        // The warm-up: the cluster runs without policies and its telemetry is recorded, as
        // the control loop would; the baseline twin runs the same.
        let warmEnd = cluster.start + settings.warmup
        while simulator.now < warmEnd - 1e-9 {
            binding.record(simulator.snapshot())
            simulator.step()
        }
        baseline?.run(until: simulator.now)
        let start = simulator.now
        let identity = RunIdentity(settings: settings, cluster: cluster, start: start, end: end + settings.warmup,
                                   simulatedJobs: jobs)
        return Session(settings: settings, scheduler: simulator, simulator: simulator, baseline: baseline, binding: binding,
                       start: start, end: end + settings.warmup, tick: cluster.tick, identity: identity)
    }

    /// A live session: the scheduler's first snapshot makes the vocabulary (its pools and
    /// profiles) and is returned, to be the first tick's world (one snapshot per tick).
    public static func live(_ scheduler: any Scheduler, settings: RunSettings,
                            catalog: HardwareCatalog = .builtIn) throws(WattError) -> (Session, first: World) {
        try settings.validate()
        guard let interval = settings.interval else {
            throw WattError(.usage, "--scheduler slurm runs in real time: give --interval (e.g. 30s)")
        }
        let first: World
        do { first = try scheduler.snapshot() } catch {
            throw WattError(.runFailed, "the scheduler has no snapshot: \(error)", hint: "is the controller up? `scontrol ping` tells")
        }
        let binding = EnergyBinding(world: first, catalog: catalog, tick: interval)
        let identity = RunIdentity(live: settings, start: first.now, tick: interval)
        let session = Session(settings: settings, scheduler: scheduler, simulator: nil, baseline: nil, binding: binding,
                              start: first.now, end: .infinity, tick: interval, identity: identity)
        return (session, first)
    }

    /// Records the grid's carbon intensity and price, tick by tick, for `days` before
    /// `start` (from the cluster's grid series and tariff: the published past, not a forecast).
    public static func recordGridHistory(_ binding: EnergyBinding, cluster: ClusterDefinition, before start: Double, days: Double) {
        guard days > 0 else { return }
        let tick = cluster.tick
        var t = start - (days * 86_400 / tick).rounded(.down) * tick
        while t < start - 1e-9 {
            binding.recordGrid(cluster.grid(at: t), at: t)
            t += tick
        }
    }

    /// Compiles policies against the session's vocabulary; errors are a `.policies` error
    /// carrying the rendered diagnostics.
    public func compile(_ files: [SourceFile]) throws(WattError) -> (program: Program, diagnostics: [Diagnostic]) {
        let compiled = Compilation.compile(files, vocabulary: binding.vocabulary)
        guard let program = compiled.program, !compiled.hasErrors else {
            let errors = compiled.diagnostics.filter { $0.severity == .error }.count
            throw WattError(.policies, "the policies have \(errors) error\(errors == 1 ? "" : "s"); nothing ran",
                            details: DiagnosticRenderer.text(compiled.diagnostics))
        }
        return (program, compiled.diagnostics)
    }

    /// The control loop over the session's scheduler (or `scheduler`, e.g. a test's wrapper
    /// of the simulator), with the settings' guardrails or the cluster file's.
    public func loop(_ program: Program, scheduler: (any Scheduler)? = nil) -> ControlLoop {
        let guardrails = settings.guardrails ?? simulator.map { Guardrails($0.cluster.guardrails) } ?? Guardrails()
        return ControlLoop(program: program, binding: binding, scheduler: scheduler ?? self.scheduler, guardrails: guardrails,
                           dryRun: settings.dryRun)
    }

    /// The policies now running (after a reload): the identity the journal keeps.
    public func policiesChanged(_ files: [SourceFile]) {
        identity.policies = RunIdentity.fingerprints(files)
    }

    /// Replays a journaled run on the simulator, every tick before `end`: each tick's
    /// telemetry recorded and what was sent to the scheduler applied again, as the run did
    /// (`applied` sees each replayed tick's actions and results, for the loop's flap counter).
    public func replay(_ sent: [Double: [ClusterAction]], before end: Double,
                       applied: (Double, [ClusterAction], [ActionResult]) -> Void = { _, _, _ in }) {
        guard let simulator else { return }
        while simulator.now < end - 1e-6 {
            let now = simulator.now
            let world = simulator.snapshot()
            let actions = sent[now] ?? []
            let results = settings.dryRun ? [] : simulator.apply(actions)
            binding.replay(world, applied: results)
            applied(now, actions, results)
            simulator.step()
        }
    }

    /// The settings that rebuild a journaled run's world (`watt repl --journal`).
    public static func settings(of identity: RunIdentity) -> RunSettings {
        var s = RunSettings()
        s.cluster = identity.cluster == RunSettings.builtInClusterName ? nil : identity.cluster
        s.trace = identity.trace
        s.from = identity.start
        s.to = identity.end
        s.tick = identity.tick
        s.gridHistoryDays = identity.gridHistoryDays
        s.dryRun = identity.dryRun
        s.guardrails = identity.guardrails
        s.policies = identity.policies.keys.sorted()
        return s
    }
}
