import Foundation
import Testing
import WattTestSupport
import WattBindings
import WattCluster
@testable import WattControl
import WattLanguage

@Suite struct ControlLoopTests {
    static let repo = RepositoryRoot.url
    static let small = repo.appendingPathComponent("examples/clusters/small.yaml").path

    func loop(_ policy: String, guardrails: Guardrails = Guardrails(), dryRun: Bool = false) throws -> (ControlLoop, Simulator) {
        let simulator = try Simulator(clusterFile: Self.small)
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        let compiled = Compilation.compile([SourceFile(name: "p.watt", text: policy)], vocabulary: binding.vocabulary)
        let program = try #require(compiled.program, "\(DiagnosticRenderer.text(compiled.diagnostics))")
        return (ControlLoop(program: program, binding: binding, scheduler: simulator, guardrails: guardrails, dryRun: dryRun), simulator)
    }

    func run(_ loop: ControlLoop, _ simulator: Simulator, ticks: Int) throws -> [ControlLoop.TickRecord] {
        var records: [ControlLoop.TickRecord] = []
        for _ in 0..<ticks {
            records.append(try loop.tick())
            simulator.step()
        }
        return records
    }

    @Test func forAndCooldownTimingAcrossTicks() throws {
        let (loop, simulator) = try loop("rule r { when true for 10 min then alert \"x\" cooldown 30 min }")
        let records = try run(loop, simulator, ticks: 12)  // 5-minute ticks: 0 … 55 min
        let acted = records.enumerated().filter { $0.element.decisions["r"] == .act }.map { $0.offset * 5 }
        #expect(acted == [10, 40])
        #expect(records[0].decisions["r"] == .pending(remaining: 600))
        #expect(records[3].decisions["r"] == .coolingDown(remaining: 1500))
        #expect(records[2].proposed.count == 1)
        #expect(records[3].proposed.isEmpty)
    }

    @Test func dryRunAppliesNothing() throws {
        let (loop, simulator) = try loop("if true then cap nodes at 400 W", dryRun: true)
        let record = try loop.tick()
        #expect(record.proposed.count == 1)
        #expect(record.results.isEmpty)
        #expect(simulator.snapshot().nodes.allSatisfy { $0.powerCap == nil })
    }

    @Test func appliedAndRejectedActionsAreCounted() throws {
        var everything = Guardrails()
        everything.maxCappedGPUShare = 1
        let (loop, _) = try loop("rule ok { when true then cap nodes where pool == \"default\" at 400 W }\nrule bad { when true then cap nodes where pool == \"efficient\" at 5 W }",
                                 guardrails: everything)
        let record = try loop.tick()
        #expect(record.applied == 2)
        #expect(record.rejected == 2)
    }

    @Test func guardrailsTrimActions() throws {
        var guardrails = Guardrails()
        guardrails.maxCappedGPUShare = 0.5
        guardrails.neverSuspend = ["efficient-01"]
        let (loop, simulator) = try loop("if true then cap nodes at 300 W", guardrails: guardrails)
        let record = try loop.tick()
        let world = simulator.snapshot()
        let capped = world.nodes.filter { $0.powerCap != nil }.reduce(0) { $0 + $1.gpus }
        let total = world.nodes.reduce(0) { $0 + $1.gpus }
        #expect(Double(capped) <= 0.5 * Double(total))
        #expect(!record.guardrailEvents.isEmpty)
        #expect(record.guardrailEvents.allSatisfy { $0.guardrail.contains("max_capped_share") })
    }

    /// A thermal rule drains the hottest nodes and resumes them once cool; `never_suspend`
    /// does not stop a drain (the node stays powered and finishes its jobs).
    @Test func drainAndResumeThroughPolicies() throws {
        var guardrails = Guardrails()
        guardrails.neverSuspend = ["efficient-01"]
        let (loop, simulator) = try loop("""
        rule hot { when true then drain nodes where pool == "efficient" }
        """, guardrails: guardrails)
        let record = try loop.tick()
        #expect(record.guardrailEvents.isEmpty)
        let drained = simulator.snapshot().nodes.filter { $0.pool == "efficient" }
        #expect(!drained.isEmpty && drained.allSatisfy { $0.state == .draining })
        #expect(record.results.allSatisfy { $0.status == .applied && $0.action.kind == .drain })
        let again = ControlLoop(program: try #require(Compilation.compile(
            [SourceFile(name: "p.watt", text: "rule cool { when true then resume nodes where state == \"draining\" }")],
            vocabulary: loop.binding.vocabulary).program), binding: loop.binding, scheduler: simulator, guardrails: guardrails)
        let resumed = try again.tick()
        #expect(resumed.results.count == drained.count && resumed.results.allSatisfy { $0.status == .applied })
        #expect(simulator.snapshot().nodes.allSatisfy { $0.state != .draining })
    }

    @Test func conflictingRulesAreArbitratedByPriority() throws {
        let (loop, simulator) = try loop("""
        rule low priority 1 { when true then cap nodes where pool == "default" at 300 W }
        rule high priority 9 { when true then uncap nodes where pool == "default" }
        """)
        let record = try loop.tick()
        #expect(record.conflicts.count == 2)
        #expect(record.conflicts.allSatisfy { $0.winningRule == "high" && $0.losingRule == "low" })
        #expect(simulator.snapshot().nodes.allSatisfy { $0.powerCap == nil })
    }

    @Test func runsAreDeterministic() throws {
        func once() throws -> [Int] {
            let (loop, simulator) = try loop("if site.power > 1 kW then suspend nodes where state == \"idle\"")
            return try run(loop, simulator, ticks: 24).map(\.applied)
        }
        #expect(try once() == once())
    }
}

@Suite struct HysteresisLoopTests {
    @Test func ruleIsHeldOnUntilItsUntilClauseClears() throws {
        let simulator = try Simulator(clusterFile: ControlLoopTests.small)
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        let policy = """
        rule latch {
          when now.minute == 10
          until now.minute >= 30
          then alert "on"
        }
        """
        let compiled = Compilation.compile([SourceFile(name: "p.watt", text: policy)], vocabulary: binding.vocabulary)
        let program = try #require(compiled.program, "\(DiagnosticRenderer.text(compiled.diagnostics))")
        let loop = ControlLoop(program: program, binding: binding, scheduler: simulator)
        var acted: [Int] = []
        for tick in 0..<12 {
            let record = try loop.tick()
            if record.decisions["latch"] == .act { acted.append(tick * 5) }
            #expect(record.proposed.count == (record.decisions["latch"] == .act ? 1 : 0))
            simulator.step()
        }
        #expect(acted == [10, 15, 20, 25])
    }
}

@Suite struct ReportChartTests {
    @Test func chartIsSelfContainedSVGWithEverySeries() {
        let svg = ReportChart.svg(policies: .init(times: [0, 300, 600], values: [1000, 900, 800]),
                                  baseline: .init(times: [0, 300, 600], values: [1000, 1000, 1000]),
                                  cap: 1200, carbon: .init(times: [0, 300, 600], values: [1e-4, .nan, 2e-4]),
                                  firings: ["shave_peak": [300]], title: "a <test>")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("a &lt;test&gt;"))
        #expect(svg.components(separatedBy: "<path ").count - 1 == 3)
        #expect(svg.contains("shave_peak"))
        #expect(!svg.contains("<script"))
    }
}

@Suite struct RateLimitTests {
    func loop(_ policy: String) throws -> (ControlLoop, Simulator) {
        let simulator = try Simulator(clusterFile: ControlLoopTests.small)
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        let compiled = Compilation.compile([SourceFile(name: "p.watt", text: policy)], vocabulary: binding.vocabulary)
        let program = try #require(compiled.program, "\(DiagnosticRenderer.text(compiled.diagnostics))")
        var everything = Guardrails()
        everything.maxCappedGPUShare = 1
        return (ControlLoop(program: program, binding: binding, scheduler: simulator, guardrails: everything), simulator)
    }

    func cappedAfterEachTick(_ loop: ControlLoop, _ simulator: Simulator, ticks: Int) throws -> [Int] {
        var counts: [Int] = []
        for _ in 0..<ticks {
            _ = try loop.tick()
            counts.append(simulator.snapshot().nodes.filter { $0.powerCap != nil }.count)
            simulator.step()
        }
        return counts
    }

    @Test func limitPerTick() throws {
        let (loop, simulator) = try loop("rule r { when true then cap nodes where not present(power_cap) and pool == \"default\" at 400 W limit 1 per tick }")
        #expect(try cappedAfterEachTick(loop, simulator, ticks: 3) == [1, 2, 2])
    }

    @Test func limitPerHour() throws {
        let (loop, simulator) = try loop("rule r { when true then cap nodes where not present(power_cap) at 300 W limit 2 per hour }")
        let counts = try cappedAfterEachTick(loop, simulator, ticks: 13)
        #expect(counts[0] == 2)
        #expect(counts[11] == 2)   // still within the hour
        #expect(counts[12] == 4)   // an hour later, two more
    }

    /// The small cluster has 4 nodes: 25 % is one node a tick, 50 % two an hour.
    @Test func shareOfTheFleetPerTick() throws {
        let (loop, simulator) = try loop("rule r { when true then cap nodes where not present(power_cap) at 300 W limit 25 % per tick }")
        #expect(try cappedAfterEachTick(loop, simulator, ticks: 3) == [1, 2, 3])
    }

    @Test func shareOfTheFleetPerHour() throws {
        let (loop, simulator) = try loop("rule r { when true then cap nodes where not present(power_cap) at 300 W limit 50 % per hour }")
        let counts = try cappedAfterEachTick(loop, simulator, ticks: 13)
        #expect(counts[0] == 2)
        #expect(counts[11] == 2)
        #expect(counts[12] == 4)
    }

    @Test(arguments: ["0 %", "150 %"]) func shareMustBeAPercentage(_ share: String) throws {
        let simulator = try Simulator(clusterFile: ControlLoopTests.small)
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        let d = Compilation.compile([SourceFile(name: "p.watt", text: "rule r { when true then wake nodes limit \(share) per tick }")],
                                    vocabulary: binding.vocabulary).diagnostics.errors
        #expect(d.first?.message == "a share `limit` must be more than 0 % and at most 100 %")
        #expect(d.first?.underlined == share)
    }

    @Test func limitMustBeAWholeNumber() {
        let simulator = try? Simulator(clusterFile: ControlLoopTests.small)
        guard let simulator else { Issue.record("small cluster"); return }
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        let d = Compilation.compile([SourceFile(name: "p.watt", text: "rule r { when true then wake nodes limit 1.5 per tick }")],
                                    vocabulary: binding.vocabulary).diagnostics.errors
        #expect(d.first?.message == "`limit` needs a whole number of targets, at least 1")
        #expect(d.first?.underlined == "1.5")
    }
}
