import Foundation
import WattBindings
import WattCluster
import WattEnergy
import WattLanguage
import WattSupport

/// The control loop against a live scheduler (Slurm): real time, no baseline (there is no
/// second cluster to compare with), every tick journaled. One snapshot per tick: the first
/// tick reuses the snapshot that made the vocabulary, and metrics and the journal read the
/// tick's own world. A snapshot that fails (the controller is down) skips that tick's
/// evaluation with the error reported and nothing applied; the loop goes on.
public enum LiveRun {
    /// Counters, and the latest lines only: a live run goes on for months (the journal
    /// keeps every action).
    public struct Summary: Sendable {
        public var ticks = 0
        /// The latest snapshot failures; `total` counts them all.
        public var failedSnapshots = RecentLog<String>(capacity: 20)
        public var applied = 0
        public var rejected = 0
        /// The latest action lines; `total` counts them all.
        public var actions = RecentLog<String>(capacity: 200)
    }

    public static func run(scheduler: any Scheduler, settings: RunSettings, catalog: HardwareCatalog = .builtIn,
                           policies: [SourceFile], watch: PolicySet?, journal: Journal?,
                           metrics output: PolicyRun.MetricsOutput = PolicyRun.MetricsOutput(),
                           hooks: PolicyRun.Hooks = PolicyRun.Hooks(), paced: Bool = true) throws(WattError) -> Summary {
        let (session, first) = try Session.live(scheduler, settings: settings, catalog: catalog)
        let (program, _) = try session.compile(policies)
        session.policiesChanged(policies)
        let loop = session.loop(program)
        loop.explainAll = journal != nil
        try journal?.startRun(session.identity, at: first.now)
        let metrics = output.isEmpty ? nil : MetricsExporter(path: output.file, page: output.page)
        // `paced: false` runs the ticks back to back (soak tests: months of ticks in minutes).
        let pacer = paced ? Pacer(interval: session.tick) : nil
        let maxTicks = settings.ticks
        var summary = Summary()
        var pending: World? = first
        while maxTicks.map({ summary.ticks < $0 }) ?? true {
            if hooks.shouldStop() { break }
            let forced = hooks.reloadRequested()
            if let watch, let (program, event) = watch.reload(vocabulary: session.vocabulary, force: forced) {
                if let program {
                    loop.replace(program: program)
                    session.policiesChanged(watch.files)
                    try journal?.updateIdentity(session.identity)
                }
                try journal?.recordReload(event, at: Date().timeIntervalSince1970)
                hooks.onReload?(Date().timeIntervalSince1970, event)
            }
            let started = Date()
            let world: World
            do {
                if let first = pending { world = first } else { world = try scheduler.snapshot() }
                pending = nil
            } catch {
                // The scheduler could not be read: nothing is evaluated or applied this tick.
                summary.ticks += 1
                summary.failedSnapshots.append("\(TimeCalendar.format(Date().timeIntervalSince1970)): \(error)")
                metrics?.recordSkipped()
                try? metrics?.publish()
                FileHandle.standardError.write(Data("watt: tick skipped, the scheduler has no snapshot: \(error)\n".utf8))
                if maxTicks.map({ summary.ticks >= $0 }) ?? false { break }
                if let over = pacer?.waitForNextTick(shouldStop: hooks.shouldStop) { hooks.onOverrun?(Date().timeIntervalSince1970, over) }
                continue
            }
            let record = loop.tick(world: world)
            summary.ticks += 1
            summary.applied += record.applied
            summary.rejected += record.rejected
            for r in record.results {
                summary.actions.append("\(r.action.verbDescription)\(r.target.map { " `\($0)`" } ?? ""): \(r.status.rawValue), \(r.detail)")
            }
            try journal?.record(record, timers: loop.timers, dryRun: settings.dryRun)
            if let metrics {
                metrics.record(record, seconds: Date().timeIntervalSince(started), models: session.binding.models)
                try? metrics.publish()
            }
            if maxTicks.map({ summary.ticks >= $0 }) ?? false { break }
            if let over = pacer?.waitForNextTick(shouldStop: hooks.shouldStop) { hooks.onOverrun?(Date().timeIntervalSince1970, over) }
        }
        return summary
    }
}
