import Foundation
import Testing
import WattCluster
@testable import WattControl
import WattLanguage
import WattTestSupport

/// The report's stability section: flaps by pair of rules and change, the targets that
/// flapped most, in the table, the JSON and the chart; equal to the flap count.
@Suite struct StabilityReportTests {
    static let small = RepositoryRoot.url.appendingPathComponent("examples/clusters/small.yaml").path
    /// Two rules that undo each other: every idle node is suspended, every suspended one woken.
    static let fighting = SourceFile(name: "f.watt", text: """
        rule sleep { when true then suspend nodes where state == "idle" }
        rule wake_all { when true then wake nodes where state == "suspended" }
        """)
    static let calm = SourceFile(name: "c.watt", text: "rule n { when count(nodes) < 0 then suspend nodes }\n")

    @Test func flapsAreAttributedToTheirRulesInTableJSONAndChart() throws {
        let run = try PolicyRun.run(clusterFile: Self.small, traceFile: nil, policies: [Self.fighting], days: 0.25)
        let p = run.policies
        #expect(p.flaps > 0)
        #expect(p.flapStats.total == p.flaps, "the breakdown adds up to the count")
        #expect(Set(p.flapStats.byPair.keys.map(\.undoing)).isSubset(of: ["sleep", "wake_all"]))
        #expect(p.flapStats.byChange.keys.allSatisfy { $0 == "suspend → wake" || $0 == "wake → suspend" })

        let table = PolicyRun.table(policies: p, baseline: run.baseline)
        #expect(table.contains("flaps (an action undone within 1 h), by the rule whose action was undone -> the rule that undid it:"))
        #expect(table.contains("sleep -> wake_all (suspend -> wake)"))
        #expect(table.contains("most flapping targets: "))
        let markdown = PolicyRun.table(policies: p, baseline: run.baseline, markdown: true)
        #expect(markdown.contains("| `sleep` | `wake_all` | suspend → wake |"))

        let json = PolicyRun.json(policies: p, baseline: run.baseline)
        let report = try JSONDecoder().decode(PolicyRun.ReportJSON.self, from: Data(json.utf8))
        #expect(report.stability.flaps == p.flaps)
        #expect(report.stability.pairs.map(\.flaps).reduce(0, +) == p.flaps)
        #expect(report.stability.targets.count <= 20 && !report.stability.targets.isEmpty)

        let svg = PolicyRun.chart(policies: p, baseline: run.baseline, title: "t")
        #expect(svg.contains("fill=\"#b00\""), "flaps are marked in the rule rows")
        #expect(svg.contains("flaps)</text>"))
    }

    @Test func aCalmRunHasNoStabilitySection() throws {
        let run = try PolicyRun.run(clusterFile: Self.small, traceFile: nil, policies: [Self.calm], days: 0.1)
        #expect(run.policies.flaps == 0)
        #expect(!PolicyRun.table(policies: run.policies, baseline: run.baseline).contains("most flapping targets"))
        let report = try JSONDecoder().decode(PolicyRun.ReportJSON.self,
                                              from: Data(PolicyRun.json(policies: run.policies, baseline: run.baseline).utf8))
        #expect(report.stability.flaps == 0 && report.stability.pairs.isEmpty)
        #expect(!PolicyRun.chart(policies: run.policies, baseline: run.baseline, title: "t").contains("#b00"))
    }
}
