import Foundation
import Testing
import WattSupport
import WattCluster
@testable import WattControl
import WattLanguage

/// `watt run --metrics-file` / `--metrics-listen`: Prometheus text exposition, rendered once
/// after every tick for both sinks.
@Suite struct MetricsExporterTests {
    /// Every line is HELP/TYPE or `name{labels} value`, and every sample's family has a TYPE
    /// line before it (histogram samples belong to the family without their suffix).
    static func checkWellFormed(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let sample = try Regex(#"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$"#)
        var typed: [String: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                #expect(typed[String(parts[2])] == nil, "TYPE given twice for \(parts[2])", sourceLocation: sourceLocation)
                typed[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("# HELP ") { continue }
            #expect(line.wholeMatch(of: sample) != nil, "malformed: \(line)", sourceLocation: sourceLocation)
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            let family = ["_bucket", "_sum", "_count"].first { name.hasSuffix($0) && typed[String(name.dropLast($0.count))] == "histogram" }
                .map { String(name.dropLast($0.count)) } ?? name
            #expect(typed[family] != nil, "\(name) has no TYPE line before it", sourceLocation: sourceLocation)
        }
        #expect(text.hasSuffix("\n"), sourceLocation: sourceLocation)
    }

    /// The samples of one family as `labels -> value`.
    static func samples(_ text: String, _ name: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            let labels = line.dropFirst(name.count).prefix { $0 != " " }
            out[String(labels)] = Double(line.split(separator: " ").last!) ?? .nan
        }
        return out
    }

    @Test func aRunWritesWellFormedMetrics() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("watt-metrics-\(UUID().uuidString).prom").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var settings = RunSettings()
        settings.cluster = PolicyRunTests.small
        settings.days = 0.25
        let policy = SourceFile(name: "p.watt", text: """
            rule capper { when true then cap nodes where pool == "default" and not present(power_cap) at 400 W limit 1 per tick }
            rule never { when site.power < 0 W then wake nodes }
            """)
        _ = try PolicyRun.run(settings, policies: [policy], watch: nil, journal: nil, metrics: .init(file: file))
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!FileManager.default.fileExists(atPath: file + ".tmp"), "written atomically: no temporary left")
        try Self.checkWellFormed(text)
        #expect(text.contains("watt_ticks_total 72\n"))
        #expect(text.contains("watt_tick_duration_seconds_count 72\n"))
        #expect(text.contains("watt_tick_duration_seconds_bucket{le=\"+Inf\"} 72\n"))
        #expect(text.contains("watt_actions_total{verb=\"cap\",status=\"applied\"} 1\n"))
        #expect(text.contains("watt_actions_total{verb=\"cap\",status=\"stopped\"}"), "the guardrail stopped the second cap")
        #expect(text.contains("watt_rule_state{rule=\"never\",state=\"inactive\"} 1\n"))
        #expect(text.contains("watt_rule_state{rule=\"never\",state=\"firing\"} 0\n"))
        #expect(text.contains("watt_rule_acted_total{rule=\"capper\"} 72\n"))
        #expect(text.contains("watt_site_power_watts "))
        #expect(text.contains("watt_grid_carbon_intensity_grams_per_kwh "))
        for bound in ["mean", "low", "high"] {
            #expect(text.contains("watt_site_power_forecast_watts{horizon=\"1h\",bound=\"\(bound)\"} "))
            #expect(text.contains("watt_grid_carbon_intensity_forecast_grams_per_kwh{horizon=\"1h\",bound=\"\(bound)\"} "))
        }
    }

    /// Proposed targets are accounted for: each one was applied (or unchanged, or rejected),
    /// stopped by a guardrail, or overruled in arbitration.
    @Test func proposedActionsAddUpToTheirOutcomes() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("watt-metrics-\(UUID().uuidString).prom").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var settings = RunSettings()
        settings.cluster = PolicyRunTests.small
        settings.days = 0.1
        // cap and uncap on the same nodes at one priority: uncap is safer and wins every tick.
        let policy = SourceFile(name: "p.watt", text: """
            rule capper { when true then cap nodes where pool == "default" at 400 W }
            rule uncapper { when true then uncap nodes where pool == "default" }
            """)
        _ = try PolicyRun.run(settings, policies: [policy], watch: nil, journal: nil, metrics: .init(file: file))
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try Self.checkWellFormed(text)
        let proposed = Self.samples(text, "watt_actions_proposed_total")
        let outcomes = Self.samples(text, "watt_actions_total")
        #expect((outcomes["{verb=\"cap\",status=\"overruled\"}"] ?? 0) > 0)
        #expect(outcomes["{verb=\"cap\",status=\"applied\"}"] == nil)
        for verb in ["cap", "uncap"] {
            let total = outcomes.filter { $0.key.hasPrefix("{verb=\"\(verb)\",") }.values.reduce(0, +)
            #expect(proposed["{verb=\"\(verb)\"}"] == total, "\(verb): proposed \(proposed) against outcomes \(outcomes)")
        }
    }

    /// Exporting forecasts asks the models for them every tick; the run must not change.
    @Test func metricsDoNotChangeTheRun() throws {
        let policy = SourceFile(name: "p.watt", text: """
            rule shave { when forecast(site.power, 2h) > 2 kW then cap nodes where pool == "default" at 400 W limit 1 per tick }
            rule clean { when forecast(grid.carbon_intensity, 30 min) < 150 g/kWh then uncap nodes }
            """)
        var settings = RunSettings()
        settings.cluster = PolicyRunTests.small
        settings.days = 1
        let plain = try PolicyRun.run(settings, policies: [policy], watch: nil, journal: nil)
        let page = MetricsPage()
        let exported = try PolicyRun.run(settings, policies: [policy], watch: nil, journal: nil, metrics: .init(page: page))
        #expect(PolicyRun.table(policies: plain.policies, baseline: plain.baseline)
            == PolicyRun.table(policies: exported.policies, baseline: exported.baseline))
        #expect(plain.policies.firings == exported.policies.firings)
        let text = page.current
        #expect(text.contains("watt_site_power_forecast_watts{horizon=\"1h\",bound=\"mean\"}"), "the page was published, with forecasts")
    }

    @Test func labelValuesAndHelpAreEscaped() throws {
        #expect(MetricsExporter.label("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
        #expect(MetricsExporter.help("x\\y\nz \"q\"") == "x\\\\y\\nz \"q\"")
        #expect(MetricsExporter.number(.infinity) == "+Inf")
        #expect(MetricsExporter.number(-.infinity) == "-Inf")
        #expect(MetricsExporter.number(.nan) == "NaN")
        #expect(MetricsExporter.number(2.5) == "2.5")
        #expect(MetricsExporter.number(1e20) == "1e+20")
        #expect(MetricsExporter.duration(3600) == "1h")
        #expect(MetricsExporter.duration(1800) == "30m")
        #expect(MetricsExporter.duration(90) == "90s")
        // A rule name with every character the format escapes, through a whole render.
        let exporter = MetricsExporter(path: nil)
        let weird = "r\"1\\2\n3"
        let world = try Simulator(cluster: ClusterDefinition.load(path: PolicyRunTests.small), jobs: []).snapshot()
        let tick = ControlLoop.TickRecord(time: 0, world: world, outcomes: [], decisions: [weird: .act, "plain": .pending(remaining: 60)], proposed: [],
                                          conflicts: [], guardrailEvents: [], results: [], steps: 0)
        exporter.record(tick, seconds: 0.002)
        let text = exporter.text()
        try Self.checkWellFormed(text)
        #expect(text.contains("watt_rule_state{rule=\"r\\\"1\\\\2\\n3\",state=\"firing\"} 1\n"))
        #expect(text.contains("watt_rule_acted_total{rule=\"r\\\"1\\\\2\\n3\"} 1\n"))
        #expect(text.contains("watt_rule_state{rule=\"plain\",state=\"pending\"} 1\n"))
        #expect(!text.contains(weird), "no raw newline or quote inside a label value")
    }

    @Test func histogramBucketsAreCumulative() {
        var h = MetricsHistogram(bounds: [0.1, 1, 0.01])
        for v in [0.005, 0.05, 0.05, 0.5, 2, .nan] { h.observe(v) }
        #expect(h.cumulative.map(\.le) == [0.01, 0.1, 1, .infinity])
        #expect(h.cumulative.map(\.count) == [1, 3, 4, 5])
        #expect(h.count == 5)
        #expect(abs(h.sum - 2.605) < 1e-12)
    }

    /// The page has every counter at zero before the first tick, and follows each publish.
    @Test func thePageFollowsEachPublish() throws {
        let page = MetricsPage()
        let exporter = MetricsExporter(path: nil, page: page)
        #expect(page.current.contains("watt_ticks_total 0\n"))
        try Self.checkWellFormed(page.current)
        exporter.recordSkipped()
        #expect(page.current.contains("watt_ticks_skipped_total 0\n"), "nothing changes until publish")
        try exporter.publish()
        #expect(page.current.contains("watt_ticks_skipped_total 1\n"))
        #expect(page.current.contains("watt_last_tick_timestamp_seconds "))
    }

    /// Issue 18: `--metrics-file FILE` wrote `FILE.tmp`, following a symlink planted there.
    @Test func theMetricsFileNeverFollowsASymlinkPlantedBesideIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-metrics-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let victim = dir + "/victim", file = dir + "/watt.prom"
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: file + ".tmp", withDestinationPath: victim)
        let exporter = MetricsExporter(path: file)
        try exporter.publish()
        try exporter.publish()
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("watt_ticks_total 0\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["victim", "watt.prom", "watt.prom.tmp"])
    }
}
