import Foundation
import WattCluster

/// The control loop's metrics in the Prometheus text exposition format, for node_exporter's
/// textfile collector (`watt run --metrics-file FILE`): written after every tick to a
/// temporary file and renamed over the target, so a scrape never reads half a file.
public final class MetricsExporter {
    public let path: String
    var ticks = 0
    var actions: [String: Int] = [:]
    var lastTickSeconds = 0.0
    var world: World?
    var decisions: [String: RuleTimer.Decision] = [:]
    var flaps = 0

    public init(path: String) { self.path = path }

    /// Counts a tick (how long it took, s) and keeps its state for the next write.
    public func record(_ tick: ControlLoop.TickRecord, world: World, seconds: Double) {
        ticks += 1
        lastTickSeconds = seconds
        self.world = world
        decisions = tick.decisions
        flaps += tick.flaps
        for result in tick.results {
            actions["\(Self.verb(result.action.kind))|\(result.status.rawValue)", default: 0] += 1
        }
        for event in tick.guardrailEvents { actions["\(event.action.split(separator: " ").first ?? "?")|stopped", default: 0] += 1 }
    }

    static func verb(_ kind: ClusterAction.Kind) -> String {
        switch kind {
        case .move: return "move"
        case .deferFor, .deferUntil: return "defer"
        case .release: return "release"
        case .preempt: return "preempt"
        case .cap: return "cap"
        case .uncap: return "uncap"
        case .suspend: return "suspend"
        case .wake: return "wake"
        case .drain: return "drain"
        case .resume: return "resume"
        case .alert: return "alert"
        }
    }

    /// Label values escape `\`, `"` and line feeds, as the format asks.
    static func label(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    public func text() -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for s in samples { out += name + (s.labels.isEmpty ? "" : "{\(s.labels)}") + " \(Self.number(s.value))\n" }
        }
        metric("watt_ticks_total", "counter", "Control ticks evaluated.", [("", Double(ticks))])
        metric("watt_tick_duration_seconds", "gauge", "Wall-clock time of the last tick.", [("", lastTickSeconds)])
        metric("watt_actions_total", "counter", "Actions by verb and outcome (applied, unchanged, rejected, stopped by a guardrail).",
               actions.sorted { $0.key < $1.key }.map { key, n in
                   let parts = key.split(separator: "|").map(String.init)
                   return ("verb=\"\(Self.label(parts[0]))\",status=\"\(Self.label(parts[1]))\"", Double(n))
               })
        metric("watt_flaps_total", "counter", "Applied actions that undid another on the same target within an hour.", [("", Double(flaps))])
        var ruleSamples: [(String, Double)] = []
        for (rule, decision) in decisions.sorted(by: { $0.key < $1.key }) {
            let state = decision.stateName
            for s in RuleTimer.stateNames { ruleSamples.append(("rule=\"\(Self.label(rule))\",state=\"\(s)\"", s == state ? 1 : 0)) }
        }
        metric("watt_rule_state", "gauge", "Each rule's state at the last tick (1 for its state).", ruleSamples)
        if let world {
            metric("watt_site_power_watts", "gauge", "IT power.", [("", world.site.itPower)])
            metric("watt_site_facility_power_watts", "gauge", "Facility power (IT power times PUE).", [("", world.site.facilityPower)])
            metric("watt_site_power_cap_watts", "gauge", "The site's power limit.", [("", world.site.powerCap)])
            if let ci = world.grid.carbonIntensity {
                metric("watt_grid_carbon_intensity_grams_per_kwh", "gauge", "Grid carbon intensity (location-based average).", [("", ci * 3.6e6)])
            }
            metric("watt_simulated_time_seconds", "gauge", "The world's clock (s since 1970).", [("", world.now)])
        }
        return out
    }

    /// Writes atomically: a temporary file beside the target, then rename.
    public func write() throws {
        let temporary = path + ".tmp"
        try Data(text().utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
