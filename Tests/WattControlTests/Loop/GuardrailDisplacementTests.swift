import Foundation
import Testing
import WattCluster
@testable import WattControl
import WattTestSupport

/// The capped share with priorities: when it is full, a cap of a higher-priority rule
/// displaces a cap a lower-priority rule set (that node is uncapped first, the event names
/// both rules); caps of equal or higher priority, and caps no rule owns, are never displaced.
@Suite struct GuardrailDisplacementTests {
    static let small = RepositoryRoot.url.appendingPathComponent("examples/clusters/small.yaml").path

    /// The small cluster with its first `capped` nodes capped, and a share that is exactly full.
    func world(capped: Int) throws -> (World, Guardrails, [String]) {
        var world = try Simulator(clusterFile: Self.small).snapshot()
        for i in 0..<capped { world.nodes[i].powerCap = 400 }
        let ids = world.nodes.map(\.id)
        let total = world.nodes.reduce(0) { $0 + $1.gpus }
        let cappedGPUs = world.nodes.prefix(capped).reduce(0) { $0 + $1.gpus }
        var g = Guardrails()
        g.maxCappedGPUShare = Double(cappedGPUs) / Double(total)
        return (world, g, ids)
    }

    @Test func aHigherPriorityCapDisplacesALowerOne() throws {
        let (world, g, ids) = try world(capped: 2)
        var moves: [Double] = []
        let hot = ClusterAction(.cap(watts: 300), targets: [ids[3]], rule: "cap_hot")
        let (out, events) = g.apply([hot], world: world, recentMoves: &moves,
                                    priorities: ["cap_hot": 30, "cap_cheap": 3, "cap_dirty": 5],
                                    capOwners: [ids[0]: "cap_dirty", ids[1]: "cap_cheap"])
        // The lowest-priority owner's node is lifted, then the hot node capped.
        #expect(out.map(\.kind) == [.uncap, .cap(watts: 300)])
        #expect(out.first?.targets == [ids[1]])
        #expect(out.first?.rule == "cap_hot")
        #expect(out.last?.targets == [ids[3]])
        #expect(events.count == 1)
        #expect(events.first?.target == ids[1] && events.first?.rule == "cap_cheap")
        #expect(events.first?.guardrail == "`max_capped_share`: displaced by rule `cap_hot` (priority 30 over 3)")
    }

    @Test func equalOrHigherPriorityAndUnownedCapsStay() throws {
        let (world, g, ids) = try world(capped: 2)
        var moves: [Double] = []
        let cap = ClusterAction(.cap(watts: 300), targets: [ids[3]], rule: "cap_cheap")
        // The owners outrank or equal it; a cap nobody owns (an operator's) never moves.
        for owners in [[ids[0]: "cap_hot", ids[1]: "cap_cheap"], [:]] {
            let (out, events) = g.apply([cap], world: world, recentMoves: &moves,
                                        priorities: ["cap_hot": 30, "cap_cheap": 3], capOwners: owners)
            #expect(out.isEmpty)
            #expect(events.map(\.guardrail).allSatisfy { $0.hasPrefix("`max_capped_share` (") }, "stopped, not displaced")
        }
    }

    /// Within a tick the share goes to the higher priority first, whatever the order proposed.
    @Test func capsOfOneTickAreAdmittedByPriority() throws {
        var (world, g, ids) = try world(capped: 0)
        // Room for the hot node's GPUs and no more.
        g.maxCappedGPUShare = Double(world.nodes[3].gpus) / Double(world.nodes.reduce(0) { $0 + $1.gpus })
        world.nodes[2].powerCap = nil
        var moves: [Double] = []
        let cheap = ClusterAction(.cap(watts: 425), targets: [ids[2]], rule: "cap_cheap")
        let hot = ClusterAction(.cap(watts: 300), targets: [ids[3]], rule: "cap_hot")
        let (out, events) = g.apply([cheap, hot], world: world, recentMoves: &moves,
                                    priorities: ["cap_hot": 30, "cap_cheap": 3])
        #expect(out.flatMap(\.targets) == [ids[3]])
        #expect(events.map(\.rule) == ["cap_cheap"])
        // Without priorities, the order proposed decides (as before).
        let (plain, _) = g.apply([cheap, hot], world: world, recentMoves: &moves)
        #expect(plain.flatMap(\.targets).first == ids[2])
    }
}
