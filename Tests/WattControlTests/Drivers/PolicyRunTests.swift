import Foundation
import Testing
import WattCluster
@testable import WattControl
import WattLanguage
import WattSupport

/// `PolicyRun` settings: the window and clock, another grid, stopping early, reloading in the
/// middle of a run, and real-time pacing.
@Suite struct PolicyRunTests {
    static let small = ResumeTests.repo.appendingPathComponent("examples/clusters/small.yaml").path
    static let grid = ResumeTests.repo.appendingPathComponent("examples/data/grid/gb_ci_2020.csv").path
    let wake = SourceFile(name: "w.watt", text: "rule w { when count(nodes where state == \"suspended\") > 0 then wake nodes where state == \"suspended\" }\n")

    func settings(_ change: (inout RunSettings) -> Void) -> RunSettings {
        var s = RunSettings()
        s.cluster = Self.small
        s.days = 0.25
        change(&s)
        return s
    }

    @Test func fromToAndTickSetTheWindowAndClock() throws {
        let from = try #require(TimeCalendar.parseISO8601("2020-03-02T00:00:00Z"))
        let run = try PolicyRun.run(settings { $0.from = from; $0.to = from + 7200; $0.tick = 60 }, policies: [wake], watch: nil, journal: nil)
        #expect(run.events.start == from)
        #expect(run.events.end == from + 7200)
        #expect(run.events.tick == 60)
        #expect(run.policies.facilityPower.count == 120)
        #expect(run.baseline.facilityPower.count == 120)
        #expect(run.policies.facilityPower.first?.time == from)
    }

    @Test func anotherGridChangesCarbonButNotEnergy() throws {
        let own = try PolicyRun.run(settings { _ in }, policies: [wake], watch: nil, journal: nil)
        let gb = try PolicyRun.run(settings { $0.grid = Self.grid }, policies: [wake], watch: nil, journal: nil)
        #expect(gb.policies.report.itEnergy == own.policies.report.itEnergy)
        #expect(gb.policies.report.carbonGrams != own.policies.report.carbonGrams)
        #expect(gb.policies.carbon.allSatisfy { $0.gramsPerJoule.isFinite })
    }

    @Test func badWindowsAreClearErrors() {
        #expect(throws: WattError.self) { try PolicyRun.run(settings { $0.to = 0 }, policies: [wake], watch: nil, journal: nil) }
        let outside = settings { $0.grid = Self.grid; $0.from = TimeCalendar.parseISO8601("2023-01-01") }
        do {
            _ = try PolicyRun.run(outside, policies: [wake], watch: nil, journal: nil)
            Issue.record("a grid series that does not cover the run was accepted")
        } catch {
            #expect(error.message.contains("is not inside it"))
        }
    }

    @Test func aStopRequestEndsBothRunsAtTheSameTime() throws {
        var ticks = 0
        var hooks = PolicyRun.Hooks()
        hooks.progress = { _, _ in ticks += 1 }
        hooks.shouldStop = { ticks >= 10 }
        let run = try PolicyRun.run(settings { _ in }, policies: [wake], watch: nil, journal: nil, hooks: hooks)
        let start = run.events.start
        #expect(run.events.stoppedAt == start + 10 * 300)
        #expect(run.policies.report.end == run.baseline.report.end)
        #expect(run.baseline.facilityPower.count == 10)
    }

    @Test func aReloadInTheMiddleOfARunTakesEffectAndIsJournaled() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-reload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("p.watt")
        try "rule quiet { when false then wake nodes }\n".write(to: file, atomically: true, encoding: .utf8)
        let watch = try PolicySet(paths: [file.path])
        var ticks = 0
        var hooks = PolicyRun.Hooks()
        hooks.progress = { _, _ in
            ticks += 1
            if ticks == 5 { try? "rule quiet { when nope then wake nodes }\n".write(to: file, atomically: true, encoding: .utf8) }
            if ticks == 10 {
                try? "rule loud { when true then alert \"hello\" with severity \"info\" }\n".write(to: file, atomically: true, encoding: .utf8)
            }
        }
        hooks.reloadRequested = { ticks == 5 || ticks == 10 }
        let journal = try Journal(path: dir.appendingPathComponent("run.db").path)
        let run = try PolicyRun.run(settings { _ in }, policies: watch.files, watch: watch, journal: journal, hooks: hooks)
        #expect(run.events.reloads.map(\.event.outcome) == [PolicySet.ReloadEvent.Outcome.rejected, .reloaded])
        // `loud` acts on every tick after the reload at tick 11, and `quiet` never did.
        #expect(run.policies.firings["loud"] == 72 - 10)
        #expect(run.policies.firings["quiet"] == nil)
        #expect(try journal.reloads().map(\.outcome) == ["rejected", "reloaded"])
    }

    @Test func realTimeModeWaitsForTheIntervalAndReportsOverruns() {
        let pacer = Pacer(interval: 0.05)
        let started = Date()
        #expect(pacer.waitForNextTick(shouldStop: { false }) == nil)
        #expect(Date().timeIntervalSince(started) >= 0.045)
        Thread.sleep(forTimeInterval: 0.12)
        let over = pacer.waitForNextTick(shouldStop: { false })
        #expect((over ?? 0) > 0.05)
        // A stop request ends the wait early.
        let slow = Pacer(interval: 30)
        let before = Date()
        _ = slow.waitForNextTick(shouldStop: { Date().timeIntervalSince(before) > 0.1 })
        #expect(Date().timeIntervalSince(before) < 20)
    }
}
