import Foundation
import Testing
import WattSupport
import WattBindings
import WattCluster
@testable import WattControl
import WattLanguage
import WattTestSupport

/// Action values are bounded before they reach the cluster (issue 10): a cap that is not a
/// finite power in (0, 10 kW], a defer that is not a finite duration in (0, 30 days] or an
/// instant after now and within 30 days, a move to an empty or malformed name, never reach
/// the scheduler; each refused target is reported as stopped by `action_bounds` with the
/// value, and the reason is journaled.
@Suite struct ActionBoundsTests {
    static let test = "Tests/WattControlTests/ActionBoundsTests.swift"
    static let now = 1_578_268_800.0  // 2020-01-06T00:00:00Z

    /// (action, a phrase of the reason, or nil when the values are within bounds).
    static let cases: [(ClusterAction, String?)] = [
        (.cap(nodes: ["n1"], atWatts: .nan), "a cap must be a finite power, found nan W"),
        (.cap(nodes: ["n1"], atWatts: .infinity), "a cap must be a finite power, found inf W"),
        (.cap(nodes: ["n1"], atWatts: -.infinity), "a cap must be a finite power, found -inf W"),
        (.cap(nodes: ["n1", "n2"], atWatts: -5000), "a cap must be above 0 W, found -5000 W"),
        (.cap(nodes: ["n1"], atWatts: 0), "a cap must be above 0 W, found 0 W"),
        (.cap(nodes: ["n1"], atWatts: 1e300), "a cap of 1e+300 W per GPU is over the bound of 10000 W"),
        (.cap(nodes: ["n1"], atWatts: 10_000.5), "a cap of 10000.5 W per GPU is over the bound of 10000 W"),
        (.deferJobs(["j1"], for: -3600), "a defer duration must be a finite time above 0 s, found -3600 s"),
        (.deferJobs(["j1"], for: 0), "a defer duration must be a finite time above 0 s, found 0 s"),
        (.deferJobs(["j1"], for: .nan), "a defer duration must be a finite time above 0 s, found nan s"),
        (.deferJobs(["j1"], for: 1e300 * 3600), "defer for 3.6e+303 s is longer than the bound of 2592000 s (30 days)"),
        (.deferJobs(["j1"], for: 31 * 86_400), "defer for 2678400 s is longer than the bound of 2592000 s (30 days)"),
        (.deferJobs(["j1"], until: now - 3600), "defer until 2020-01-05T23:00:00Z is not after now (2020-01-06T00:00:00Z)"),
        (.deferJobs(["j1"], until: now), "defer until 2020-01-06T00:00:00Z is not after now"),
        (.deferJobs(["j1"], until: 253_402_300_799), "defer until 9999-12-31T23:59:59Z is more than 30 days after now"),
        (.deferJobs(["j1"], until: .infinity), "a defer must be until a finite time, found inf s"),
        (.deferJobs(["j1"], until: -1e300), "defer until -1e+300 s since 1970 is not after now"),
        (.move(jobs: ["j1"], toPool: ""), "a move needs the name of a pool or node"),
        (.move(jobs: ["j1"], toNode: ""), "a move needs the name of a pool or node"),
        (.move(jobs: ["j1"], toPool: String(repeating: "p", count: 300)), "a move target's name is 300 bytes long, over 255"),
        (.move(jobs: ["j1"], toNode: "n1\u{0}"), "a move target's name holds a control character"),
        // Within bounds.
        (.cap(nodes: ["n1"], atWatts: 300), nil),
        (.cap(nodes: ["n1"], atWatts: 10_000), nil),
        (.deferJobs(["j1"], for: 7200), nil),
        (.deferJobs(["j1"], for: 30 * 86_400), nil),
        (.deferJobs(["j1"], until: now + 3600), nil),
        (.move(jobs: ["j1"], toPool: "efficient"), nil),
        (.uncap(nodes: ["n1"]), nil),
    ]

    @Test func outOfBoundsValuesAreStoppedWithTheirReason() {
        var tally = Tally()
        for (action, phrase) in Self.cases {
            var tagged = action
            tagged.rule = "r"
            let problem = ActionBounds.problem(tagged, now: Self.now)
            let (kept, events) = ActionBounds.filter([Arbitration.Proposal(action: tagged, priority: 0)], now: Self.now)
            if let phrase {
                let ok = problem?.contains(phrase) == true && kept.isEmpty && events.count == tagged.targets.count
                    && events.allSatisfy { $0.guardrail.hasPrefix("`action_bounds` (") && $0.guardrail.contains(phrase) && $0.rule == "r" }
                    && Set(events.map(\.target)) == Set(tagged.targets)
                #expect(ok, "\(action): \(problem ?? "nil"); \(events)")
                tally.count("out-of-range action value stopped before the scheduler", ok)
            } else {
                let ok = problem == nil && kept.count == 1 && events.isEmpty
                #expect(ok, "\(action): \(problem ?? "nil")")
                tally.count("in-range action value passed", ok)
            }
        }
        tally.record("action-bounds", part: "table", test: Self.test)
    }

    /// SplitMix64, seeded: the same draws on every platform.
    struct Seeded {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        /// A value a policy could compute: special values, extremes, and magnitudes from
        /// 1e-3 to 1e12 of either sign, near the bounds often.
        mutating func value() -> Double {
            let special: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                     .leastNonzeroMagnitude, 1e300, -1e300, 10_000, 10_000.000001, 2_592_000, 2_592_000.5]
            if below(3) == 0 { return special[below(special.count)] }
            let magnitude = pow(10, Double(below(16)) - 3) * (1 + Double(below(1000)) / 100)
            return below(4) == 0 ? -magnitude : magnitude
        }
    }

    /// Random values of every bounded kind, against an oracle written from the documented
    /// bounds: kept exactly when within them, else one event per target naming the bound.
    @Test func randomValuesAreKeptExactlyWhenWithinBounds() {
        var random = Seeded(state: 10)
        var tally = Tally()
        let names = ["efficient", "", "a-001", String(repeating: "x", count: 256), "tab\there", "ünïcode"]
        for _ in 0..<500 {
            let v = random.value()
            let action: ClusterAction
            let within: Bool
            switch random.below(4) {
            case 0:
                action = .cap(nodes: ["n1", "n2"], atWatts: v, rule: "r")
                within = v.isFinite && v > 0 && v <= 10_000
            case 1:
                action = .deferJobs(["j1"], for: v, rule: "r")
                within = v.isFinite && v > 0 && v <= 30 * 86_400
            case 2:
                let t = Self.now + v
                action = .deferJobs(["j1"], until: t, rule: "r")
                within = t.isFinite && t > Self.now && t - Self.now <= 30 * 86_400
            default:
                let name = names[random.below(names.count)]
                action = random.below(2) == 0 ? .move(jobs: ["j1"], toPool: name, rule: "r") : .move(jobs: ["j1"], toNode: name, rule: "r")
                within = !name.isEmpty && name.utf8.count <= 255 && !name.contains("\t")
            }
            let (kept, events) = ActionBounds.filter([Arbitration.Proposal(action: action, priority: 1)], now: Self.now)
            let ok = within ? (kept.count == 1 && events.isEmpty)
                : (kept.isEmpty && events.count == action.targets.count && events.allSatisfy { $0.guardrail.hasPrefix("`action_bounds` (") })
            #expect(ok, "\(action): within \(within), kept \(kept.count), \(events)")
            tally.count("random action values", ok)
        }
        tally.record("action-bounds", part: "random", test: Self.test)
    }

    /// The scheduler of a loop, recording what reached it.
    final class RecordingScheduler: Scheduler {
        let inner: Simulator
        var seen: [WattCluster.Action] = []
        init(_ inner: Simulator) { self.inner = inner }
        func snapshot() throws -> World { inner.snapshot() }
        func apply(_ actions: [WattCluster.Action]) -> [ActionResult] {
            seen += actions
            return inner.apply(actions)
        }
    }

    /// End to end: rules computing absurd values; none reaches the scheduler, the tick's
    /// record says why for every target, the rule with a sane value still acts, and the
    /// journal keeps the reason.
    @Test func absurdPolicyValuesNeverReachTheScheduler() throws {
        let simulator = try Simulator(clusterFile: ControlLoopTests.small)
        let scheduler = RecordingScheduler(simulator)
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        let policy = """
        rule huge_cap { when true then cap nodes where pool == "default" at 1e300 W }
        rule negative_cap { when true then cap nodes where pool == "efficient" at -5 kW }
        rule back_in_time { when true then defer jobs where state == "queued" for -1 h }
        rule forever { when true then defer jobs where state == "queued" for 1e300 h }
        rule year_9999 { when true then defer jobs where state == "queued" until time("9999-12-31T23:59:59Z") }
        rule in_the_past { when true then defer jobs where state == "queued" until now - 1 h }
        rule sane priority 1 { when true then cap nodes where pool == "efficient" at 250 W }
        """
        let compiled = Compilation.compile([SourceFile(name: "p.watt", text: policy)], vocabulary: binding.vocabulary)
        let program = try #require(compiled.program, "\(DiagnosticRenderer.text(compiled.diagnostics))")
        var guardrails = Guardrails()
        guardrails.maxCappedGPUShare = 1
        let loop = ControlLoop(program: program, binding: binding, scheduler: scheduler, guardrails: guardrails)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("watt-bounds-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let journal = try Journal(path: path)
        try journal.startRun(RunIdentity(cluster: "small", start: simulator.snapshot().now, tick: simulator.tick, policies: ["p.watt": ""]), at: simulator.snapshot().now)
        // Tick until jobs wait in the queue (the defers need targets).
        var last: ControlLoop.TickRecord?
        var queued = 0
        for _ in 0..<288 {
            let world = simulator.snapshot()
            queued = world.jobs.filter { $0.state == .queued }.count
            let r = try loop.tick()
            try journal.record(r, timers: loop.timers)
            last = r
            if queued > 0 { break }
            simulator.step()
        }
        let tick = try #require(last)
        #expect(queued > 0, "the test needs queued jobs to defer")

        var tally = Tally()
        // Only the sane cap ever reached the scheduler, and it applied.
        let seen = scheduler.seen.map { $0.rule ?? "?" }
        #expect(Set(seen) == ["sane"], "\(scheduler.seen)")
        for action in scheduler.seen { #expect(ActionBounds.problem(action, now: tick.time) == nil) }
        #expect(tick.results.allSatisfy { $0.action.rule == "sane" && $0.succeeded } && tick.results.count == 2, "\(tick.results)")
        let record = tick
        let stopped = Dictionary(grouping: record.guardrailEvents, by: \.rule)
        let expected: [(rule: String, targets: Int, phrase: String)] = [
            ("huge_cap", 2, "a cap of 1e+300 W per GPU is over the bound of 10000 W"),
            ("negative_cap", 2, "a cap must be above 0 W, found -5000 W"),
            ("back_in_time", queued, "a defer duration must be a finite time above 0 s, found -3600 s"),
            ("forever", queued, "is longer than the bound of 2592000 s (30 days)"),
            ("year_9999", queued, "defer until 9999-12-31T23:59:59Z is more than 30 days after now"),
            ("in_the_past", queued, "is not after now"),
        ]
        let journaled = try Self.stoppedRows(path, targets: Set(record.guardrailEvents.map(\.target)), at: record.time)
        for e in expected {
            let events = stopped[e.rule] ?? []
            let ok = e.targets > 0 && events.count == e.targets && events.allSatisfy { $0.guardrail.contains(e.phrase) }
                && !scheduler.seen.contains { $0.rule == e.rule }
                && journaled.filter { $0.rule == e.rule && $0.detail.contains("stopped by `action_bounds` (") && $0.detail.contains(e.phrase) }.count == e.targets
            #expect(ok, "\(e.rule): \(events); journal \(journaled.filter { $0.rule == e.rule })")
            tally.count("out-of-range action value stopped before the scheduler", ok)
        }
        tally.record("action-bounds", part: "loop", test: Self.test)
    }

    /// The `stopped` rows the journal holds for these targets.
    static func stoppedRows(_ path: String, targets: Set<String>, at time: Double) throws -> [(rule: String, detail: String)] {
        let journal = try Journal(path: path, create: false)
        return try targets.sorted().flatMap { target in
            try journal.history(of: target).filter { $0.status == "stopped" && $0.time == time }.map { ($0.rule ?? "?", $0.detail) }
        }
    }
}
