import Foundation
import Testing
import WattTestSupport
import WattCluster
@testable import WattControl
import WattLanguage

/// A run stopped partway (every tick is committed to the journal, so stopping after a tick
/// is what a crash leaves) and resumed ends exactly like an uninterrupted run.
@Suite struct ResumeTests {
    static let repo = RepositoryRoot.url

    func policies() throws -> [SourceFile] {
        try ["policies/peak/peak.watt", "policies/consolidate/consolidate.watt", "policies/price/price.watt"].map { path in
            SourceFile(name: path, bytes: Array(try Data(contentsOf: Self.repo.appendingPathComponent(path))))
        }
    }

    func temporaryJournal() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("watt-resume-\(UUID().uuidString).db").path
    }

    @Test func resumedRunEqualsUninterruptedRun() throws {
        let cluster = Self.repo.appendingPathComponent("examples/clusters/small.yaml").path
        let full = temporaryJournal(), partial = temporaryJournal()
        defer { for p in [full, partial] { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: p + s) } } }
        let uninterrupted = try PolicyRun.run(clusterFile: cluster, traceFile: nil, policies: policies(), days: 0.5,
                                              journal: Journal(path: full))
        // The first run stops after a quarter of a day (a stop request; a crash leaves the
        // same: every tick is committed); the second, with the same settings, resumes it.
        var settings = RunSettings()
        settings.cluster = cluster
        settings.days = 0.5
        var ticks = 0
        var hooks = PolicyRun.Hooks()
        hooks.progress = { _, _ in ticks += 1 }
        hooks.shouldStop = { ticks >= 36 }
        let stopped = try PolicyRun.run(settings, policies: policies(), watch: nil, journal: Journal(path: partial), hooks: hooks)
        #expect(stopped.events.stoppedAt != nil)
        #expect(try Journal(path: partial).summary().ticks == 36)
        let resumed = try PolicyRun.run(clusterFile: cluster, traceFile: nil, policies: policies(), days: 0.5,
                                        journal: Journal(path: partial), resume: true)
        #expect(PolicyRun.json(policies: resumed.policies, baseline: resumed.baseline)
                == PolicyRun.json(policies: uninterrupted.policies, baseline: uninterrupted.baseline))
        #expect(resumed.policies.firings == uninterrupted.policies.firings)
        #expect(try Journal(path: partial).summary().ticks == Journal(path: full).summary().ticks)
    }
}
