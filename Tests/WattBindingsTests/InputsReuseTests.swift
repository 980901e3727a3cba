import Foundation
import Testing
import WattTestSupport
@testable import WattBindings
import WattCluster
import WattLanguage

/// What `EnergyBinding.inputs(for:)` keeps from one tick to the next (string dictionaries,
/// each node's `jobs` list) never shows in the inputs: a binding that has seen other worlds
/// gives the same values as a new one.
@Suite struct InputsReuseTests {
    static let repo = RepositoryRoot.url

    /// Every input as boxed values, row by row, records as their fields (records of two
    /// bindings never compare equal: each has its own schemas).
    static func rows(_ inputs: Inputs) -> [[Value]] {
        func plain(_ v: Value) -> Value {
            if case .record(let r) = v { return .list(r.fields) }
            return v
        }
        return inputs.values.map { value in
            if case .rows(let rows) = value { return rows.records.map(plain) }
            return [plain(value)]
        }
    }

    @Test func aBindingThatSawEarlierTicksGivesWhatANewOneGives() throws {
        let simulator = try Simulator(clusterFile: Self.repo.appendingPathComponent("examples/clusters/small.yaml").path)
        let kept = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        var held: [(inputs: Inputs, rows: [[Value]])] = []
        var ticks = 0
        // Six hours: jobs start, finish and come in; nodes change their jobs.
        while ticks < 72 {
            let world = simulator.snapshot()
            let fresh = EnergyBinding(world: world, catalog: simulator.cluster.catalog, tick: simulator.tick)
            let a = kept.inputs(for: world, recording: false)
            let rows = Self.rows(a)
            #expect(rows == Self.rows(fresh.inputs(for: world, recording: false)), "tick \(ticks)")
            // Node job lists match the world's.
            if case .rows(let nodes) = a.values[kept.vocabulary.names["nodes"]!.slot] {
                let field = nodes.table.schema.fieldIndex("jobs")!
                for (i, node) in world.nodes.enumerated() {
                    #expect(nodes.table.value(row: i, field: field) == .list(node.jobs.map { .string($0) }))
                }
            }
            // Keep some inputs alive: later ticks must not change what they read.
            if ticks % 10 == 0 { held.append((a, rows)) }
            simulator.step()
            ticks += 1
        }
        for (k, h) in held.enumerated() { #expect(Self.rows(h.inputs) == h.rows, "held \(k)") }
    }

    @Test func rangeTestsAgreeWithTheirReasons() {
        let ranges: [TelemetryRange] = [.nonNegative, .positive, .atLeastOne, .unit, .temperature, .finite]
        let values: [Double] = [.nan, .infinity, -.infinity, -1e300, -273.15, -273.16, -1, -0.0, 0, 1e-12, 0.5, 1, 1 + 1e-9,
                                1 + 2e-9, 2, 1e300, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for range in ranges {
            for v in values { #expect(range.accepts(v) == (range.problem(v) == nil), "\(range) \(v)") }
        }
    }
}
