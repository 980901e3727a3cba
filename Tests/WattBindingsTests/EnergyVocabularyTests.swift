import Testing
@testable import WattBindings
import WattEnergy
import WattLanguage

@Suite struct EnergyVocabularyTests {
    static let inventory = EnergyVocabulary.Inventory(pools: ["default", "efficient", "batch"],
                                                      nodeProfiles: HardwareCatalog.builtIn.nodes.map(\.name),
                                                      deviceProfiles: HardwareCatalog.builtIn.devices.map(\.name))
    static let vocabulary = EnergyVocabulary.make(inventory: inventory, models: TelemetryModels(step: 300),
                                                  catalog: HardwareCatalog.builtIn)

    func diagnostics(_ text: String) -> [Diagnostic] {
        Compilation.compile([SourceFile(name: "p.watt", text: text)], vocabulary: Self.vocabulary).diagnostics
    }

    @Test func issuePoliciesCheck() {
        let policy = """
        rule shave_peak priority 10 {
          when forecast(site.power, 1h) > 0.9 * site.power_cap for 10 min
          then move jobs where gpus > 0 and flexible to pool "efficient"
          cooldown 30 min
        }
        if forecast(grid.carbon_intensity, 6 h).min < grid.carbon_intensity * 0.8 then defer jobs where flexible and state == "queued" until forecast(grid.carbon_intensity, 6 h).argmin
        if history(site.power, 1 h).rate > 100 kW / 1 h then alert "power rising fast" with severity "warning"
        if profile("\(Self.inventory.nodeProfiles[0])").max_power * count(nodes) > site.power_cap then cap nodes where state == "on" at 300 W
        if hour(now) >= 22 or weekday(now) >= 6 then suspend nodes where state == "idle" and gpus_free == gpus
        """
        let d = diagnostics(policy)
        #expect(!d.hasErrors, "\(DiagnosticRenderer.text(d))")
    }

    @Test func misspeltInventoryNamesAreDiagnosedWithSuggestions() {
        let pool = diagnostics("if true then move jobs to pool \"eficient\"").errors.first
        #expect(pool?.code == .unknownValue)
        #expect(pool?.help == "did you mean `efficient`?")
        let name = Self.inventory.nodeProfiles[0]
        let typo = String(name.dropLast())
        let profile = diagnostics("let p = profile(\"\(typo)\")").errors.first
        #expect(profile?.code == .unknownValue)
        #expect(profile?.help == "did you mean `\(name)`?")
    }

    /// Horizons and windows out of range are check-time errors (issue 17), not missing at run time.
    @Test func forecastHorizonsAndHistoryWindowsHaveBounds() {
        for bad in ["forecast(site.power, -1 h)", "forecast(site.power, 0 h)", "forecast(site.power, 100 weeks)",
                    "history(grid.carbon_intensity, -24 h)", "history(site.power, 400 d)"] {
            let errors = diagnostics("let f = \(bad)").errors
            #expect(errors.map(\.code) == [.argumentOutOfRange], "\(bad): \(errors.map(\.message))")
        }
        let message = diagnostics("let f = forecast(site.power, -1 h)").errors.first?.message
        #expect(message == "`forecast` needs a horizon above 0 and at most 30 d, found `-1 h`")
        for good in ["forecast(site.power, 1 h)", "forecast(site.power, 30 d)", "history(site.power, 365 d)"] {
            #expect(diagnostics("let f = \(good)\nif f.avg > 0 kW then alert \"x\"").errors.isEmpty, "\(good)")
        }
    }

    @Test func forecastNeedsATelemetryPathOfAKnownMetric() {
        #expect(diagnostics("let f = forecast(site.power * 2, 1 h)").errors.first?.code == .typeMismatch)
        #expect(diagnostics("let f = forecast(grid.region, 1 h)").errors.first?.code == .noMatchingOverload)
    }
}

@Suite struct FightAnalysisTests {
    func warnings(_ text: String) -> [Diagnostic] {
        let result = Compilation.compile([SourceFile(name: "p.watt", text: text)], vocabulary: EnergyVocabularyTests.vocabulary)
        guard result.program != nil else {
            Issue.record("does not compile: \(DiagnosticRenderer.text(result.diagnostics))")
            return []
        }
        // The vocabulary registers the analysis: every compilation runs it.
        return result.diagnostics.filter { $0.code == .rulesFight }
    }

    @Test func rulesMovingJobsBackAndForthAreReported() {
        let w = warnings("""
        rule a { when site.power > 1 MW then move jobs where pool == "default" and flexible to pool "batch" }
        rule b { when site.power < 2 MW then move jobs where pool in ["batch", "efficient"] to pool "default" }
        """)
        #expect(w.map(\.code) == [.rulesFight])
        #expect(w.first?.message == "rules `a` and `b` can fight: one moves jobs from `default` to `batch`, the other back")
        #expect(w.first?.labels.first?.message == "moves them back")
    }

    /// Thousands of moving rules: each move meets only the moves into its source pools
    /// (it compared every pair: 4.5 million pairs here); the 3,000 rules that each fight
    /// the one moving back are each reported once, in order.
    @Test func thousandsOfMovingRules() throws {
        let away = (0..<3_000).map { "rule r\($0) { when site.power > 1 MW then move jobs where pool == \"default\" to pool \"batch\" }" }
        let text = (away + ["rule back { when site.power > 1 MW then move jobs where pool == \"batch\" to pool \"default\" }"])
            .joined(separator: "\n")
        let start = ContinuousClock.now
        let w = warnings(text)
        let elapsed = ContinuousClock.now - start
        #expect(w.count == 3_000)
        #expect(w.first?.message == "rules `r0` and `back` can fight: one moves jobs from `default` to `batch`, the other back")
        #expect(w.last?.message == "rules `r2999` and `back` can fight: one moves jobs from `default` to `batch`, the other back")
        print("fight analysis: 3,001 rules compiled and checked in \(elapsed)")
    }

    @Test func prioritiesOrUnrelatedPoolsDoNotWarn() {
        #expect(warnings("""
        rule a priority 2 { when true then move jobs where pool == "default" to pool "batch" }
        rule b priority 1 { when true then move jobs where pool == "batch" to pool "default" }
        """).isEmpty)
        #expect(warnings("""
        rule a { when true then move jobs where pool == "default" to pool "batch" }
        rule b { when true then move jobs where pool == "efficient" to pool "default" }
        """).isEmpty)
    }
}
