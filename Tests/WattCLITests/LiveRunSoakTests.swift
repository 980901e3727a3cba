import Foundation
import Testing
import WattControl
import WattLanguage
import WattSlurm

/// A fake Slurm whose `squeue --json` answers about 2 MB every call, in a fresh allocation
/// (a shared string would hide a log that keeps every answer): the fixture's jobs, padded
/// with whitespace inside the JSON object to `bytes`. Whitespace keeps the parse cheap in a
/// debug build (a real 2 MB answer, some 700 jobs, parses in about 0.1 s there: 10,000 ticks
/// would take 20 minutes) while the loop still receives, parses and lets go of 2 MB a tick.
final class BigSqueueSlurm: CommandRunning, @unchecked Sendable {
    let squeue: [UInt8]
    let sinfo = FixtureSlurm.fixture("sinfo_typed.json")

    init(bytes: Int = 2 << 20) {
        var json = Array(FixtureSlurm.fixture("squeue.json").utf8)
        if let close = json.lastIndex(of: UInt8(ascii: "}")), bytes > json.count {
            json.insert(contentsOf: repeatElement(UInt8(ascii: " "), count: bytes - json.count), at: close)
        }
        squeue = json
    }

    func run(_ arguments: [String], timeout: Double) -> CommandResult {
        switch arguments.first {
        case "squeue": return CommandResult(status: 0, stdout: String(decoding: squeue, as: UTF8.self), stderr: "")
        case "sinfo": return CommandResult(status: 0, stdout: sinfo, stderr: "")
        case "scontrol": return CommandResult(status: 0, stdout: "", stderr: "")
        default: return CommandResult(status: 127, stdout: "", stderr: "not here")
        }
    }
}

/// Resident memory of this process, bytes (`/proc/self/statm`, second field, in pages).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}

/// What a soak run measured.
struct SoakFigures: CustomStringConvertible {
    var ticks = 0
    var squeueBytes = 0
    var warmUpTicks = 0
    var rssAfterWarmUp = 0
    var rssAtEnd = 0
    var seconds = 0.0
    var actions = 0
    var actionsKept = 0
    var commandsKept = 0
    var growth: Int { rssAtEnd - rssAfterWarmUp }
    var description: String {
        "soak: \(ticks) ticks, squeue \(squeueBytes) bytes each, RSS \(rssAfterWarmUp >> 20) MiB after \(warmUpTicks) ticks, "
            + "\(rssAtEnd >> 20) MiB at the end (growth \(growth >> 10) KiB), \(String(format: "%.1f", seconds)) s, "
            + "\(actions) action results (\(actionsKept) kept), \(commandsKept) commands kept"
    }

    /// Runs the live loop against `BigSqueueSlurm`, stopping early once RSS has grown by
    /// `abortGrowth` (a leak must fail the test, not take the machine's memory).
    static func measure(ticks: Int, warmUp: Int, abortGrowth: Int, metrics: Bool = true) throws -> SoakFigures {
        let fake = BigSqueueSlurm()
        let slurm = SlurmScheduler(runner: fake, site: .init(powerCap: 20_000))
        slurm.report = { _ in }
        // Thirty seconds a tick on the cluster's clock, back to back on the wall clock.
        var now = 1_796_003_950.0
        slurm.clock = { now += 30; return now }
        // Drained every tick (the fake's node stays `on`): one `scontrol` and one action line per tick.
        let policy = SourceFile(name: "hot.watt", text: "rule hot { when true then drain nodes where state == \"on\" }")
        var settings = RunSettings()
        settings.scheduler = .slurm
        settings.interval = 30
        settings.ticks = ticks
        var figures = SoakFigures(ticks: ticks, squeueBytes: fake.squeue.count, warmUpTicks: warmUp)
        var seen = 0
        var hooks = PolicyRun.Hooks()
        hooks.shouldStop = {
            seen += 1
            if seen == warmUp + 1 { figures.rssAfterWarmUp = residentBytes() }
            return seen > warmUp && seen % 100 == 0 && residentBytes() - figures.rssAfterWarmUp > abortGrowth
        }
        let started = Date()
        let summary = try LiveRun.run(scheduler: slurm, settings: settings, policies: [policy], watch: nil, journal: nil,
                                      metrics: metrics ? .init(page: MetricsPage()) : .init(), hooks: hooks, paced: false)
        figures.seconds = Date().timeIntervalSince(started)
        figures.rssAtEnd = residentBytes()
        figures.ticks = summary.ticks
        figures.actions = summary.actions.total
        figures.actionsKept = summary.actions.count
        figures.commandsKept = slurm.log.count
        return figures
    }
}

/// Issue 18: a live run keeps bounded memory however long it runs. Ten thousand ticks of
/// the live loop against a `squeue --json` of 2 MB, in a process of its own (the other
/// tests' allocations would blur the figure): resident memory after a warm-up of 500
/// ticks and at the end. A loop that kept each answer would grow by 2 MB a tick (20 GB);
/// the bound allows 32 MB of noise.
@Suite struct LiveRunSoakTests {
    static let ticks = 10_000
    static let bound = 32 << 20

    @Test func tenThousandLiveTicksKeepMemoryFlat() async throws {
        let result = await #expect(processExitsWith: .success, observing: [\.standardOutputContent]) {
            let figures = try SoakFigures.measure(ticks: LiveRunSoakTests.ticks, warmUp: 500, abortGrowth: LiveRunSoakTests.bound)
            print(figures)
            let flat = figures.ticks == LiveRunSoakTests.ticks && figures.growth < LiveRunSoakTests.bound
            exit(flat ? 0 : 1)
        }
        let text = result.map { String(decoding: $0.standardOutputContent, as: UTF8.self) } ?? ""
        #expect(text.contains("soak: \(Self.ticks) ticks"), "\(text)")
        // The figure docs/reliability.md quotes (stdout of `swift test --filter LiveRunSoakTests`).
        print(text, terminator: "")
    }

    /// The log and the summary are rings: the latest entries and counts of the rest.
    @Test func theSummaryAndTheCommandLogKeepTheLatestEntries() throws {
        let figures = try SoakFigures.measure(ticks: 300, warmUp: 1, abortGrowth: 1 << 30)
        #expect(figures.ticks == 300)
        #expect(figures.actions == 300, "one drain per tick")
        #expect(figures.actionsKept == 200)
        #expect(figures.commandsKept == 256)
    }
}
