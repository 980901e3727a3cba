import Foundation
import Testing
import WattTestSupport
@testable import WattBindings
import WattCluster
import WattLanguage

/// Who set a node's cap or suspension, or held a job: kept from the applied actions, read by
/// policies as `cap_rule`, `cap_pack`, `capped_since` (and `suspend_*`, `hold_*`),
/// forgotten when the state is gone.
@Suite struct ActionOwnershipTests {
    static let small = RepositoryRoot.url.appendingPathComponent("examples/clusters/small.yaml").path

    func applied(_ kind: ClusterAction.Kind, _ target: String, rule: String?) -> ActionResult {
        ActionResult(action: ClusterAction(kind, targets: [target], rule: rule), target: target, status: .applied, detail: "")
    }

    func evaluate(_ expression: String, _ binding: EnergyBinding, _ world: World) -> String {
        EnergyDeclarationsTests().evaluate(expression, binding, world)
    }

    @Test func packsAreTheFoldersOfThePolicyFiles() {
        #expect(ActionOwnership.pack(ofFile: "policies/carbon/carbon_aware.watt") == "carbon")
        #expect(ActionOwnership.pack(ofFile: "/tmp/x/peak/peak.watt") == "peak")
        #expect(ActionOwnership.pack(ofFile: "site.watt") == "site")
    }

    @Test func policiesReadWhoCappedANodeAndSinceWhen() throws {
        let simulator = try Simulator(clusterFile: Self.small)
        for _ in 0..<6 { simulator.step() }
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        binding.ownership.setRules([("cap_dirty", "policies/carbon/c.watt"), ("cap_hot", "policies/thermal/t.watt")])
        let node = try #require(simulator.snapshot().nodes.first { $0.state == .on || $0.state == .idle }).id
        let capped = simulator.now

        // A cap applied by a rule: the rule, its pack and when.
        _ = binding.inputs(for: simulator.snapshot(), recording: false)
        let cap = ClusterAction(.cap(watts: 300), targets: [node], rule: "cap_dirty")
        binding.applied(simulator.apply([cap]))
        simulator.step()
        var world = simulator.snapshot()
        #expect(evaluate("(nodes where id == \"\(node)\").cap_rule", binding, world) == "[\"cap_dirty\"]")
        #expect(evaluate("count(nodes where cap_pack == \"carbon\")", binding, world) == "1")
        #expect(evaluate("count(nodes where capped_since <= now - 5 min)", binding, world) == "1", "capped a tick ago")
        #expect(evaluate("count(nodes where capped_since <= now - 10 min)", binding, world) == "0")
        #expect(binding.ownership.caps[node]?.since == capped)
        #expect(evaluate("count(nodes where present(cap_rule))", binding, world) == "1", "no other node has an owner")

        // The same rule again keeps `since`; another rule takes it over from now.
        simulator.step()
        _ = binding.inputs(for: simulator.snapshot(), recording: false)
        binding.applied(simulator.apply([ClusterAction(.cap(watts: 350), targets: [node], rule: "cap_dirty")]))
        #expect(binding.ownership.caps[node]?.since == capped)
        simulator.step()
        let takenOver = simulator.now
        _ = binding.inputs(for: simulator.snapshot(), recording: false)
        binding.applied(simulator.apply([ClusterAction(.cap(watts: 300), targets: [node], rule: "cap_hot")]))
        #expect(binding.ownership.caps[node] == .init(rule: "cap_hot", pack: "thermal", since: takenOver))

        // Uncapped (by anyone, even outside Watt): no owner.
        simulator.step()
        world = simulator.snapshot()
        _ = binding.inputs(for: world, recording: false)
        binding.applied(simulator.apply([ClusterAction(.uncap, targets: [node])]))
        simulator.step()
        world = simulator.snapshot()
        #expect(evaluate("count(nodes where present(cap_rule))", binding, world) == "0")
        #expect(binding.ownership.caps.isEmpty)
    }

    @Test func statesThatAreGoneForgetTheirOwners() throws {
        let simulator = try Simulator(clusterFile: Self.small)
        let ownership = ActionOwnership()
        ownership.setRules([("r", "p/r.watt")])
        let world = simulator.snapshot()
        let node = try #require(world.nodes.first).id
        ownership.begin(world)
        ownership.applied([applied(.cap(watts: 300), node, rule: "r"), applied(.suspend, node, rule: "r")])
        #expect(ownership.caps[node]?.rule == "r" && ownership.suspensions[node]?.rule == "r")
        // The snapshot shows the node neither capped nor suspended (the actions were never
        // applied to it here): both owners go.
        ownership.begin(world)
        #expect(ownership.caps.isEmpty && ownership.suspensions.isEmpty)
        // An action of no rule (a test, the REPL) leaves no owner.
        ownership.applied([applied(.cap(watts: 300), node, rule: nil)])
        #expect(ownership.caps.isEmpty)
        #expect(ownership.annotate(world) == world, "nothing to fill in")
    }

    /// When a rule last lifted a node's cap or woke it: kept until the node is capped or
    /// suspended again, or a day has passed; not for changes no rule made.
    @Test func liftsAndWakesAreRemembered() throws {
        let simulator = try Simulator(clusterFile: Self.small)
        let ownership = ActionOwnership()
        ownership.setRules([("r", "p/r.watt")])
        var world = simulator.snapshot()
        let node = try #require(world.nodes.first).id
        ownership.begin(world)
        ownership.applied([applied(.uncap, node, rule: "r"), applied(.wake, node, rule: "r")])
        #expect(ownership.uncapped[node] == world.now && ownership.woken[node] == world.now)
        world.now += 3600
        ownership.begin(world)
        let annotated = ownership.annotate(world)
        #expect(annotated.nodes[0].uncappedAt == world.now - 3600 && annotated.nodes[0].wokenAt == world.now - 3600)
        // Capped again: no longer "uncapped at".
        world.nodes[0].powerCap = 300
        ownership.begin(world)
        #expect(ownership.uncapped[node] == nil && ownership.woken[node] != nil)
        // A day on, a wake is forgotten; a wake by no rule is not remembered.
        world.now += 86_400
        ownership.begin(world)
        #expect(ownership.woken.isEmpty)
        ownership.applied([applied(.wake, node, rule: nil)])
        #expect(ownership.woken.isEmpty)
    }
}
