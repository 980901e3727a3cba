import Foundation
import Testing
import WattCluster
@testable import WattControl
import WattLanguage
import WattTestSupport

/// `watt run --json` is strict JSON whatever the figures: infinities, NaN and the largest
/// doubles (whose differences overflow) in every figure become `null`, never `inf`, `nan`
/// or an empty object, and every key is still there.
@Suite struct ReportJSONStrictTests {
    static let small = RepositoryRoot.url.appendingPathComponent("examples/clusters/small.yaml").path
    static let never = SourceFile(name: "n.watt", text: "rule n { when count(nodes) < 0 then suspend nodes }\n")

    static func extreme(_ s: inout PolicyRun.Summary, _ v: Double) {
        s.report.itEnergy = v
        s.report.facilityEnergy = -v
        s.report.accounting.grams = v
        s.report.accounting.cost = v
        s.report.accounting.joules = v
        s.report.accounting.joulesWithoutIntensity = v
        s.report.accounting.secondsWithoutIntensity = v
        s.report.gpuWork = v
        s.report.capSavings = CapSavings(central: v, low: -v, high: v)
        s.report.savings.caps.itEnergy = v
        s.report.savings.caps.grams = -v
        s.report.savings.capsLow = v
        s.report.savings.suspension.cost = v
        s.report.savings.suspendedSeconds = v
        s.report.savings.moves.facilityEnergy = v
        s.report.savings.shifting.itEnergy = v
        s.peakFacilityPower = v
        s.hoursAboveCap = v
        s.waitP50 = v
        s.waitP95 = -v
        s.slowdownMean = v
        s.slowdownP95 = v
    }

    @Test(arguments: [Double.infinity, -Double.infinity, Double.nan, 1e308, -1e308, Double.greatestFiniteMagnitude])
    func extremeFiguresGiveStrictJSON(_ v: Double) throws {
        let run = try PolicyRun.run(clusterFile: Self.small, traceFile: nil, policies: [Self.never], days: 0.1)
        var p = run.policies, b = run.baseline
        Self.extreme(&p, v)
        Self.extreme(&b, -v)
        let text = PolicyRun.json(policies: p, baseline: b)
        let lower = text.lowercased()
        #expect(!lower.contains("nan") && !lower.contains("inf"), "\(text)")
        // Strict: JSONSerialization refuses non-finite numbers and trailing garbage.
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(root.keys) == ["currency", "carbon_method", "baseline", "policies", "attribution", "stability"])
        let policies = try #require(root["policies"] as? [String: Any])
        #expect(policies.keys.contains("carbon_g") && policies.keys.contains("energy_without_intensity_j"))
        // The same text decodes as the Codable type it was encoded from.
        #expect(throws: Never.self) { try JSONDecoder().decode(PolicyRun.ReportJSON.self, from: Data(text.utf8)) }
        // The table's rows print such a figure as `-`, never `inf`, `nan` or `-nan %`.
        let table = PolicyRun.table(policies: p, baseline: b)
        let rows = table.components(separatedBy: "\n").prefix { !$0.isEmpty }
        for row in rows {
            #expect(!row.contains("nan") && !row.contains("inf"), "\(row)")
        }
    }
}
