import Foundation
import WattCluster

/// Action values no cluster can honour are refused before arbitration, whatever the
/// scheduler: a cap that is not a finite power in (0, 10 kW] per GPU, a defer that is not
/// a finite duration in (0, 30 days] or an instant after now and within 30 days of it, a
/// move to an empty or malformed name. A policy can compute any of these (`cap at 1e300 W`,
/// `defer for -1 h`, `until time("9999-12-31T23:59:59Z")`); the Slurm adapter would turn
/// them into commands (`nvidia-smi -pl` of a NaN traps). Each refused target is journaled
/// as stopped by `action_bounds`, with the value and the bound.
public enum ActionBounds {
    /// No GPU draws this much: a per-GPU cap above it is a unit mistake, not a setting.
    public static let maxCapWatts = 10_000.0
    /// The longest a policy may hold jobs back in one action.
    public static let maxDeferSeconds = 30 * 86_400.0
    /// The longest pool or node name accepted.
    public static let maxNameBytes = 255

    /// Why the action's values are out of bounds at `now`, or nil when they are within.
    public static func problem(_ action: ClusterAction, now: Double) -> String? {
        switch action.kind {
        case .cap(let w):
            guard w.isFinite else { return "a cap must be a finite power, found \(wholeText(w)) W" }
            guard w > 0 else { return "a cap must be above 0 W, found \(number(w)) W" }
            guard w <= maxCapWatts else {
                return "a cap of \(number(w)) W per GPU is over the bound of \(wholeText(maxCapWatts)) W"
            }
        case .deferFor(let d):
            guard d.isFinite, d > 0 else { return "a defer duration must be a finite time above 0 s, found \(number(d)) s" }
            guard d <= maxDeferSeconds else {
                return "defer for \(number(d)) s is longer than the bound of \(wholeText(maxDeferSeconds)) s (30 days)"
            }
        case .deferUntil(let t), .preemptUntil(let t):
            let verb = { if case .preemptUntil = action.kind { "preempt" } else { "defer" } }()
            guard t.isFinite else { return "a \(verb) must be until a finite time, found \(number(t)) s" }
            guard t > now else { return "\(verb) until \(instant(t)) is not after now (\(instant(now)))" }
            guard t - now <= maxDeferSeconds else {
                return "\(verb) until \(instant(t)) is more than 30 days after now (\(instant(now)))"
            }
        case .move(to: .pool(let name)), .move(to: .node(let name)):
            if name.isEmpty { return "a move needs the name of a pool or node" }
            if name.utf8.count > maxNameBytes { return "a move target's name is \(name.utf8.count) bytes long, over \(maxNameBytes)" }
            if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                return "a move target's name holds a control character"
            }
        default:
            break
        }
        return nil
    }

    /// The proposals within bounds, and an event for each target of the others.
    public static func filter(_ proposals: [Arbitration.Proposal], now: Double) -> ([Arbitration.Proposal], [Guardrails.Event]) {
        var kept: [Arbitration.Proposal] = []
        var events: [Guardrails.Event] = []
        for proposal in proposals {
            guard let why = problem(proposal.action, now: now) else { kept.append(proposal); continue }
            for target in proposal.action.targets {
                events.append(Guardrails.Event(target: target, action: proposal.action.verbDescription, rule: proposal.action.rule ?? "?",
                                               guardrail: "`action_bounds` (\(why))"))
            }
        }
        return (kept, events)
    }

    /// `1e+300`, `-5000`, `0.5`: whole numbers without a fraction, never trapping.
    static func number(_ x: Double) -> String {
        if x.isFinite, x == x.rounded() { return wholeText(x) }
        return "\(x)"
    }

    /// ISO 8601 in UTC, or seconds since 1970 beyond what a calendar means.
    static func instant(_ t: Double) -> String {
        guard t.isFinite, abs(t) < 3e11 else { return "\(number(t)) s since 1970" }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: t.rounded(.down)))
    }
}
