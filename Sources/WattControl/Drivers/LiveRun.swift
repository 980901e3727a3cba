import Foundation
import WattBindings
import WattCluster
import WattEnergy
import WattLanguage

/// The control loop against a live scheduler (Slurm): real time, no baseline (there is no
/// second cluster to compare with), every tick journaled. A snapshot that fails (the
/// controller is down) skips that tick's evaluation with the error reported and journaled
/// nothing applied; the loop goes on.
public enum LiveRun {
    public struct Summary: Sendable {
        public var ticks = 0
        public var failedSnapshots: [String] = []
        public var applied = 0
        public var rejected = 0
        public var actions: [String] = []
    }

    public static func run(scheduler: any Scheduler, catalog: HardwareCatalog = .builtIn, policies: [SourceFile], watch: PolicySet?,
                           journal: Journal?, interval: Double, ticks maxTicks: Int?, dryRun: Bool, guardrails: Guardrails = Guardrails(),
                           metricsFile: String? = nil, metricsPage: MetricsPage? = nil, hooks: PolicyRun.Hooks = PolicyRun.Hooks()) throws(PolicyRun.Failure) -> Summary {
        let first: World
        do { first = try scheduler.snapshot() } catch { throw PolicyRun.Failure(message: "error: the scheduler has no snapshot: \(error)") }
        let binding = EnergyBinding(world: first, catalog: catalog, tick: interval)
        let compiled = Compilation.compile(policies, vocabulary: binding.vocabulary)
        guard let program = compiled.program, !compiled.hasErrors else {
            throw PolicyRun.Failure(message: DiagnosticRenderer.text(compiled.diagnostics))
        }
        let loop = ControlLoop(program: program, binding: binding, scheduler: scheduler, guardrails: guardrails, dryRun: dryRun)
        loop.explainAll = journal != nil
        if let journal {
            do { try journal.startRun(cluster: "live", policies: policies.map(\.name), dryRun: dryRun, at: first.now) } catch {
                throw PolicyRun.Failure(message: error.message)
            }
        }
        let metrics = metricsFile != nil || metricsPage != nil ? MetricsExporter(path: metricsFile, page: metricsPage) : nil
        let pacer = Pacer(interval: interval)
        var summary = Summary()
        while maxTicks.map({ summary.ticks < $0 }) ?? true {
            if hooks.shouldStop() { break }
            let forced = hooks.reloadRequested()
            if let watch, let (program, event) = watch.reload(vocabulary: binding.vocabulary, force: forced) {
                if let program { loop.replace(program: program) }
                hooks.onReload?(Date().timeIntervalSince1970, event)
            }
            let started = Date()
            do {
                let record = try loop.tick()
                summary.ticks += 1
                summary.applied += record.applied
                summary.rejected += record.rejected
                for r in record.results {
                    summary.actions.append("\(r.action.verbDescription)\(r.target.map { " `\($0)`" } ?? ""): \(r.status.rawValue), \(r.detail)")
                }
                let world = (try? scheduler.snapshot()) ?? first
                if let journal {
                    do { try journal.record(record, world: world, timers: loop.timers, dryRun: dryRun) } catch { throw PolicyRun.Failure(message: error.message) }
                }
                if let metrics {
                    metrics.record(record, world: world, seconds: Date().timeIntervalSince(started), models: binding.models)
                    try? metrics.publish()
                }
            } catch let failure as PolicyRun.Failure {
                throw failure
            } catch {
                // The scheduler could not be read: nothing is evaluated or applied this tick.
                summary.ticks += 1
                summary.failedSnapshots.append("\(TimeCalendar.format(Date().timeIntervalSince1970)): \(error)")
                metrics?.recordSkipped()
                try? metrics?.publish()
                FileHandle.standardError.write(Data("watt: tick skipped, the scheduler has no snapshot: \(error)\n".utf8))
            }
            if maxTicks.map({ summary.ticks >= $0 }) ?? false { break }
            if let over = pacer.waitForNextTick(shouldStop: hooks.shouldStop) { hooks.onOverrun?(Date().timeIntervalSince1970, over) }
        }
        return summary
    }
}
