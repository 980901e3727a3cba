import Foundation
import WattSupport
import WattBindings
import WattEnergy
import WattCluster

/// The control loop's metrics in the Prometheus text exposition format (0.0.4). After each
/// tick the text is rendered once and handed to both sinks: the file for node_exporter's
/// textfile collector (`watt run --metrics-file FILE`, written to a temporary file and
/// renamed over the target, so a scrape never reads half a file) and the page that the
/// HTTP endpoint serves (`--metrics-listen`, `MetricsServer`).
public final class MetricsExporter {
    public let path: String?
    public let page: MetricsPage?
    /// Forecast horizons exported (s); `forecast(site.power, 1h)` is the one policies use most.
    public var forecastHorizons: [Double] = [3600]

    struct Outcome: Hashable, Comparable {
        var verb: String
        var status: String
        static func < (a: Outcome, b: Outcome) -> Bool { (a.verb, a.status) < (b.verb, b.status) }
    }

    struct ForecastSample {
        var metric: String
        var horizon: Double
        var summary: TelemetryModels.Summary
    }

    /// The world's fields with a Prometheus gauge, from their declarations (WorldFields.swift).
    public var declarations: EnergyDeclarations = .standard

    var ticks = 0
    var skippedTicks = 0
    var durations = MetricsHistogram(bounds: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
    var lastTickTimestamp: Double?
    var proposed: [String: Int] = [:]
    var outcomes: [Outcome: Int] = [:]
    var acted: [String: Int] = [:]
    var world: World?
    var decisions: [String: RuleTimer.Decision] = [:]
    var flaps = 0
    var forecasts: [ForecastSample] = []

    /// At least one sink; the page gets the (empty) metrics at once, so a scrape before the
    /// first tick already sees every counter at zero.
    public init(path: String?, page: MetricsPage? = nil) {
        self.path = path
        self.page = page
        page?.update(text())
    }

    /// Counts a tick (how long it took, s) and keeps its state for the next `publish`.
    /// `models` gives the forecasts (the binding's, after the tick recorded its telemetry).
    public func record(_ tick: ControlLoop.TickRecord, seconds: Double, models: TelemetryModels? = nil) {
        let world = tick.world
        ticks += 1
        durations.observe(seconds)
        lastTickTimestamp = Date().timeIntervalSince1970
        self.world = world
        decisions = tick.decisions
        for (rule, decision) in tick.decisions where decision == .act { acted[rule, default: 0] += 1 }
        flaps += tick.flaps
        // Proposed: every target the rules asked for that reached arbitration, whatever became
        // of it (sent to the scheduler, stopped by a guardrail, overruled by another rule).
        for action in tick.proposed {
            if case .alert = action.kind { proposed[verb(action.kind), default: 0] += 1 } else {
                proposed[verb(action.kind), default: 0] += action.targets.count
            }
        }
        for result in tick.results {
            outcomes[Outcome(verb: verb(result.action.kind), status: result.status.rawValue), default: 0] += 1
        }
        for event in tick.guardrailEvents {
            let verb = Self.firstWord(event.action)
            proposed[verb, default: 0] += 1
            outcomes[Outcome(verb: verb, status: "stopped"), default: 0] += 1
        }
        for conflict in tick.conflicts {
            let verb = Self.firstWord(conflict.loser)
            proposed[verb, default: 0] += 1
            outcomes[Outcome(verb: verb, status: "overruled"), default: 0] += 1
        }
        if let models {
            forecasts = []
            for (metric, path, _) in declarations.exportedValues(of: world) where metric.forecast != nil {
                for horizon in forecastHorizons {
                    if let s = models.forecast(path, horizon: horizon) { forecasts.append(ForecastSample(metric: path, horizon: horizon, summary: s)) }
                }
            }
        }
    }

    /// A live tick that had no snapshot (the scheduler could not be read): nothing evaluated.
    public func recordSkipped() {
        skippedTicks += 1
        lastTickTimestamp = Date().timeIntervalSince1970
    }

    /// The verb label of an action: the name of the verb declaring it (`EnergyVerbs`).
    func verb(_ kind: ClusterAction.Kind) -> String { declarations.verb(of: kind)?.name ?? "unknown" }

    /// Guardrail events and conflicts carry `verbDescription` text (`cap at 400 W`): its verb.
    static func firstWord(_ description: String) -> String {
        description.split(separator: " ").first.map(String.init) ?? "?"
    }

    /// Label values escape `\`, `"` and line feeds, as the format asks.
    static func label(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// HELP text escapes `\` and line feeds (quotes stay as they are there).
    static func help(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
    }

    /// `1h`, `30m`, `90s`: a horizon as Prometheus writes durations.
    static func duration(_ seconds: Double) -> String {
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        return "\(number(seconds))s"
    }

    public func text() -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
            out += "# HELP \(name) \(Self.help(help))\n# TYPE \(name) \(type)\n"
            for s in samples { out += name + (s.labels.isEmpty ? "" : "{\(s.labels)}") + " \(Self.number(s.value))\n" }
        }
        metric("watt_ticks_total", "counter", "Control ticks evaluated.", [("", Double(ticks))])
        metric("watt_ticks_skipped_total", "counter", "Ticks skipped because the scheduler could not be read (live runs).",
               [("", Double(skippedTicks))])
        out += "# HELP watt_tick_duration_seconds Wall-clock time of each tick (evaluate, arbitrate, apply).\n"
        out += "# TYPE watt_tick_duration_seconds histogram\n"
        for (le, n) in durations.cumulative { out += "watt_tick_duration_seconds_bucket{le=\"\(Self.number(le))\"} \(n)\n" }
        out += "watt_tick_duration_seconds_sum \(Self.number(durations.sum))\nwatt_tick_duration_seconds_count \(durations.count)\n"
        if let lastTickTimestamp {
            metric("watt_last_tick_timestamp_seconds", "gauge", "Wall-clock time of the last tick (s since 1970).", [("", lastTickTimestamp)])
        }
        metric("watt_actions_proposed_total", "counter",
               "Action targets the rules proposed, by verb (sent to the scheduler, stopped by a guardrail or overruled in arbitration).",
               proposed.sorted { $0.key < $1.key }.map { ("verb=\"\(Self.label($0.key))\"", Double($0.value)) })
        metric("watt_actions_total", "counter",
               "Action targets by verb and outcome: applied, unchanged, rejected by the scheduler, stopped by a guardrail, overruled in arbitration.",
               outcomes.sorted { $0.key < $1.key }.map { key, n in
                   ("verb=\"\(Self.label(key.verb))\",status=\"\(Self.label(key.status))\"", Double(n))
               })
        metric("watt_flaps_total", "counter", "Applied actions that undid another on the same target within an hour.", [("", Double(flaps))])
        var ruleSamples: [(String, Double)] = []
        for (rule, decision) in decisions.sorted(by: { $0.key < $1.key }) {
            let state = decision.stateName
            for s in RuleTimer.stateNames { ruleSamples.append(("rule=\"\(Self.label(rule))\",state=\"\(s)\"", s == state ? 1 : 0)) }
        }
        metric("watt_rule_state", "gauge", "Each rule's state at the last tick (1 for its state).", ruleSamples)
        metric("watt_rule_acted_total", "counter", "Ticks on which each rule acted (proposed its actions).",
               acted.sorted { $0.key < $1.key }.map { ("rule=\"\(Self.label($0.key))\"", Double($0.value)) })
        if let world {
            // The declared gauges; an optional field without a value (a grid outside its
            // series) has no sample.
            for (m, _, value) in declarations.exportedValues(of: world) {
                if let value { metric(m.name, "gauge", m.help, [("", value * m.scale)]) }
            }
            metric("watt_world_time_seconds", "gauge", "The world's clock at the last tick (s since 1970; simulated time on the simulator).",
                   [("", world.now)])
            for (m, path, _) in declarations.exportedValues(of: world) {
                guard let forecast = m.forecast else { continue }
                let samples = forecasts.filter { $0.metric == path }.flatMap { f -> [(labels: String, value: Double)] in
                    let h = "horizon=\"\(Self.duration(f.horizon))\""
                    return [("\(h),bound=\"mean\"", f.summary.mean * m.scale), ("\(h),bound=\"low\"", f.summary.low * m.scale),
                            ("\(h),bound=\"high\"", f.summary.high * m.scale)]
                }
                let help = "Forecast \(forecast.what) at the horizon, as forecast(\(path), horizon) sees it (bound: mean, or the 80 % interval's low and high)."
                if !samples.isEmpty { metric(forecast.name, "gauge", help, samples) }
            }
        }
        return out
    }

    /// Renders the text once and hands it to both sinks. The file is replaced atomically
    /// through a temporary file of its own beside it (`AtomicFile`: never `*.prom`, which the
    /// textfile collector would read; never through a planted symlink).
    public func publish() throws {
        let rendered = text()
        page?.update(rendered)
        guard let path else { return }
        try AtomicFile.write(Array(rendered.utf8), to: path)
    }
}
