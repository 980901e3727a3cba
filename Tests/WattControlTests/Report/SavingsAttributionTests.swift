import Foundation
import Testing
import WattCluster
@testable import WattControl
import WattLanguage
import WattTestSupport

/// The report's "where the savings came from": each part against the change from the
/// baseline, the residual, and strict JSON.
@Suite struct SavingsAttributionTests {
    static let small = RepositoryRoot.url.appendingPathComponent("examples/clusters/small.yaml").path
    let suspend = SourceFile(name: "s.watt", text: """
        rule s { when count(nodes where state == "idle" and id != "default-001") > 0 then suspend nodes where state == "idle" and id != "default-001" }

        """)
    let capAll = SourceFile(name: "c.watt", text: """
        rule c { when count(nodes where state == "on" and pool == "default" and not present(power_cap)) > 0 then cap nodes where state == "on" and pool == "default" at 400 W }

        """)
    let never = SourceFile(name: "n.watt", text: "rule n { when count(nodes) < 0 then suspend nodes }\n")

    /// A trace with no jobs, in a temporary directory.
    func emptyTrace() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-attr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("empty.csv")
        try "id,submit,user,pool,gpus,cpus,duration,utilization,flexible,preemptible,deadline,priority\n".write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func withNothingElseChangingSuspensionIsTheWholeChange() throws {
        let trace = try emptyTrace()
        defer { try? FileManager.default.removeItem(at: trace.deletingLastPathComponent()) }
        let run = try PolicyRun.run(clusterFile: Self.small, traceFile: trace.path, policies: [suspend], days: 0.5)
        let a = PolicyRun.Attribution(policies: run.policies.report, baseline: run.baseline.report)
        #expect(a.ledger.suspension.itEnergy > 0)
        #expect(a.total.itEnergy > 0)
        // Priced tick by tick as the run's accounting prices it: nothing left over.
        #expect(abs(a.residual.itEnergy) <= 1e-9 * a.total.itEnergy)
        #expect(abs(a.residual.facilityEnergy) <= 1e-9 * a.total.facilityEnergy)
        #expect(abs(a.residual.grams) <= 1e-9 * a.total.grams)
        #expect(abs(a.residual.cost) <= 1e-9 * a.total.cost)
        #expect(a.workChange == 0)
    }

    @Test func theResidualIsTheTotalMinusTheParts() throws {
        let run = try PolicyRun.run(clusterFile: Self.small, traceFile: nil, policies: [suspend, capAll], days: 1)
        let a = PolicyRun.Attribution(policies: run.policies.report, baseline: run.baseline.report)
        let l = a.ledger
        #expect(l.caps.itEnergy != 0 && l.suspension.itEnergy > 0)
        let parts = [l.caps.itEnergy, l.suspension.itEnergy, l.moves.itEnergy, l.shifting.savings.itEnergy]
        let grams = [l.caps.grams, l.suspension.grams, l.moves.grams, l.shifting.savings.grams]
        #expect(close(a.residual.itEnergy, (run.baseline.report.itEnergy - run.policies.report.itEnergy) - parts.reduce(0, +)))
        #expect(close(a.residual.grams, (run.baseline.report.carbonGrams - run.policies.report.carbonGrams) - grams.reduce(0, +)))
        let table = PolicyRun.table(policies: run.policies, baseline: run.baseline)
        for label in ["where the savings came from", "GPU caps set by policies", "node suspension", "moving jobs between pools",
                      "shifting in time", "residual (interactions, second order)", "total change vs baseline", "not marginal",
                      "GPU work done"] {
            #expect(table.contains(label), "the table lacks `\(label)`")
        }
        #expect(PolicyRun.table(policies: run.policies, baseline: run.baseline, markdown: true).contains("| where the savings came from |"))
    }

    @Test func aRunThatSavesNothingGivesStrictJSONWithNulls() throws {
        let run = try PolicyRun.run(clusterFile: Self.small, traceFile: nil, policies: [never], days: 0.25)
        let text = PolicyRun.json(policies: run.policies, baseline: run.baseline)
        #expect(!text.lowercased().contains("nan") && !text.lowercased().contains("inf"))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let attribution = try #require(root["attribution"] as? [String: Any])
        for key in ["caps", "caps_low_j", "caps_high_j", "suspension", "suspended_node_s", "moves", "jobs_moved", "shifting",
                    "shifted_it_energy_j", "jobs_shifted", "shifted_from_intensity_g_per_kwh", "shifted_to_intensity_g_per_kwh",
                    "residual", "total", "saved_intensity_g_per_kwh", "run_intensity_g_per_kwh", "baseline_intensity_g_per_kwh",
                    "gpu_work_change_s", "intensity_method"] {
            #expect(attribution.keys.contains(key), "missing `\(key)`")
        }
        let caps = try #require(attribution["caps"] as? [String: Any])
        #expect(caps["intensity_g_per_kwh"] is NSNull, "nothing saved: no intensity of savings")
        #expect(caps["it_energy_j"] as? Double == 0)
        #expect(attribution["saved_intensity_g_per_kwh"] is NSNull)
        #expect(attribution["shifted_from_intensity_g_per_kwh"] is NSNull)
        let total = try #require(attribution["total"] as? [String: Any])
        #expect(total["it_energy_j"] as? Double == 0)
        #expect((attribution["run_intensity_g_per_kwh"] as? Double).map { abs($0 - 200) < 1e-9 } == true)
        #expect(((root["policies"] as? [String: Any])?["it_energy_per_gpu_hour_j"] as? Double) != nil)
        #expect(String(decoding: try JSONEncoder().encode(try JSONDecoder().decode(PolicyRun.ReportJSON.self, from: Data(text.utf8))), as: UTF8.self).contains("attribution"))
    }

    @Test func figuresThatAreNotNumbersAreNull() throws {
        let run = try PolicyRun.run(clusterFile: Self.small, traceFile: nil, policies: [never], days: 0.1)
        var p = run.policies
        p.report.itEnergy = .nan
        p.report.accounting.grams = .infinity
        let text = PolicyRun.json(policies: p, baseline: run.baseline)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let attribution = try #require(root["attribution"] as? [String: Any])
        #expect((attribution["total"] as? [String: Any])?["it_energy_j"] is NSNull)
        #expect((attribution["residual"] as? [String: Any])?["carbon_g"] is NSNull)
        #expect(attribution["run_intensity_g_per_kwh"] is NSNull)
    }
}

private func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1) }
