import Foundation
import WattCluster

/// GPU power from `nvidia-smi --query-gpu=index,power.draw --format=csv,noheader,nounits`,
/// summed over a node's GPUs. Without a template it runs here and covers the local node
/// (`node`); with one (`ssh {node} nvidia-smi --query-gpu=index,power.draw
/// --format=csv,noheader,nounits`, `{node}` a whole argument, as in `CapExecutor`) it runs once
/// per GPU node that is up, a few at a time. A GPU whose reading is not a number (`[N/A]`,
/// `[Not Supported]`) or a command that fails leaves its node unmeasured, with the reason:
/// half a node's GPUs would understate it. The rest of the node comes from the model.
public final class NvidiaSmiPowerSource: NodePowerSource, @unchecked Sendable {
    public let name = "nvidia-smi"
    public static let query = ["nvidia-smi", "--query-gpu=index,power.draw", "--format=csv,noheader,nounits"]
    public let runner: any CommandRunning
    public let template: [String]?
    public let node: String
    public var timeout: Double = 10
    /// Commands in flight at once (over ssh, most of a command's time is waiting).
    public var parallelism = 8

    public init(runner: any CommandRunning = ProcessRunner(), template: [String]? = nil, node: String = localNodeName()) throws(SlurmError) {
        if let template {
            guard let first = template.first, !first.isEmpty, !first.contains("{") else {
                throw SlurmError("a power command starts with a program, e.g. `ssh {node} \(Self.query.joined(separator: " "))`")
            }
            for arg in template where arg.contains("{") && arg != "{node}" {
                throw SlurmError("power command argument `\(arg)`: `{node}` must be a whole argument")
            }
            guard template.contains("{node}") else {
                throw SlurmError("a power command needs `{node}`, e.g. `ssh {node} \(Self.query.joined(separator: " "))` (without one, `nvidia-smi` runs here for this node)")
            }
        }
        self.runner = runner
        self.template = template
        self.node = node
    }

    /// The command that reads a node's GPUs.
    func command(for node: String) -> [String] {
        template.map { $0.map { $0 == "{node}" ? node : $0 } } ?? Self.query
    }

    /// The GPUs' total power from the command's output, or why there is none.
    static func parse(_ output: String, node: String) -> Result<Double, SlurmError> {
        var total = 0.0, count = 0
        for line in output.split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 2 else {
                return .failure(SlurmError("nvidia-smi on `\(node)` printed `\(line.prefix(80))`, not `index, power.draw`"))
            }
            guard let watts = Double(fields[1]), watts.isFinite, watts >= 0 else {
                return .failure(SlurmError("nvidia-smi on `\(node)`: GPU \(fields[0]) power.draw is `\(fields[1].prefix(40))`"))
            }
            total += watts
            count += 1
        }
        return count == 0 ? .failure(SlurmError("nvidia-smi on `\(node)` listed no GPUs")) : .success(total)
    }

    public func measure(_ nodes: [World.Node]) -> PowerSurvey { measure(nodes, within: .infinity) }

    public func measure(_ nodes: [World.Node], within seconds: Double) -> PowerSurvey {
        let deadline = Date().addingTimeInterval(seconds.isFinite ? max(0, seconds) : 366 * 86_400)
        var survey = PowerSurvey()
        let targets: [String]
        if template == nil {
            guard nodes.contains(where: { $0.id == node }) else {
                return PowerSurvey(problems: ["nvidia-smi runs on this machine, `\(node)`, which is not a Slurm node (give `--power-node`, or `--power-command` to reach the nodes)"])
            }
            targets = [node]
        } else {
            // A powered-down or booting node cannot answer; a name that could be read as
            // anything but a host name never reaches the command.
            let up = nodes.filter { $0.gpus > 0 && $0.state != .suspended && $0.state != .waking }
            for n in up where !SlurmNames.isName(n.id) { survey.problems.append(SlurmNames.refusal(n.id, as: "node")) }
            targets = up.map(\.id).filter(SlurmNames.isName)
        }
        let results = Results(count: targets.count)
        let workers = max(1, min(parallelism, targets.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for i in stride(from: worker, to: targets.count, by: workers) {
                let command = self.command(for: targets[i])
                // Each command gets what is left of the tick's budget, at most its own timeout.
                let left = deadline.timeIntervalSinceNow
                guard left > 0 else {
                    results.set(i, .failure(SlurmError(powerBudgetSpent("`\(command.joined(separator: " "))`"))))
                    continue
                }
                let run = self.runner.run(command, timeout: min(self.timeout, left))
                results.set(i, run.succeeded ? Self.parse(run.stdout, node: targets[i])
                                : .failure(SlurmError("`\(command.joined(separator: " "))` failed: \(run.failure)")))
            }
        }
        for (i, result) in results.items.enumerated() {
            switch result {
            case .success(let watts)?: survey.measured[targets[i]] = PowerMeasurement(watts: watts, covers: .gpus)
            case .failure(let why)?: survey.problems.append(why.message)
            case nil: break
            }
        }
        return survey
    }
}

/// Results filled in by concurrent workers, one slot each.
private final class Results: @unchecked Sendable {
    private(set) var items: [Result<Double, SlurmError>?]
    private let lock = NSLock()
    init(count: Int) { items = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ result: Result<Double, SlurmError>) {
        lock.lock()
        items[i] = result
        lock.unlock()
    }
}
