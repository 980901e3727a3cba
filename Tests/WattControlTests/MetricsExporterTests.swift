import Foundation
import Testing
import WattCluster
@testable import WattControl
import WattLanguage

/// `watt run --metrics-file`: Prometheus text exposition, written after every tick.
@Suite struct MetricsExporterTests {
    @Test func aRunWritesWellFormedMetrics() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("watt-metrics-\(UUID().uuidString).prom").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var settings = PolicyRun.Settings(clusterFile: PolicyRunTests.small)
        settings.days = 0.25
        settings.metricsFile = file
        let policy = SourceFile(name: "p.watt", text: """
            rule capper { when true then cap nodes where pool == "default" and not present(power_cap) at 400 W limit 1 per tick }
            rule never { when site.power < 0 W then wake nodes }
            """)
        _ = try PolicyRun.run(settings, policies: [policy], watch: nil, journal: nil)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!FileManager.default.fileExists(atPath: file + ".tmp"), "written atomically: no temporary left")
        // Every line is a comment (HELP/TYPE) or `name{labels} value`.
        let sample = try Regex(#"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$"#)
        var typed = Set<String>()
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") { typed.insert(String(line.split(separator: " ")[2])); continue }
            if line.hasPrefix("# HELP ") { continue }
            #expect(line.wholeMatch(of: sample) != nil, "malformed: \(line)")
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            #expect(typed.contains(name), "\(name) has no TYPE line before it")
        }
        #expect(text.contains("watt_ticks_total 72\n"))
        #expect(text.contains("watt_actions_total{verb=\"cap\",status=\"applied\"} 1\n"))
        #expect(text.contains("watt_actions_total{verb=\"cap\",status=\"stopped\"}"), "the guardrail stopped the second cap")
        #expect(text.contains("watt_rule_state{rule=\"never\",state=\"inactive\"} 1\n"))
        #expect(text.contains("watt_rule_state{rule=\"never\",state=\"firing\"} 0\n"))
        #expect(text.contains("watt_site_power_watts "))
    }

    @Test func labelValuesAreEscaped() {
        #expect(MetricsExporter.label("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
        #expect(MetricsExporter.number(.infinity) == "+Inf")
        #expect(MetricsExporter.number(2.5) == "2.5")
    }
}
