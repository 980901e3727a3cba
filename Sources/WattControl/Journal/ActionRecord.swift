import Foundation
import WattCluster

/// A cluster action as the journal stores it, so a run can be replayed exactly.
struct ActionRecord: Codable, Equatable {
    var verb: String
    var targets: [String]
    var rule: String?
    var reason: String
    var number: Double?
    var text: String?
    var severity: String?

    init(_ a: ClusterAction) {
        targets = a.targets
        rule = a.rule
        reason = a.reason
        switch a.kind {
        case .move(to: .pool(let p)): verb = "move-pool"; text = p
        case .move(to: .node(let n)): verb = "move-node"; text = n
        case .deferUntil(let t): verb = "defer-until"; number = t
        case .deferFor(let d): verb = "defer-for"; number = d
        case .release: verb = "release"
        case .preempt: verb = "preempt"
        case .cap(let w): verb = "cap"; number = w
        case .uncap: verb = "uncap"
        case .suspend: verb = "suspend"
        case .wake: verb = "wake"
        case .drain: verb = "drain"
        case .resume: verb = "resume"
        case .alert(let s, let m): verb = "alert"; severity = s; text = m
        }
    }

    var action: ClusterAction? {
        let kind: ClusterAction.Kind
        switch verb {
        case "move-pool": kind = .move(to: .pool(text ?? ""))
        case "move-node": kind = .move(to: .node(text ?? ""))
        case "defer-until": kind = .deferUntil(number ?? 0)
        case "defer-for": kind = .deferFor(number ?? 0)
        case "release": kind = .release
        case "preempt": kind = .preempt
        case "cap": kind = .cap(watts: number ?? 0)
        case "uncap": kind = .uncap
        case "suspend": kind = .suspend
        case "wake": kind = .wake
        case "drain": kind = .drain
        case "resume": kind = .resume
        case "alert": kind = .alert(severity: severity ?? "warning", message: text ?? "")
        default: return nil
        }
        return ClusterAction(kind, targets: targets, rule: rule, reason: reason)
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
