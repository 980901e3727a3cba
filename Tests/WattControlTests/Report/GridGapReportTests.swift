import Foundation
import Testing
import WattCluster
@testable import WattControl
import WattLanguage
import WattTestSupport

/// A gap in the grid's carbon-intensity series: the energy used while there was no intensity
/// is reported (table and JSON, with the share of the run's time) and the carbon figure is
/// marked incomplete, instead of silently lower (a 6-hour gap took 30.7 kg to 20.3 kg). A gap
/// at the window's edge is a gap, not "the run is not inside" a file that covers it.
@Suite struct GridGapReportTests {
    static let never = SourceFile(name: "n.watt", text: "rule n { when count(nodes) < 0 then suspend nodes }\n")

    /// small.yaml on a half-hourly series at 200 g/kWh with no rows from `gapFrom` to `gapTo`
    /// (hours after 2020-01-06T00:00Z), values holding 30 minutes.
    static func cluster(gapFrom: Double, gapTo: Double) throws -> (dir: URL, file: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-gap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var csv = "Time,Carbon Intensity\n"
        let start = 1_578_268_800.0  // 2020-01-06T00:00:00Z
        for half in -96..<(5 * 48) {
            let hours = Double(half) / 2
            if hours >= gapFrom && hours < gapTo { continue }
            csv += "\(TimeCalendar.format(start + hours * 3600)),200\n"
        }
        try csv.write(to: dir.appendingPathComponent("grid.csv"), atomically: true, encoding: .utf8)
        let small = try String(contentsOf: RepositoryRoot.url.appendingPathComponent("examples/clusters/small.yaml"), encoding: .utf8)
        let yaml = small.replacingOccurrences(of: "g_per_kwh: 200", with: "file: grid.csv\n    max_hold_s: 1800")
            .replacingOccurrences(of: "trace: ../traces/small.csv",
                                  with: "trace: " + RepositoryRoot.url.appendingPathComponent("examples/traces/small.csv").path)
        #expect(yaml != small)
        let file = dir.appendingPathComponent("gap.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return (dir, file.path)
    }

    @Test func aGapInsideTheRunIsReportedAndCarbonMarkedIncomplete() throws {
        let (dir, file) = try Self.cluster(gapFrom: 6, gapTo: 12)
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try PolicyRun.run(clusterFile: file, traceFile: nil, policies: [Self.never], days: 1)
        let accounting = run.policies.report.accounting
        #expect(accounting.joulesWithoutIntensity > 0)
        // No rows from 06:00 to 12:00 (the 05:30 value holds to 06:00): 6 h of 24 h.
        #expect(abs(run.policies.timeWithoutIntensityShare - 6.0 / 24) < 0.01)
        let table = PolicyRun.table(policies: run.policies, baseline: run.baseline)
        #expect(table.contains("carbon (location-based, incomplete)"))
        #expect(table.contains("carbon is incomplete: the grid series has no carbon intensity for"))
        #expect(table.contains("(25.0 % of the run's time)"))
        #expect(PolicyRun.table(policies: run.policies, baseline: run.baseline, markdown: true).contains("Carbon is incomplete"))
        let json = PolicyRun.json(policies: run.policies, baseline: run.baseline)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let policies = try #require(root["policies"] as? [String: Any])
        #expect(policies["carbon_complete"] as? Bool == false)
        #expect((policies["energy_without_intensity_j"] as? Double).map { abs($0 - accounting.joulesWithoutIntensity) < 1e-6 } == true)
        #expect((policies["time_without_intensity_share"] as? Double).map { abs($0 - 6.0 / 24) < 0.01 } == true)
    }

    @Test func aRunWithAnIntensityThroughoutIsComplete() throws {
        let (dir, file) = try Self.cluster(gapFrom: 100, gapTo: 101)
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try PolicyRun.run(clusterFile: file, traceFile: nil, policies: [Self.never], days: 1)
        let table = PolicyRun.table(policies: run.policies, baseline: run.baseline)
        #expect(!table.contains("incomplete"))
        let json = PolicyRun.json(policies: run.policies, baseline: run.baseline)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect((root["policies"] as? [String: Any])?["carbon_complete"] as? Bool == true)
        #expect((root["baseline"] as? [String: Any])?["energy_without_intensity_j"] as? Double == 0)
    }

    /// The run ends inside a gap the series covers on both sides: it runs, and reports it.
    @Test func aGapAtTheWindowsEdgeIsAGapNotOutsideTheFile() throws {
        let (dir, file) = try Self.cluster(gapFrom: 20, gapTo: 30)
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try PolicyRun.run(clusterFile: file, traceFile: nil, policies: [Self.never], days: 1)
        #expect(run.policies.report.accounting.joulesWithoutIntensity > 0)
        // Outside the file is still refused, saying what it covers.
        do {
            _ = try PolicyRun.run(clusterFile: file, traceFile: nil, policies: [Self.never], days: 10)
            Issue.record("a run beyond the series ran")
        } catch {
            #expect(error.message.contains("is not inside it"))
        }
    }
}
