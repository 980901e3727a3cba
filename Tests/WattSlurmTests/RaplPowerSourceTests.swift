import Foundation
import Testing
import WattCluster
@testable import WattSlurm

/// RAPL on a fake powercap tree laid out as Linux does (every zone a flat entry of
/// /sys/class/powercap: `intel-rapl:0` and its subzones `intel-rapl:0:0`, ...).
@Suite final class RaplPowerSourceTests {
    final class Clock: @unchecked Sendable { var now = 0.0 }

    let root: String
    let clock = Clock()

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("watt-rapl-\(UUID().uuidString)").path
        try zone("intel-rapl:0", name: "package-0", energy: 1_000_000, range: 262_143_328_850)
        try zone("intel-rapl:0:0", name: "core", energy: 500_000, range: 262_143_328_850)   // inside the package: not added
        try zone("intel-rapl:0:2", name: "dram", energy: 2_000_000, range: 65_712_999_613)
        try zone("intel-rapl:1", name: "package-1", energy: 262_143_000_000, range: 262_143_328_850)
        try zone("intel-rapl:2", name: "psys", energy: 9_000_000, range: 262_143_328_850)    // the platform: not added
        try FileManager.default.createDirectory(atPath: "\(root)/intel-rapl", withIntermediateDirectories: true)
    }

    /// Each test's fake powercap tree goes with it (a suite instance per test).
    deinit { try? FileManager.default.removeItem(atPath: root) }

    func zone(_ zone: String, name: String? = nil, energy: Double, range: Double? = nil) throws {
        let dir = "\(root)/\(zone)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if let name { try "\(name)\n".write(toFile: "\(dir)/name", atomically: true, encoding: .utf8) }
        try "\(Int64(energy))\n".write(toFile: "\(dir)/energy_uj", atomically: true, encoding: .utf8)
        if let range { try "\(Int64(range))\n".write(toFile: "\(dir)/max_energy_range_uj", atomically: true, encoding: .utf8) }
    }

    func source(node: String = "vm") -> RaplPowerSource {
        let clock = self.clock
        return RaplPowerSource(root: root, node: node, clock: { clock.now })
    }

    static func node(_ id: String) -> World.Node {
        World.Node(id: id, pool: "gpu", profile: "dgx-h100-like", state: .on, power: nil, powerCap: nil, utilization: 0, temperature: 0,
                   jobs: [], gpus: 0, gpusFree: 0, cpus: 2, cpusFree: 0)
    }

    @Test func successiveReadingsGiveWattsAcrossAWraparound() throws {
        let rapl = source()
        let nodes = [Self.node("vm"), Self.node("other")]
        // The first reading has no rate: no measurement, and nothing to complain about.
        #expect(rapl.measure(nodes) == PowerSurvey())
        clock.now = 10
        try zone("intel-rapl:0", energy: 1_000_000 + 1_200_000_000)       // 1200 J
        try zone("intel-rapl:0:2", energy: 2_000_000 + 100_000_000)       // 100 J
        try zone("intel-rapl:0:0", energy: 500_000 + 999_000_000)         // ignored
        // package-1 wraps: 328_850 µJ to the top of its range, then 699_671_150 µJ: 700 J.
        try zone("intel-rapl:1", energy: 699_671_150)
        try zone("intel-rapl:2", energy: 9_000_000 + 5_000_000_000)       // ignored
        let survey = rapl.measure(nodes)
        #expect(survey.problems.isEmpty)
        #expect(survey.measured.keys.sorted() == ["vm"], "RAPL measures this machine only")
        let m = try #require(survey.measured["vm"])
        #expect(m.covers == .cpus)
        #expect(abs(m.watts - (1200 + 100 + 700) / 10.0) < 1e-9)
        // The next interval counts from the last reading.
        clock.now = 20
        try zone("intel-rapl:0", energy: 1_000_000 + 1_200_000_000 + 500_000_000)
        #expect(abs(rapl.measure(nodes).measured["vm"]!.watts - 50) < 1e-9)
    }

    @Test func aCounterThatGoesBackWithoutARangeIsAProblem() throws {
        try FileManager.default.removeItem(atPath: "\(root)/intel-rapl:1/max_energy_range_uj")
        let rapl = source()
        _ = rapl.measure([Self.node("vm")])
        clock.now = 5
        try zone("intel-rapl:1", energy: 10)
        let survey = rapl.measure([Self.node("vm")])
        #expect(survey.measured.isEmpty)
        #expect(survey.problems == ["rapl: `\(root)/intel-rapl:1/energy_uj` went backwards and its range is unknown"])
    }

    @Test func problemsAreClear() throws {
        #expect(source(node: "login01").measure([Self.node("vm")]).problems
                == ["rapl measures this machine, `login01`, which is not a Slurm node (give `--power-node`)"])
        let missing = RaplPowerSource(root: "\(root)/nothing", node: "vm").measure([Self.node("vm")])
        #expect(missing.problems.first?.hasPrefix("rapl: no powercap tree at `\(root)/nothing`") == true)
        try "garbage".write(toFile: "\(root)/intel-rapl:0/energy_uj", atomically: true, encoding: .utf8)
        #expect(source().measure([Self.node("vm")]).problems == ["rapl: `\(root)/intel-rapl:0/energy_uj` holds `garbage`, not a counter"])
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("watt-rapl-empty-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: empty) }
        try FileManager.default.createDirectory(atPath: "\(empty)/intel-rapl:0", withIntermediateDirectories: true)
        try "psys".write(toFile: "\(empty)/intel-rapl:0/name", atomically: true, encoding: .utf8)
        #expect(RaplPowerSource(root: empty, node: "vm").measure([Self.node("vm")]).problems == ["rapl: no RAPL package zones under `\(empty)`"])
    }

    @Test func theLocalNodeIsTheShortHostName() {
        let name = localNodeName()
        #expect(!name.isEmpty && !name.contains("."))
        #expect(RaplPowerSource().node == name)
    }
}
