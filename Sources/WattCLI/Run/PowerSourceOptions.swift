import WattSlurm

/// `watt run --scheduler slurm --power-source rapl|nvidia-smi|prometheus|model` and the
/// options that go with each source, checked together (docs/slurm.md).
public struct PowerSourceOptions: Sendable, Equatable {
    public var source: String?
    public var prometheusURL: String?
    public var query: String?
    public var label: String?
    public var covers: String?
    /// Already split into arguments.
    public var command: [String]?
    public var node: String?
    public init() {}

    public static let sources = ["rapl", "nvidia-smi", "prometheus", "model"]

    /// Whether any power option was given (they all need `--scheduler`).
    public var isEmpty: Bool { self == PowerSourceOptions() }

    /// The telemetry chain the options describe, or what is wrong with them.
    public func telemetry() -> Result<PowerTelemetry, SlurmError> {
        let name = source ?? "model"
        guard Self.sources.contains(name) else {
            return .failure(SlurmError("--power-source must be `rapl`, `nvidia-smi`, `prometheus` or `model`, found `\(name)`"))
        }
        let prometheusOnly: [(String, Bool)] = [("--prometheus-url", prometheusURL != nil), ("--power-query", query != nil),
                                                ("--power-label", label != nil), ("--power-covers", covers != nil)]
        for (option, given) in prometheusOnly where given && name != "prometheus" {
            return .failure(SlurmError("\(option) goes with --power-source prometheus"))
        }
        if command != nil && name != "nvidia-smi" { return .failure(SlurmError("--power-command goes with --power-source nvidia-smi")) }
        if let node {
            guard name == "rapl" || (name == "nvidia-smi" && command == nil) else {
                return .failure(SlurmError("--power-node names the Slurm node of this machine, for --power-source rapl or nvidia-smi without --power-command"))
            }
            guard SlurmNames.isName(node) else { return .failure(SlurmError("--power-node: " + SlurmNames.refusal(node, as: "node"))) }
        }
        let local = node ?? localNodeName()
        do throws(SlurmError) {
            switch name {
            case "rapl":
                return .success(PowerTelemetry(source: RaplPowerSource(node: local)))
            case "nvidia-smi":
                do {
                    return .success(PowerTelemetry(source: try NvidiaSmiPowerSource(template: command, node: local)))
                } catch {
                    throw SlurmError("--power-command: \(error.message)")
                }
            case "prometheus":
                guard let url = prometheusURL else {
                    throw SlurmError("--power-source prometheus needs --prometheus-url (e.g. http://prometheus:9090)")
                }
                var coverage = PowerMeasurement.Coverage.gpus
                if let covers {
                    guard let c = PowerMeasurement.Coverage(rawValue: covers) else {
                        throw SlurmError("--power-covers must be `node`, `gpus` or `cpus`, found `\(covers)`")
                    }
                    coverage = c
                }
                return .success(PowerTelemetry(source: try PrometheusPowerSource(
                    url: url, query: query ?? PrometheusPowerSource.defaultQuery, label: label ?? "instance", covers: coverage)))
            default:
                return .success(PowerTelemetry())
            }
        } catch {
            return .failure(error)
        }
    }
}
