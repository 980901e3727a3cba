import Foundation
import WattCluster

/// One node's power as a source measured it, and which part of the node that is: RAPL sees
/// the CPU packages, `nvidia-smi` and DCGM the GPUs; the rest of the node comes from the
/// model (`PowerTelemetry`).
public struct PowerMeasurement: Sendable, Equatable {
    public enum Coverage: String, Sendable, Equatable, CaseIterable {
        /// The whole node (e.g. a BMC reading through Prometheus).
        case node
        /// Its GPUs only.
        case gpus
        /// Its CPU packages (and DRAM) only.
        case cpus
    }

    /// W.
    public var watts: Double
    public var covers: Coverage

    public init(watts: Double, covers: Coverage) {
        self.watts = watts
        self.covers = covers
    }
}

/// What a source measured in one round: the nodes it covers, and why it measured nothing
/// where it could not (lines for operators: lowercase, names in backticks).
public struct PowerSurvey: Sendable, Equatable {
    public var measured: [String: PowerMeasurement] = [:]
    public var problems: [String] = []
    public init(measured: [String: PowerMeasurement] = [:], problems: [String] = []) {
        self.measured = measured
        self.problems = problems
    }
}

/// A source of measured node power: RAPL, `nvidia-smi`, a Prometheus query. Nodes it does not
/// cover, or could not measure this time, get the model estimate (`PowerTelemetry`).
public protocol NodePowerSource: AnyObject, Sendable {
    /// The name the journal records for nodes measured by it: `rapl`, `nvidia-smi`, `prometheus`.
    var name: String { get }
    func measure(_ nodes: [World.Node]) -> PowerSurvey
    /// The same within `seconds` (what is left of the tick's budget for external commands):
    /// a source that runs commands or requests cuts their timeouts to it and skips what no
    /// longer fits, naming it among the problems (its nodes then come from the model).
    func measure(_ nodes: [World.Node], within seconds: Double) -> PowerSurvey
}

extension NodePowerSource {
    /// A source that reads local files (RAPL) takes no time worth bounding.
    public func measure(_ nodes: [World.Node], within seconds: Double) -> PowerSurvey { measure(nodes) }
}

/// The problem of a measurement skipped because the tick's budget was spent.
func powerBudgetSpent(_ what: String) -> String {
    "\(what) skipped: the tick's budget for external commands was spent"
}

/// The machine's short host name (`vm` for `vm.example.org`): the Slurm node a local source
/// (RAPL, a local `nvidia-smi`) measures unless another is configured.
public func localNodeName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
    let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return String(name.split(separator: ".").first ?? "localhost")
}
