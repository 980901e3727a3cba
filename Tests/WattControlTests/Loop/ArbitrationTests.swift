import Testing
import WattCluster
@testable import WattControl

@Suite struct ArbitrationTests {
    @Test func higherPriorityWins() {
        let result = Arbitration.resolve([
            .init(action: .move(jobs: ["j1", "j2"], toPool: "a", rule: "low"), priority: 1),
            .init(action: .move(jobs: ["j1"], toPool: "b", rule: "high"), priority: 5),
        ])
        #expect(result.actions.map(\.targets) == [["j2"], ["j1"]])
        #expect(result.conflicts.count == 1)
        #expect(result.conflicts[0].description == "`j1`: move to pool `b` (rule `high`) over move to pool `a` (rule `low`): higher priority")
    }

    @Test func saferWinsAtEqualPriority() {
        let caps = Arbitration.resolve([
            .init(action: .cap(nodes: ["n1"], atWatts: 300, rule: "a"), priority: 1),
            .init(action: .cap(nodes: ["n1"], atWatts: 500, rule: "b"), priority: 1),
        ])
        #expect(caps.actions.count == 1)
        #expect(caps.actions[0].kind == .cap(watts: 500))
        let state = Arbitration.resolve([
            .init(action: .suspend(nodes: ["n1"], rule: "idle"), priority: 1),
            .init(action: .wake(nodes: ["n1"], rule: "queue"), priority: 1),
        ])
        #expect(state.actions.map(\.rule) == ["queue"])
        #expect(state.conflicts[0].winningRule == "queue")
        // Drain stops no job and protects hot hardware: it wins over resume and suspend.
        let thermal = Arbitration.resolve([
            .init(action: .resume(nodes: ["n1"], rule: "cool"), priority: 1),
            .init(action: .drain(nodes: ["n1"], rule: "hot"), priority: 1),
            .init(action: .suspend(nodes: ["n1"], rule: "idle"), priority: 1),
        ])
        #expect(thermal.actions.map(\.rule) == ["hot"])
        #expect(thermal.conflicts.map(\.losingRule).sorted() == ["cool", "idle"])
        // Drain and a cap on the same node are separate decisions.
        #expect(Arbitration.resolve([.init(action: .drain(nodes: ["n1"], rule: "a"), priority: 1),
                                     .init(action: .cap(nodes: ["n1"], atWatts: 300, rule: "b"), priority: 1)]).conflicts.isEmpty)
    }

    @Test func independentGroupsAndDuplicatesDoNotConflict() {
        let result = Arbitration.resolve([
            .init(action: .cap(nodes: ["n1"], atWatts: 300, rule: "a"), priority: 1),
            .init(action: .suspend(nodes: ["n1"], rule: "b"), priority: 1),
            .init(action: .cap(nodes: ["n1"], atWatts: 300, rule: "c"), priority: 1),
            .init(action: .alert("x", rule: "d"), priority: 0),
        ])
        #expect(result.conflicts.isEmpty)
        #expect(result.actions.count == 4)
    }

    @Test func resultDoesNotDependOnOrder() {
        let proposals: [Arbitration.Proposal] = [
            .init(action: .move(jobs: ["j1"], toPool: "a", rule: "r1"), priority: 2),
            .init(action: .deferJobs(["j1"], for: 3600, rule: "r2"), priority: 2),
            .init(action: .release(jobs: ["j1"], rule: "r3"), priority: 2),
        ]
        let forward = Arbitration.resolve(proposals).actions.map(\.rule)
        let backward = Arbitration.resolve(proposals.reversed()).actions.map(\.rule)
        #expect(forward == ["r3"])
        #expect(backward == ["r3"])
    }
}
