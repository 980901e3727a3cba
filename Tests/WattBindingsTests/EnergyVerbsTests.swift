import Foundation
import Testing
import WattTestSupport
@testable import WattBindings
import WattCluster
import WattEnergy
import WattLanguage

/// Each verb's declaration owns its signature, its cluster action, its journal forms and its
/// test matcher: they agree for every verb.
@Suite struct EnergyVerbsTests {
    /// One action of every `ClusterAction.Kind` case (a new case must be added here, and to a verb).
    static let kinds: [ClusterAction.Kind] = [
        .move(to: .pool("efficient")), .move(to: .node("a-001")), .deferUntil(1_591_353_600), .deferFor(7200), .release, .preempt,
        .preemptUntil(1_591_353_600), .cap(watts: 400), .uncap, .suspend, .wake, .drain, .resume, .alert(severity: "critical", message: "hot"),
    ]

    @Test func everyKindIsMadeByExactlyOneVerbAndRoundTripsThroughTheJournal() throws {
        let d = EnergyDeclarations.standard
        for kind in Self.kinds {
            #expect(d.verbs.filter { $0.makes(kind) }.count == 1, "\(kind)")
            let encoded = try #require(d.journalEncoding(of: kind))
            #expect(d.journalDecoding(code: encoded.code, fields: encoded.fields) == kind)
        }
        #expect(d.journalDecoding(code: "teleport", fields: JournalFields()) == nil)
        // Every verb makes at least one kind, and each form is used.
        for verb in d.verbs { #expect(verb.forms.allSatisfy { form in Self.kinds.contains { form.encode($0) != nil } }, "\(verb.name)") }
    }

    /// The journal codes are stable: journals written before the declarations read the same.
    @Test func journalCodesAreTheOnesEarlierVersionsWrote() {
        let d = EnergyDeclarations.standard
        #expect(Self.kinds.compactMap { d.journalEncoding(of: $0)?.code } == [
            "move-pool", "move-node", "defer-until", "defer-for", "release", "preempt", "preempt-until", "cap", "uncap", "suspend", "wake", "drain",
            "resume", "alert",
        ])
        #expect(d.journalEncoding(of: .alert(severity: "info", message: "m"))?.fields == JournalFields(text: "m", severity: "info"))
    }

    /// Every declared verb is registered with its slots, and a policy's actions become the
    /// cluster actions the verb declares.
    @Test func proposedActionsBecomeTheDeclaredClusterActions() throws {
        let simulator = try Simulator(clusterFile: RepositoryRoot.url.appendingPathComponent("examples/clusters/small.yaml").path)
        for _ in 0..<12 { simulator.step() }
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        #expect(Set(binding.vocabulary.verbs.keys) == Set(binding.declarations.verbs.map(\.name)))
        let cases: [(String, ClusterAction.Kind, Bool)] = [
            ("move jobs to pool \"efficient\"", .move(to: .pool("efficient")), false),
            ("move jobs to node \"x\"", .move(to: .node("x")), false),
            ("defer jobs for 2 h", .deferFor(7200), false),
            ("defer jobs until time(\"2020-06-05T10:00:00Z\")", .deferUntil(1_591_351_200), false),
            ("release jobs", .release, false), ("preempt jobs", .preempt, false),
            ("preempt jobs until time(\"2020-06-05T10:00:00Z\")", .preemptUntil(1_591_351_200), false),
            ("cap nodes at 0.4 kW", .cap(watts: 400), true), ("uncap nodes", .uncap, true), ("suspend nodes", .suspend, true),
            ("wake nodes", .wake, true), ("drain nodes", .drain, true), ("resume nodes", .resume, true),
            ("alert \"hot\" with severity \"critical\"", .alert(severity: "critical", message: "hot"), false),
        ]
        let world = simulator.snapshot()
        for (action, kind, onNodes) in cases {
            let compiled = Compilation.compile([SourceFile(name: "p.watt", text: "rule r { when true then \(action) }")],
                                               vocabulary: binding.vocabulary)
            let program = try #require(compiled.program, "\(DiagnosticRenderer.text(compiled.diagnostics))")
            let proposed = try #require(program.evaluate(binding.inputs(for: world), now: world.now).actions.first, "\(action)")
            let cluster = try binding.clusterAction(proposed)
            #expect(cluster.kind == kind, "\(action)")
            #expect(cluster.rule == "r")
            switch kind {
            case .alert: #expect(cluster.targets.isEmpty)
            default: #expect(cluster.targets == (onNodes ? world.nodes.map(\.id) : world.jobs.filter { $0.state != .done }.map(\.id)))
            }
        }
    }

    /// What `expect VERB ... SLOT value` compares: the value of the declared slot, with the
    /// tolerance of its kind; another value or another verb's action does not match.
    @Test func slotMatchersCompareTheDeclaredSlot() throws {
        let d = EnergyDeclarations.standard
        let move = try #require(d.verb(named: "move")), cap = try #require(d.verb(named: "cap"))
        let deferring = try #require(d.verb(named: "defer")), alert = try #require(d.verb(named: "alert"))
        #expect(move.matcher(slot: "to pool", value: .string("efficient"))?(.move(to: .pool("efficient"))) == true)
        #expect(move.matcher(slot: "to pool", value: .string("batch"))?(.move(to: .pool("efficient"))) == false)
        #expect(move.matcher(slot: "to pool", value: .number(1)) == nil)
        #expect(move.matcher(slot: "at", value: .number(1)) == nil)
        #expect(cap.matcher(slot: "at", value: .number(400))?(.cap(watts: 400 + 1e-7)) == true)
        #expect(cap.matcher(slot: "at", value: .number(400))?(.cap(watts: 450)) == false)
        #expect(deferring.matcher(slot: "for", value: .number(7200))?(.deferFor(7200)) == true)
        #expect(deferring.matcher(slot: "until", value: .instant(10))?(.deferFor(10)) == false)
        #expect(alert.matcher(slot: "with severity", value: .string("info"))?(.alert(severity: "info", message: "x")) == true)
        #expect(alert.names("x", in: ClusterAction(.alert(severity: "info", message: "x"), targets: [])))
        #expect(cap.names("a-001", in: ClusterAction(.cap(watts: 400), targets: ["a-001"])))
        #expect(d.verb(of: .deferUntil(0))?.name == "defer")
    }
}
