import Testing
@testable import WattLanguage

@Suite struct ParserTests {
    func dump(_ text: String) -> String {
        let result = TestWorld.parse(text)
        #expect(result.diagnostics.isEmpty, "\(DiagnosticRenderer.text(result.diagnostics))")
        return ASTDump.dump(result.unit)
    }
    func expr(_ text: String) -> String { dump("let x = " + text).replacingOccurrences(of: "(let x ", with: "").dropLast().description }

    @Test(arguments: [
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("a or b and not c", "(or a (and b (not c)))"),
        ("not a == b", "(not (== a b))"),
        ("a ?? b + 1 > c", "(> (?? a (+ b 1)) c)"),
        ("- a.b", "(- (. a b))"),
        ("x not in [1, 2,]", "(not in x [1 2])"),
        ("jobs where gpus > 0 and flexible", "(where jobs (and (> gpus 0) flexible))"),
        ("jobs where a where b", "(where (where jobs a) b)"),
        ("top 3 of jobs where a by energy asc", "(top 3 (where jobs a) energy asc)"),
        ("if a then 1 kW else 2 kW", "(if a 1[kW] 2[kW])"),
        ("400 g/kWh", "400[g/kWh]"),
        ("400 g / kWh", "(/ 400[g] kWh)"),
        ("80%", "80[%]"),
        ("1.5kWh", "1.5[kWh]"),
        ("f(a, b,)", "(call f a b)"),
        ("\"a\\nb\"", "\"a\\nb\""),
    ])
    func expressions(_ input: String, _ expected: String) {
        #expect(expr(input) == expected)
    }

    @Test func oneLineRuleWithElseAndCooldown() {
        #expect(dump(#"if site.power > 900 kW for 10 min then cap nodes at 5 kW; alert "x" else uncap nodes cooldown 1 h"#)
            == #"(if (when (> (. site power) 900[kW])) (for 10[min]) (then (action cap nodes (at 5[kW])) (action alert "x")) (else (action uncap nodes)) (cooldown 1[h]))"#)
    }

    @Test func ruleBlockClausesAndQualifiers() {
        let text = """
        rule shave_peak priority 10 {
          when forecast(site.power, 1h) > 0.9 * site.power_cap for 10 min
          then move jobs where gpus > 0 and flexible to pool "efficient"
          cooldown 30 min
        }
        """
        #expect(dump(text) == #"(rule shave_peak (priority 10) (when (> (call forecast (. site power) 1[h]) (* 0.9 (. site power_cap)))) (for 10[min]) (then (action move (where jobs (and (> gpus 0) flexible)) (to pool "efficient"))) (cooldown 30[min]))"#)
    }

    @Test func slotWithoutQualifier() {
        #expect(dump("let p = \"a\"\nif true then move jobs to p; wake nodes").contains("(action move jobs (to p)) (action wake nodes)"))
    }

    /// Each syntax error is reported with the text it underlines; recovery finds all of them.
    @Test func recoversAndReportsEveryError() {
        let text = """
        let a = 1 +
        let b = (2
        if x > then wake nodes
        rule r { when a then }
        let ok = 1
        """
        let result = TestWorld.parse(text)
        #expect(result.diagnostics.count == 4)
        #expect(result.diagnostics.map(\.underlined) == ["let", "if", "then", "}"])
        #expect(result.unit.declarations.count == 1)
    }

    @Test(arguments: [
        ("let x = 1 < 2 < 3", DiagnosticCode.chainedComparison),
        ("let x = 900 kw", .unknownUnit),
        ("let rule = 1", .expectedToken),
        ("if a then move jobs cap nodes at 1 kW", .expectedToken),
        ("rule r { when a }", .missingClause),
        ("rule r { when a then wake nodes when b }", .duplicateClause),
        ("x + 1", .expectedDeclaration),
        ("let x = a = b", .expectedToken),
        ("let x = 1 + if a then 1 else 2", .expectedExpression),
    ])
    func syntaxErrors(_ text: String, _ code: DiagnosticCode) {
        let codes = TestWorld.parse(text).diagnostics.map(\.code)
        #expect(codes.contains(code), "got \(codes)")
    }

    @Test func unknownUnitSuggestsTheRightOne() {
        let d = TestWorld.parse("let x = 900 kw").diagnostics.first
        #expect(d?.help == "did you mean `kW`?")
        #expect(d?.underlined == "kw")
    }

    @Test func deepNestingIsADiagnosticNotACrash() {
        let deep = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        let result = TestWorld.parse("let x = " + deep)
        #expect(result.diagnostics.first?.code == .nestingTooDeep)
        let deepNot = String(repeating: "not ", count: 5_000) + "true"
        #expect(TestWorld.parse("let x = " + deepNot).diagnostics.first?.code == .nestingTooDeep)
        let deepMinus = String(repeating: "-", count: 5_000) + "1"
        #expect(TestWorld.parse("let x = " + deepMinus).diagnostics.first?.code == .nestingTooDeep)
    }

    @Test func longChainsAreBoundedToo() {
        // A chain nests in the tree (((1 + 1) + 1) ...), which later stages walk recursively.
        let ok = (0..<200).map { _ in "1" }.joined(separator: " + ")
        #expect(TestWorld.parse("let x = " + ok).diagnostics.isEmpty)
        let chain = (0..<50_000).map { _ in "1" }.joined(separator: " + ")
        #expect(TestWorld.parse("let x = " + chain).diagnostics.map(\.code) == [.nestingTooDeep])
    }
}
