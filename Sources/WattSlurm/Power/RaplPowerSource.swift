import Foundation
import WattCluster

/// CPU package power of this machine from Linux powercap/RAPL: the energy counters
/// (`energy_uj`) of the package zones (`intel-rapl:N` named `package-N`; AMD's RAPL driver uses
/// the same names) and of their `dram` subzones, under `root` (`/sys/class/powercap`). Two
/// successive readings give watts: the counters' growth over the time between them, across a
/// wraparound at `max_energy_range_uj`. The first reading has no rate, so the node gets the
/// model estimate for that tick. It measures the local machine only, so it covers one node:
/// `node` (by default the short host name). RAPL sees the CPUs and memory: the GPUs and the
/// rest of the node come from the model.
public final class RaplPowerSource: NodePowerSource, @unchecked Sendable {
    public let name = "rapl"
    public let root: String
    public let node: String
    let clock: @Sendable () -> Double
    private let lock = NSLock()
    private var previous: (time: Double, energy: [String: Double])?

    public init(root: String = "/sys/class/powercap", node: String = localNodeName(),
                clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.root = root
        self.node = node
        self.clock = clock
    }

    /// A sysfs file's text, or why it cannot be read (`permission denied`: the counters are
    /// readable by root only since Linux 5.10).
    static func read(_ path: String) -> Result<String, SlurmError> {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .failure(SlurmError("cannot read `\(path)`: \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = Foundation.read(fd, &buffer, buffer.count)
        guard n >= 0 else { return .failure(SlurmError("cannot read `\(path)`: \(String(cString: strerror(errno)))")) }
        return .success(String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func number(_ path: String) -> Result<Double, SlurmError> {
        switch read(path) {
        case .failure(let why): return .failure(why)
        case .success(let text):
            guard let value = Double(text), value >= 0 else { return .failure(SlurmError("`\(path)` holds `\(text)`, not a counter")) }
            return .success(value)
        }
    }

    /// The zones counted: package zones, and the DRAM subzones under them.
    func zones() -> Result<[String], SlurmError> {
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: root) } catch {
            return .failure(SlurmError("no powercap tree at `\(root)` (RAPL needs the intel_rapl_common module, and is absent on most virtual machines)"))
        }
        var zones: [String] = []
        for entry in entries.sorted() where entry.hasPrefix("intel-rapl:") {
            let parts = entry.dropFirst("intel-rapl:".count).split(separator: ":", omittingEmptySubsequences: false)
            guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { continue }
            guard case .success(let zoneName) = Self.read("\(root)/\(entry)/name") else { continue }
            if (parts.count == 1 && zoneName.hasPrefix("package")) || (parts.count == 2 && zoneName == "dram") {
                zones.append(entry)
            }
        }
        return zones.isEmpty ? .failure(SlurmError("no RAPL package zones under `\(root)`")) : .success(zones)
    }

    public func measure(_ nodes: [World.Node]) -> PowerSurvey {
        lock.lock()
        defer { lock.unlock() }
        guard nodes.contains(where: { $0.id == node }) else {
            return PowerSurvey(problems: ["rapl measures this machine, `\(node)`, which is not a Slurm node (give `--power-node`)"])
        }
        let zones: [String]
        switch self.zones() {
        case .failure(let why): previous = nil; return PowerSurvey(problems: ["rapl: \(why)"])
        case .success(let z): zones = z
        }
        let now = clock()
        var energy: [String: Double] = [:]
        var ranges: [String: Double] = [:]
        for zone in zones {
            switch Self.number("\(root)/\(zone)/energy_uj") {
            case .failure(let why): previous = nil; return PowerSurvey(problems: ["rapl: \(why)"])
            case .success(let e): energy[zone] = e
            }
            if case .success(let r) = Self.number("\(root)/\(zone)/max_energy_range_uj") { ranges[zone] = r }
        }
        defer { self.previous = (now, energy) }
        guard let last = previous, Set(last.energy.keys) == Set(energy.keys), now > last.time else {
            return PowerSurvey()  // the first reading (or the zones changed): no rate yet
        }
        var joules = 0.0
        for (zone, e) in energy {
            let before = last.energy[zone]!
            if e >= before {
                joules += (e - before) / 1e6
            } else if let range = ranges[zone], range >= before {
                joules += (range - before + e) / 1e6  // the counter wrapped around
            } else {
                return PowerSurvey(problems: ["rapl: `\(root)/\(zone)/energy_uj` went backwards and its range is unknown"])
            }
        }
        return PowerSurvey(measured: [node: PowerMeasurement(watts: joules / (now - last.time), covers: .cpus)])
    }
}
