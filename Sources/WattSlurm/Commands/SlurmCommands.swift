import Foundation
import WattCluster

/// A node-side command that sets GPU power caps (Slurm has none): an argument vector with
/// `{node}` and `{watts}` placeholders, each a whole argument, e.g.
/// `ssh {node} nvidia-smi -pl {watts}`. Substituting only whole arguments means a value can
/// never split into two arguments or add an option.
public struct CapExecutor: Sendable, Equatable {
    public var template: [String]
    public static let placeholders = ["{node}", "{watts}"]

    public init(template: [String]) throws(SlurmError) {
        guard let first = template.first, !first.isEmpty, !first.contains("{") else {
            throw SlurmError("a cap command starts with a program, e.g. `ssh {node} nvidia-smi -pl {watts}`")
        }
        for arg in template where arg.contains("{") && !Self.placeholders.contains(arg) {
            throw SlurmError("cap command argument `\(arg)`: `{node}` and `{watts}` must each be a whole argument")
        }
        guard template.contains("{node}") || template.contains("{watts}") else {
            throw SlurmError("a cap command needs `{watts}` (and `{node}` unless it runs on the node)")
        }
        self.template = template
    }

    public func command(node: String, watts: Double) -> [String] {
        template.map { $0 == "{node}" ? node : $0 == "{watts}" ? String(Int(watts.rounded())) : $0 }
    }
}

public struct SlurmError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What Slurm commands carry out one action on one target. Conventions (docs/slurm.md):
/// pools are partitions; `defer` sets the job's begin time (`StartTime`), `release` sets it
/// to now; `preempt` requeues; `suspend`/`wake` use Slurm power saving
/// (`POWER_DOWN`/`POWER_UP`); `drain`/`resume` are Slurm's `DRAIN` (with the rule as the
/// reason) and `RESUME`; `cap`/`uncap` need a cap executor.
public enum SlurmCommands {
    /// Slurm reads times in the controller's local time zone, without a zone suffix.
    static func slurmTime(_ t: Double) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: t.rounded()))
    }

    public static func commands(for action: ClusterAction, target: String, now: Double, cap: CapExecutor?,
                                uncapWatts: ((String) -> Double?)? = nil) -> Result<[[String]], SlurmError> {
        if action.kind.targetsNodes {
            guard SlurmNames.isName(target) else { return .failure(SlurmError(SlurmNames.refusal(target, as: "node"))) }
        } else if case .alert = action.kind {
        } else {
            guard SlurmNames.isJobID(target) else { return .failure(SlurmError(SlurmNames.refusal(target, as: "job id"))) }
        }
        switch action.kind {
        case .move(to: .pool(let partition)):
            guard SlurmNames.isName(partition) else { return .failure(SlurmError(SlurmNames.refusal(partition, as: "partition"))) }
            return .success([["scontrol", "update", "JobId=\(target)", "Partition=\(partition)"]])
        case .move(to: .node(let node)):
            guard SlurmNames.isName(node) else { return .failure(SlurmError(SlurmNames.refusal(node, as: "node"))) }
            return .success([["scontrol", "update", "JobId=\(target)", "ReqNodeList=\(node)"]])
        case .deferUntil(let t):
            return .success([["scontrol", "update", "JobId=\(target)", "StartTime=\(slurmTime(t))"]])
        case .deferFor(let d):
            return .success([["scontrol", "update", "JobId=\(target)", "StartTime=\(slurmTime(now + d))"]])
        case .release:
            return .success([["scontrol", "update", "JobId=\(target)", "StartTime=now"]])
        case .preempt:
            return .success([["scontrol", "requeue", target]])
        case .preemptUntil(let t):
            // Requeued jobs are pending again; the start time holds them until `t`.
            return .success([["scontrol", "requeue", target], ["scontrol", "update", "JobId=\(target)", "StartTime=\(slurmTime(t))"]])
        case .suspend:
            return .success([["scontrol", "update", "NodeName=\(target)", "State=POWER_DOWN"]])
        case .wake:
            return .success([["scontrol", "update", "NodeName=\(target)", "State=POWER_UP"]])
        case .drain:
            return .success([["scontrol", "update", "NodeName=\(target)", "State=DRAIN", "Reason=\(SlurmNames.drainReason(rule: action.rule))"]])
        case .resume:
            return .success([["scontrol", "update", "NodeName=\(target)", "State=RESUME"]])
        case .cap(let watts):
            guard let cap else {
                return .failure(SlurmError("no cap command configured: Slurm has no GPU power-cap API (give `--cap-command`, e.g. `ssh {node} nvidia-smi -pl {watts}`)"))
            }
            return .success([cap.command(node: target, watts: watts)])
        case .uncap:
            guard let cap, let watts = uncapWatts?(target) else {
                return .failure(SlurmError("no cap command configured, or the node's maximum GPU power is unknown: cannot lift the cap"))
            }
            return .success([cap.command(node: target, watts: watts)])
        case .alert:
            return .success([])
        }
    }
}
