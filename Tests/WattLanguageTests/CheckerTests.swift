import Testing
@testable import WattLanguage

@Suite struct CheckerTests {
    @Test func unitMismatchNamesBothDimensions() {
        let d = TestWorld.compile("if site.power > 2 h then wake nodes").diagnostics.first
        #expect(d?.code == .dimensionMismatch)
        #expect(d?.message == "cannot compare power (kW) with time (h)")
        #expect(d?.underlined == "site.power > 2 h")
        #expect(d?.labels.map(\.message) == ["this is power (kW)", "this is time (h)"])
    }

    @Test(arguments: [
        ("let x = 1 kW + 1 kWh", "E0401", "1 kW + 1 kWh"),
        ("let x = site.power > 900", "E0401", "site.power > 900"),
        ("let x = site.powr", "E0302", "powr"),
        ("let x = sitee.power", "E0301", "sitee"),
        ("let x = forecst(site.power, 1 h)", "E0303", "forecst"),
        ("let x = forecast(site.power, 5 kW)", "E0403", "forecast(site.power, 5 kW)"),
        ("if site.power then wake nodes", "E0404", "site.power"),
        ("if true then mov jobs to pool \"a\"", "E0304", "mov"),
        ("if true then move jobs to pol \"a\"", "E0501", "to pol"),
        ("if true then move jobs", "E0502", "move jobs"),
        ("if true then move jobs to pool \"a\" to node \"b\"", "E0502", "move jobs to pool \"a\" to node \"b\""),
        ("if true then cap nodes at 5 kWh", "E0402", "5 kWh"),
        ("if true then cap jobs at 5 kW", "E0504", "jobs"),
        ("if true then cap nodes at 1 kW at 2 kW", "E0503", "at 2 kW"),
        ("let a = b\nlet b = a", "E0306", "a"),
        ("const c = site.power", "E0307", "site"),
        ("const c = now", "E0307", "now"),
        ("let x = count(site)", "E0406", "site"),
        ("let x = sum(jobs)", "E0402", "jobs"),
        ("let x = 1 kW * 1 h + 1 kW", "E0401", "1 kW * 1 h + 1 kW"),
        ("let x = \"a\" < 1", "E0402", "\"a\" < 1"),
        ("let x = not 1", "E0402", "1"),
        ("let x = [1, \"a\"]", "E0402", "\"a\""),
        ("let x = if true then 1 kW else 1 h", "E0402", "if true then 1 kW else 1 h"),
        ("let x = jobs where gpus", "E0404", "gpus"),
        ("let x = now.hours", "E0302", "hours"),
        ("let x = 1 / 0\nconst y = 1 / 0", "E0407", "1 / 0"),
        ("let x = 20 degC * 2 degC", "E0405", "20 degC * 2 degC"),
        ("if true for 5 kW then wake nodes", "E0402", "5 kW"),
        ("let x = 1\nlet x = 2", "E0305", "x"),
        ("let x = clamp(site.power, 3 kW, 1 kW)", "E0409", "3 kW, 1 kW"),
        ("let x = top -1 of jobs by gpus", "E0409", "-1"),
        ("const n = 0 - 2\nlet x = top n of jobs by gpus", "E0409", "n"),
    ])
    func errors(_ text: String, _ code: String, _ underlined: String) {
        let errors = TestWorld.errors(text)
        #expect(errors.contains { $0.0 == code && $0.1 == underlined }, "got \(errors)")
    }

    @Test func suggestionsForTypos() {
        let help = TestWorld.compile("let x = site.powr_cap").diagnostics.errors.first?.help
        #expect(help == "did you mean `power_cap`?")
        let unitName = TestWorld.compile("let x = kWh").diagnostics.errors.first?.help
        #expect(unitName == "units follow a number: write `1 kWh`")
        let verb = TestWorld.compile("if true then suspnd nodes").diagnostics.errors.first?.help
        #expect(verb == "did you mean `suspend`?")
    }

    @Test func reportsEveryErrorInAFile() {
        let text = """
        let a = site.power + 1 h
        let b = nodez
        if count(jobs) > 1 kW then wake nodes
        """
        let errors = TestWorld.errors(text)
        #expect(errors.map(\.0) == ["E0401", "E0301", "E0401"])
    }

    @Test func zeroNeedsNoUnitExceptForTemperature() {
        #expect(TestWorld.errors("let x = site.power > 0").isEmpty)
        #expect(TestWorld.errors("let x = nodes where temperature > 0").map(\.0) == ["E0401"])
    }

    @Test func elementIsReachableBySingularNameAndFieldsAreInScope() {
        #expect(TestWorld.errors("let x = jobs where job.gpus > 0 and gpus < 8 and it.flexible").isEmpty)
    }

    @Test func unusedDefinitionsAndShadowingWarn() {
        let diagnostics = TestWorld.compile("let unused = 1\nlet site = 2").diagnostics
        #expect(diagnostics.map(\.code).contains(.unusedDefinition))
        #expect(diagnostics.map(\.code).contains(.shadowedName))
        #expect(!diagnostics.hasErrors)
    }

    @Test func costEstimateRejectsCrossProducts() {
        let text = "if count(jobs where count(jobs where count(nodes where pool == \"a\") > 0) > 0) > 0 then wake nodes"
        let diagnostics = TestWorld.compile(text).diagnostics
        #expect(diagnostics.map(\.code).contains(.costTooHigh))
        let cheap = TestWorld.compile("if count(jobs where gpus > 0) > 0 then wake nodes")
        #expect(cheap.program?.checked.rules.first?.estimatedCost ?? 0 > 10_000)
        #expect(!cheap.hasErrors)
    }

    @Test func constsAreFoldedAtCheckTime() {
        let result = TestWorld.compile("const limit = 0.9 * 1 MW\nif site.power > limit then wake nodes")
        #expect(!result.hasErrors)
        guard case .compare(_, _, let right)? = result.program?.checked.rules.first.map({ $0.condition.kind }) else {
            Issue.record("expected a comparison")
            return
        }
        guard case .constant(.number(let v)) = right.kind else {
            Issue.record("the const should be folded")
            return
        }
        #expect(v == 900_000)
    }
}

@Suite struct InventoryCheckTests {
    @Test(arguments: [
        ("if true then move jobs to pool \"efficent\"", "\"efficent\"", "unknown pool `efficent`", "did you mean `efficient`?"),
        ("let x = nodes where pool == \"bach\"", "\"bach\"", "unknown pool `bach`", "did you mean `batch`?"),
        ("let x = jobs where \"runing\" == state", "\"runing\"", "unknown state `runing`", "did you mean `running`?"),
        ("let x = jobs where pool in [\"default\", \"gpu\"]", "[\"default\", \"gpu\"]", "unknown pool `gpu`", "known: `default`, `efficient`, `batch`"),
    ])
    func misspeltInventoryNames(_ text: String, _ underlined: String, _ message: String, _ help: String) {
        let d = TestWorld.compile(text).diagnostics.errors.first
        #expect(d?.code == .unknownValue)
        #expect(d?.underlined == underlined)
        #expect(d?.message == message)
        #expect(d?.help == help)
    }

    @Test func knownNamesAndComputedValuesPass() {
        #expect(TestWorld.errors("let x = nodes where pool == \"batch\" and state != \"idle\"\nif count(x) > 0 then move jobs to pool \"efficient\"").isEmpty)
        #expect(TestWorld.errors("let p = \"x\" + \"y\"\nlet x = nodes where pool == p").isEmpty)
    }
}
