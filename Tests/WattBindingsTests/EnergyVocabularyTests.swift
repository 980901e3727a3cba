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

    /// Thousands of moving rules: each move meets only the moves into its source pools; the
    /// first 20 fights are written out, then one warning counts the rest.
    @Test func thousandsOfMovingRules() throws {
        let away = (0..<3_000).map { "rule r\($0) { when site.power > 1 MW then move jobs where pool == \"default\" to pool \"batch\" }" }
        let text = (away + ["rule back { when site.power > 1 MW then move jobs where pool == \"batch\" to pool \"default\" }"])
            .joined(separator: "\n")
        let start = ContinuousClock.now
        let w = warnings(text)
        let elapsed = ContinuousClock.now - start
        #expect(w.count == 21)
        #expect(w.first?.message == "rules `r0` and `back` can fight: one moves jobs from `default` to `batch`, the other back")
        #expect(w[19].message == "rules `r19` and `back` can fight: one moves jobs from `default` to `batch`, the other back")
        #expect(w.last?.message == "2980 more pairs of rules can fight (among 2981 rules), not shown")
        print("fight analysis: 3,001 rules compiled and checked in \(elapsed)")
    }

    /// The verbs that reverse each other: cap/uncap, suspend/wake, drain/resume, defer/release.
    @Test(arguments: [("cap nodes at 300 W", "uncap nodes", "one caps nodes, the other uncaps them"),
                      ("suspend nodes where state == \"idle\"", "wake nodes where state == \"suspended\"", "one suspends nodes, the other wakes them"),
                      ("drain nodes", "resume nodes", "one drains nodes, the other resumes them"),
                      ("defer jobs where flexible for 1 h", "release jobs", "one defers jobs, the other releases them")])
    func oppositeVerbsAtOnePriorityFight(_ first: String, _ second: String, _ says: String) {
        let w = warnings("""
        rule a { when site.power > 1 MW then \(first) }
        rule b { when site.power > 800 kW then \(second) }
        """)
        #expect(w.map(\.message) == ["rules `a` and `b` can fight: \(says)"])
    }

    /// Exclusive conditions or targets, or a priority, settle it: no warning (the carbon and
    /// price packs' cap and uncap rules are written so).
    @Test func exclusiveConditionsOrTargetsDoNotFight() {
        #expect(warnings("""
        let dirty = grid.carbon_intensity > 300 g/kWh
        rule a { when dirty then cap nodes where not present(power_cap) at 300 W }
        rule b { when not dirty then uncap nodes where present(power_cap) }
        """).isEmpty, "a let and its negation")
        #expect(warnings("""
        rule a { when site.power > 1 MW then cap nodes at 300 W }
        rule b { when site.power <= 1 MW then uncap nodes }
        """).isEmpty, "intervals that do not meet")
        #expect(warnings("""
        let spare = nodes where state == "idle" and pool == "batch"
        rule a { when true then suspend spare }
        rule b { when true then wake nodes where state == "suspended" and pool in ["default", "efficient"] }
        """).isEmpty, "targets in other pools, through a let")
        #expect(warnings("""
        rule a priority 2 { when true then cap nodes at 300 W }
        rule b priority 1 { when true then uncap nodes }
        """).isEmpty, "priorities settle it")
        // Filters on what the verbs set say what the targets were before: capping uncapped
        // nodes and uncapping capped ones fight, a tick apart.
        #expect(warnings("""
        rule a { when true then cap nodes where not present(power_cap) at 300 W }
        rule b { when true then uncap nodes where present(power_cap) }
        """).count == 1)
        // Touching ends, both included, do meet.
        #expect(warnings("""
        rule a { when site.power >= 1 MW then cap nodes at 300 W }
        rule b { when site.power <= 1 MW then uncap nodes }
        """).count == 1)
    }

    /// A move's pool filters name where its jobs come from: they never keep two moves apart;
    /// other facts about the jobs still do.
    @Test func movesAreNotSettledByTheirSourcePools() {
        #expect(warnings("""
        rule a { when true then move jobs where pool == "default" and flexible to pool "batch" }
        rule b { when true then move jobs where pool == "batch" and not flexible to pool "default" }
        """).isEmpty)
    }

    /// 2,000 rules capping and uncapping the same nodes: a million pairs, 20 written out and
    /// one count (the issue's file printed 7 million lines).
    @Test func aMillionFightingPairsPrintTwentyOneWarnings() {
        let caps = (0..<1_000).map { "rule c\($0) { when site.power > 1 MW then cap nodes at 300 W }" }
        let uncaps = (0..<1_000).map { "rule u\($0) { when site.power > 900 kW then uncap nodes }" }
        let start = ContinuousClock.now
        let w = warnings((caps + uncaps).joined(separator: "\n"))
        print("fight analysis: 2,000 back-and-forth rules compiled and checked in \(ContinuousClock.now - start)")
        #expect(w.count == 21)
        #expect(w.last?.message == "999980 more pairs of rules can fight (among 2000 rules), not shown")
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
