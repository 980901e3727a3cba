import Foundation
import Testing
import WattCluster
@testable import WattSlurm

/// The world from real Slurm 22.05 output (Fixtures/, captured from the cluster that
/// scripts/slurm-local.sh starts; see Fixtures/README.md).
@Suite struct SlurmSnapshotTests {
    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)"), encoding: .utf8)
    }

    /// A little after the jobs were submitted.
    static let now = 1_796_003_950.0

    func world(sinfo: String = "sinfo.json") throws -> World {
        try SlurmSnapshot.world(squeue: Self.fixture("squeue.json"), sinfo: Self.fixture(sinfo), now: Self.now,
                                site: .init(powerCap: 10_000, pue: 1.2, carbonIntensity: 300 / 3.6e6))
    }

    @Test func jobsMapToTheWorld() throws {
        let w = try world()
        // Finished jobs (COMPLETED, FAILED) are left out.
        #expect(w.jobs.map(\.id) == ["23", "24", "25", "26", "27"])
        let byID = Dictionary(uniqueKeysWithValues: w.jobs.map { ($0.id, $0) })
        #expect(byID["23"]?.state == .running)
        #expect(byID["23"]?.node == "vm")
        #expect(byID["23"]?.flexible == true, "comment watt:flexible")
        #expect(byID["24"]?.flexible == false)
        #expect(byID["25"]?.state == .queued)
        #expect(byID["25"]?.pool == "gpu")
        #expect(byID["27"]?.state == .held, "JobHeldAdmin")
        #expect(w.jobs.allSatisfy { $0.gpus == 1 }, "gres:gpu:1")
        #expect(byID["23"]?.remainingTime == 1_796_007_512 - Self.now)
    }

    @Test func nodesAndPartitions() throws {
        let w = try world()
        #expect(w.nodes.map(\.id) == ["vm"])
        let node = try #require(w.nodes.first)
        #expect(node.pool == "gpu", "the first partition listed")
        #expect(node.state == .on)
        #expect(node.gpus == 2 && node.gpusFree == 0)
        #expect(Set(node.jobs) == ["23", "24"])
        #expect(node.power == nil, "Slurm does not measure power")
        #expect(w.pools.map(\.name) == ["gpu", "efficient"])
        #expect(w.site.powerCap == 10_000)
    }

    @Test func aPoweredDownNodeIsSuspended() throws {
        let node = try #require(try world(sinfo: "sinfo_powered_down.json").nodes.first)
        #expect(node.state == .suspended)
        #expect(node.gpusFree == 2)
    }

    @Test(arguments: [("gpu:2", 2), ("gres:gpu:1", 1), ("gpu:a100:4(IDX:0-3)", 4), ("gpu:1,gpu:v100:2", 3), ("N/A", 0), ("", 0), ("gpu", 0), ("mps:100", 0)])
    func gresCounts(_ text: String, _ count: Int) {
        #expect(SlurmSnapshot.gpus(text) == count)
    }

    @Test func errorsAreClear() {
        #expect(throws: SlurmError.self) { try SlurmSnapshot.world(squeue: "slurm_load_jobs error: Unable to contact slurm controller", sinfo: "{}", now: 0, site: .init(powerCap: 1)) }
        do {
            _ = try SlurmSnapshot.world(squeue: #"{"errors": [{"error": "boom"}], "jobs": []}"#, sinfo: #"{"nodes": []}"#, now: 0, site: .init(powerCap: 1))
            Issue.record("an error list was accepted")
        } catch {
            #expect(error.message == "`squeue --json` reported: boom")
        }
    }
}
