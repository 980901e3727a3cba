import Foundation
import Testing
import WattCluster
import WattEnergy
@testable import WattSlurm

/// Slurm hardware (GRES types, features, sockets) mapped to catalog profiles, on real
/// `sinfo --json` output (Fixtures/sinfo_typed.json: `Gres=gpu:h100:2 Feature=h100,xeon8480`).
@Suite struct SlurmHardwareTests {
    let map = SlurmHardwareMap()

    func parsed(_ sinfo: String) throws -> SlurmSnapshot.Parsed {
        try SlurmSnapshot.parse(squeue: SlurmSnapshotTests.fixture("squeue.json"), sinfo: SlurmSnapshotTests.fixture(sinfo),
                                now: SlurmSnapshotTests.now, site: .init(powerCap: 10_000), hardware: map)
    }

    @Test func typedGresAndFeaturesFromRealOutput() throws {
        let p = try parsed("sinfo_typed.json")
        let hardware = try #require(p.hardware.first)
        #expect(hardware.gpus == 2 && hardware.gpuTypes == ["h100"])
        #expect(hardware.features == ["h100", "xeon8480"])
        #expect(hardware.sockets == 2 && hardware.cpus == 2 && hardware.allocCPUs == 1 && hardware.cpuLoad == 439)
        let match = try #require(p.matches.first)
        #expect(match.profile == "dgx-h100-like")
        #expect(match.notes.isEmpty)
        // The profile with the node's own devices: 2 H100 (not the profile's 8), 2 Xeon 8480+.
        #expect(match.model.devices.map { "\($0.count)x\($0.device.name)" } == ["2xh100-sxm5-80gb", "2xxeon-8480+"])
        #expect(match.model.overheadW == 2500)
        #expect(p.world.nodes.first?.profile == "dgx-h100-like")
        #expect(p.world.pools.map(\.nodeProfile) == ["dgx-h100-like", "dgx-h100-like"])
    }

    @Test func untypedGresFallsBackWithANote() throws {
        let match = try #require(try parsed("sinfo.json").matches.first)
        #expect(match.profile == "dgx-h100-like")
        #expect(match.notes == ["node `vm`: GRES `gpu:2` names no GPU type and no feature names a catalog GPU: profile `dgx-h100-like` assumed"])
        #expect(match.model.devices.map { "\($0.count)x\($0.device.name)" } == ["2xh100-sxm5-80gb", "2xxeon-8480+"])
    }

    @Test func drainedNodesFromRealOutput() throws {
        for fixture in ["sinfo_draining.json", "sinfo_drained.json"] {
            let node = try #require(try parsed(fixture).world.nodes.first)
            #expect(node.state == .draining, "\(fixture)")
            #expect(node.gpusFree == 0 && node.cpusFree == 0, "a draining node offers nothing")
        }
        let running = try #require(try parsed("sinfo_draining.json").world.nodes.first)
        #expect(running.utilization == 0.5, "its job still runs on one of two GPUs")
    }

    @Test(arguments: [
        ("gpu:h100:8(S:0-1)", ["h100"]), ("gpu:2", []), ("gpu:a100:2,gpu:h100:1", ["a100", "h100"]),
        ("gpu:H100:2(IDX:0-1)", ["h100"]), ("N/A", []), ("mps:100,gpu:l40s:4", ["l40s"]),
    ])
    func gresTypes(_ gres: String, _ types: [String]) {
        #expect(SlurmNodeHardware.gpuTypes(gres) == types)
    }

    func match(gpus: Int, types: [String] = [], features: [String] = [], sockets: Int = 0) -> SlurmHardwareMap.Match {
        map.match(SlurmNodeHardware(name: "n1", gpus: gpus, gpuTypes: types, features: features, sockets: sockets))
    }

    func devices(_ m: SlurmHardwareMap.Match) -> [String] { m.model.devices.map { "\($0.count)x\($0.device.name)" } }

    @Test func catalogNodesByGpuTypeAndFeatures() {
        let a100 = match(gpus: 4, types: ["a100"])
        #expect(a100.profile == "dgx-a100-like" && a100.notes.isEmpty)
        #expect(devices(a100) == ["4xa100-sxm4-80gb", "2xepyc-7763"])
        // A feature names the GPU when GRES is untyped; another names the CPU, one per socket.
        let l40s = match(gpus: 4, features: ["l40s", "epyc9654"], sockets: 2)
        #expect(l40s.profile == "l40s-4gpu" && devices(l40s) == ["4xl40s", "2xepyc-9654"])
        let h200 = match(gpus: 8, types: ["h200"])
        #expect(h200.profile == "hgx-h200-like")
        let cpu = match(gpus: 0, features: ["epyc9654"], sockets: 2)
        #expect(cpu.profile == "cpu-epyc-9654-2s" && devices(cpu) == ["2xepyc-9654"] && cpu.notes.isEmpty)
        // A feature that names a catalog node profile decides.
        let named = match(gpus: 8, types: ["h100"], features: ["xeon8480", "mi300x-8gpu"], sockets: 2)
        #expect(named.profile == "mi300x-8gpu" && named.notes.isEmpty)
        #expect(devices(named) == ["8xmi300x", "2xepyc-9654"], "the named profile's own devices")
    }

    @Test func unknownHardwareFallsBackToTheDocumentedDefaults() {
        let b200 = match(gpus: 8, types: ["b200"])
        #expect(b200.profile == "dgx-h100-like")
        #expect(b200.notes == ["node `n1`: GPU type `b200` is not in the hardware catalog: profile `dgx-h100-like` assumed"])
        let pcie = match(gpus: 4, types: ["h100-pcie"])
        #expect(pcie.profile == "dgx-h100-like")
        #expect(devices(pcie) == ["4xh100-pcie-80gb", "2xxeon-8480+"], "the named GPU, on the default profile")
        #expect(pcie.notes == ["node `n1`: no catalog node has GPU `h100-pcie-80gb`: profile `dgx-h100-like` with its GPUs as `h100-pcie-80gb`"])
        let bare = match(gpus: 0, features: ["ib", "nvme"])
        #expect(bare.profile == "cpu-epyc-9654-2s")
        #expect(bare.notes == ["node `n1`: no feature names a catalog CPU: profile `cpu-epyc-9654-2s` assumed"])
        let xeon = match(gpus: 0, features: ["xeon8380"], sockets: 2)
        #expect(xeon.profile == "cpu-epyc-9654-2s" && devices(xeon) == ["2xxeon-8380"])
        #expect(xeon.notes.first?.contains("no catalog CPU node has `xeon-8380`") == true)
    }

    @Test(arguments: ["gpu", "ib", "a", "x86_64", "h1", ""]) func wordsThatAreNoDeviceNameNone(_ token: String) {
        #expect(map.device(named: token, kind: .gpu) == nil && map.device(named: token, kind: .cpu) == nil)
    }
}
