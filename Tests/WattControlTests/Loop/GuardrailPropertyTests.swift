import Foundation
import Testing
import WattBindings
import WattCluster
@testable import WattControl
import WattLanguage
import WattTestSupport

/// Guardrails hold whatever the policies say: random policies (caps at any power, suspends
/// of any node, bursts of moves, with priorities that fight) under random guardrail settings,
/// run for two hours of ticks on a 30-node cluster; after every tick the world and what was
/// sent to the scheduler must respect every limit. Seeded: a failing case names its seed and
/// prints its policy.
@Suite struct GuardrailPropertyTests {
    static let cluster = ControlLoopTests.repo.appendingPathComponent("Tests/WattCLITests/Fixtures/crash/cluster.yaml").path
    static let cases = 40

    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        mutating func pick<T>(_ items: [T]) -> T { items[next(items.count)] }
    }

    static func policy(_ r: inout Random, nodeIDs: [String]) -> String {
        let nodeFilters = ["true", "utilization < 50 %", "pool == \"batch\"", "pool == \"efficient\"", "gpus_free > 2",
                           "state == \"idle\"", "temperature > 30 degC", "id == \"\(r.pick(nodeIDs))\"", "not present(power_cap)"]
        let conditions = ["true", "count(jobs where state == \"queued\") > 0", "site.power > 50 kW", "now.hour < 12"]
        var rules: [String] = []
        for i in 0..<(1 + r.next(6)) {
            let filter = r.pick(nodeFilters)
            let action: String
            switch r.next(7) {
            case 0: action = "cap nodes where \(filter) at \(r.pick([50, 150, 199, 200, 250, 300, 450, 700])) W"
            case 1: action = "cap top \(1 + r.next(20)) of nodes where \(filter) by power at \(r.pick([100, 250, 400])) W"
            case 2: action = "suspend nodes where \(filter)"
            case 3: action = "move jobs where state == \"queued\" to pool \"\(r.pick(["efficient", "batch", "default"]))\""
            case 4: action = "move top \(1 + r.next(30)) of jobs where state == \"queued\" by gpus to pool \"efficient\""
            case 5: action = "uncap nodes where \(filter)"
            default: action = "wake nodes where state == \"suspended\""
            }
            rules.append("rule r\(i) priority \(r.next(3)) {\n  when \(r.pick(conditions))\n  then \(action)\n}")
        }
        return rules.joined(separator: "\n")
    }

    /// One random case: a fresh simulator, guardrail settings and a policy, from `seed`.
    struct Case {
        var simulator: Simulator
        var start: World
        var guardrails: Guardrails
        var text: String
        var loop: ControlLoop?
        var diagnostics: String

        init(seed: Int) throws {
            var r = Random(state: UInt64(seed) &* 2654435761 &+ 1)
            simulator = try Simulator(clusterFile: GuardrailPropertyTests.cluster)
            start = simulator.snapshot()
            let nodeIDs = start.nodes.map(\.id)
            guardrails = Guardrails()
            guardrails.maxCappedGPUShare = r.pick([0.05, 0.2, 0.5, 1.0])
            guardrails.minCapWatts = Double(r.pick([0, 200, 300]))
            guardrails.maxJobsMovedPerHour = r.pick([0, 3, 10, 500])
            guardrails.neverSuspend = Set(nodeIDs.filter { _ in r.next(3) == 0 })
            text = GuardrailPropertyTests.policy(&r, nodeIDs: nodeIDs)
            let binding = EnergyBinding(world: start, catalog: simulator.cluster.catalog, tick: simulator.tick)
            let compiled = Compilation.compile([SourceFile(name: "random.watt", text: text)], vocabulary: binding.vocabulary)
            diagnostics = DiagnosticRenderer.text(compiled.diagnostics)
            loop = compiled.program.map { ControlLoop(program: $0, binding: binding, scheduler: simulator, guardrails: guardrails) }
        }
    }

    @Test(arguments: 0..<cases) func guardrailsHoldWhateverThePoliciesSay(seed: Int) throws {
        let random = try Case(seed: seed)
        let (simulator, start, guardrails, text) = (random.simulator, random.start, random.guardrails, random.text)
        let loop = try #require(random.loop, "seed \(seed):\n\(text)\n\(random.diagnostics)")

        let gpus = Dictionary(uniqueKeysWithValues: start.nodes.map { ($0.id, $0.gpus) })
        let totalGPUs = start.nodes.reduce(0) { $0 + $1.gpus }
        let initialCaps = Dictionary(uniqueKeysWithValues: start.nodes.map { ($0.id, $0.powerCap) })
        // Caps the cluster file sets count as capped, and may already exceed the share.
        let initialShare = Double(start.nodes.filter { $0.powerCap != nil }.reduce(0) { $0 + $1.gpus }) / Double(totalGPUs)
        var moves: [Double] = []
        var sent = 0
        for _ in 0..<24 {
            let record = try loop.tick()
            let world = simulator.snapshot()
            let context = "seed \(seed) at \(TimeCalendar.format(world.now)), guardrails \(guardrails):\n\(text)"
            for result in record.results {
                sent += 1
                switch result.action.kind {
                case .cap(let watts):
                    #expect(watts >= guardrails.minCapWatts, "a cap below min_cap reached the scheduler — \(context)")
                case .suspend:
                    #expect(!guardrails.neverSuspend.contains(result.target ?? ""), "a never_suspend node was sent a suspend — \(context)")
                case .move:
                    moves.append(world.now)
                default: break
                }
            }
            moves.removeAll { world.now - $0 >= 3600 }
            #expect(moves.count <= guardrails.maxJobsMovedPerHour, "\(moves.count) moves within an hour — \(context)")
            let capped = world.nodes.filter { $0.powerCap != nil }
            let share = Double(capped.reduce(0) { $0 + (gpus[$1.id] ?? 0) }) / Double(totalGPUs)
            #expect(share <= max(guardrails.maxCappedGPUShare, initialShare) + 1e-9, "\(Int(share * 100)) % of GPUs capped — \(context)")
            for node in capped where node.powerCap != initialCaps[node.id] ?? nil {
                #expect(node.powerCap! >= guardrails.minCapWatts, "`\(node.id)` capped at \(node.powerCap!) W — \(context)")
            }
            for node in world.nodes where guardrails.neverSuspend.contains(node.id) {
                #expect(node.state != .suspended, "never_suspend node `\(node.id)` is suspended — \(context)")
            }
            simulator.step()
        }
        _ = sent
    }

    /// The generator must produce policies that push against the limits, or the property
    /// proves nothing: across the cases, guardrails stop some of each kind of action.
    @Test func theRandomPoliciesActuallyPushAgainstTheLimits() throws {
        var stopped: [String: Int] = [:]
        for seed in 0..<Self.cases {
            let random = try Case(seed: seed)
            guard let loop = random.loop else { continue }
            let simulator = random.simulator
            for _ in 0..<24 {
                for event in try loop.tick().guardrailEvents {
                    stopped[String(event.guardrail.prefix { $0 != " " }), default: 0] += 1
                }
                simulator.step()
            }
        }
        for guardrail in ["`never_suspend`", "`min_cap`", "`max_capped_share`", "`max_moves_per_hour`"] {
            #expect((stopped[guardrail] ?? 0) > 0, "no random case ever hit \(guardrail): \(stopped)")
        }
        var figures = ["random policies and guardrail settings": Self.cases, "ticks each": 24]
        for (guardrail, n) in stopped { figures["targets stopped by \(guardrail.replacingOccurrences(of: "`", with: ""))"] = n }
        ReliabilityFigures.record("guardrails", test: "Tests/WattControlTests/GuardrailPropertyTests.swift", figures)
    }
}
