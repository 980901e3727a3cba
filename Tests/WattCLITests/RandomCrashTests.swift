import Foundation
import Testing
import WattTestSupport

/// SIGKILL at random points of `watt run` — at the start of a tick, after it is applied,
/// inside its journal transaction, after the commit — then `--resume`, sometimes killed a
/// second time while resuming. Every trial must end with the uninterrupted run's report,
/// the same actions in the journal (none lost, none twice) and a clean SQLite integrity
/// check. The points come from `WATT_FAULT_KILL=N` (FaultInjection.swift); N is drawn from a
/// seeded generator, so a failing trial is reproducible by its number.
@Suite struct RandomCrashTests {
    /// What the trials did, for docs/reliability.md (trials run in parallel).
    static let tally = Tally()
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var counts: [String: Int] = [:]
        func add(_ key: String, _ n: Int = 1) { lock.lock(); counts[key, default: 0] += n; lock.unlock() }
        var snapshot: [String: Int] { lock.lock(); defer { lock.unlock() }; return counts }
    }

    /// Every pack on a quarter of the demo cluster for its first three hours (36 ticks).
    static let arguments = ["run", "policies/", "--cluster", "Tests/WattCLITests/Fixtures/crash/cluster.yaml", "--days", "0.125"]
    static let trials = 50

    struct Reference {
        var report: String
        var actions: String
        var points: Int
    }

    /// The uninterrupted run, once for all trials.
    static let reference: Result<Reference, Error> = Result {
        let dir = try CrashRecoveryTests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("run.db").path
        let json = dir.appendingPathComponent("report.json")
        let run = try runWatt(arguments + ["--journal", journal, "--json", json.path], environment: ["WATT_FAULT_COUNT": "1"])
        guard run.status == 0, let match = run.stderr.firstMatch(of: /fault points: ([0-9]+)/), let points = Int(match.1) else {
            throw CocoaError(.featureUnsupported, userInfo: [NSLocalizedDescriptionKey: "reference run failed: \(run.stderr)"])
        }
        return Reference(report: try String(contentsOf: json, encoding: .utf8),
                         actions: try runWatt(["journal", journal, "--actions"]).stdout, points: points)
    }

    /// SplitMix64: a tiny seeded generator, the same on every platform.
    struct Seeded {
        var state: UInt64
        mutating func next(below bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    @Test func theReferenceRunPassesEveryKindOfPoint() throws {
        let reference = try Self.reference.get()
        // Six points a tick with a journal (start, applied, three inside the transaction,
        // the commit), 36 ticks.
        #expect(reference.points == 6 * 36)
        #expect(reference.actions.split(separator: "\n").count > 20, "the run should act, or the comparison proves little")
    }

    @Test(arguments: 0..<trials) func killedAtRandomPointsEndsLikeAnUninterruptedRun(trial: Int) throws {
        let reference = try Self.reference.get()
        var random = Seeded(state: UInt64(trial) &* 7919 &+ 17)
        let dir = try CrashRecoveryTests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("run.db").path
        let json = dir.appendingPathComponent("report.json").path

        let first = 1 + random.next(below: reference.points)
        let killed = try runWatt(Self.arguments + ["--journal", journal], environment: ["WATT_FAULT_KILL": "\(first)"])
        #expect(killed.status != 0, "trial \(trial): the run was not killed at point \(first)")
        Self.tally.add("kills")
        // Points come six a tick: start, applied, three inside the journal transaction, commit.
        Self.tally.add("kills at stage \((first - 1) % 6 + 1) of 6")
        if trial % 2 == 1 {
            // Killed again while resuming (or not, if the point lies beyond what is left).
            let second = 1 + random.next(below: reference.points)
            let again = try runWatt(Self.arguments + ["--journal", journal, "--resume"], environment: ["WATT_FAULT_KILL": "\(second)"])
            if again.status != 0 { Self.tally.add("kills"); Self.tally.add("resumed runs killed again") }
        }
        let resumed = try runWatt(Self.arguments + ["--journal", journal, "--resume", "--json", json])
        #expect(resumed.status == 0, "trial \(trial): \(resumed.stderr)")
        let sameReport = (try? String(contentsOf: URL(fileURLWithPath: json), encoding: .utf8)) == reference.report
        #expect(sameReport, "trial \(trial) (killed at point \(first)): the report differs from the uninterrupted run's")
        let actions = try runWatt(["journal", journal, "--actions"]).stdout
        #expect(actions == reference.actions, "trial \(trial) (killed at point \(first)): the journal's actions differ")
        let integrity = try runWatt(["journal", journal]).stdout.contains("integrity ok")
        #expect(integrity)
        if resumed.status == 0 && sameReport && actions == reference.actions && integrity { Self.tally.add("trials ending like the uninterrupted run") }
        Self.tally.add("trials")
        if Self.tally.snapshot["trials"] == Self.trials {
            ReliabilityFigures.record("crash-kill", test: "Tests/WattCLITests/RandomCrashTests.swift", Self.tally.snapshot)
        }
    }
}

/// A journal that cannot be written: a clear error and a safe stop at the last complete
/// tick, never half a tick; `--resume` finishes the run once the disk has room again.
@Suite struct JournalFailureTests {
    @Test func aFullDiskStopsTheRunSafelyAndResumeFinishesIt() throws {
        let reference = try RandomCrashTests.reference.get()
        let dir = try CrashRecoveryTests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("run.db").path
        let json = dir.appendingPathComponent("report.json").path
        // 30 pages of 4 KiB fill up a few ticks into the run.
        let full = try runWatt(RandomCrashTests.arguments + ["--journal", journal], environment: ["WATT_FAULT_JOURNAL_MAX_PAGES": "30"])
        #expect(full.status == 1)
        #expect(full.stderr.contains("error[C0302]: cannot write journal"), "\(full.stderr)")
        #expect(full.stderr.contains("database or disk is full"))
        #expect(full.stderr.contains("help: the disk is full; the run stopped after its last complete tick"))
        let summary = try runWatt(["journal", journal]).stdout
        #expect(summary.contains("integrity ok"))
        let ticks = summary.firstMatch(of: /: ([0-9]+) ticks/).flatMap { Int($0.1) } ?? -1
        #expect(ticks > 0 && ticks < 36, "the run stopped part-way: \(summary)")

        let resumed = try runWatt(RandomCrashTests.arguments + ["--journal", journal, "--resume", "--json", json])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try String(contentsOf: URL(fileURLWithPath: json), encoding: .utf8) == reference.report)
        #expect(try runWatt(["journal", journal, "--actions"]).stdout == reference.actions)
    }

    @Test func aJournalInAPlaceThatCannotBeWrittenIsRefusedBeforeTheRun() throws {
        // /proc takes no new files, even from root (who ignores file permissions).
        let run = try runWatt(RandomCrashTests.arguments + ["--journal", "/proc/watt-test/run.db"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("error[C0203]: cannot open journal `/proc/watt-test/run.db`"))
        #expect(run.stderr.contains("help: the journal's directory must exist and be writable"))
        #expect(!run.stdout.contains("IT energy"), "nothing ran")
        ReliabilityFigures.record("journal-failures", test: "Tests/WattCLITests/RandomCrashTests.swift (JournalFailureTests)",
                                  ["full disk, stopped and resumed": 1, "unwritable place, refused": 1])
    }
}
