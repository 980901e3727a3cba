import Foundation
import Testing
@testable import WattLanguage
import WattTestSupport

/// The figures of docs/reliability.md for the front end and for evaluation bounds: every
/// case table of `HostileInputTests` and `BudgetTests` run as one counted sweep, each input
/// checked for the diagnostic or behaviour it must get (the code, that nothing compiled,
/// that rendering stays short, that the other rules ran...), and counted as tried and as
/// handled as required (`scripts/reliability-figures.py` holds the floors). The detailed
/// assertions stay in those suites; this file counts what was exercised, and adds generated
/// pathological rules.
@Suite struct HostileInputFigures {
    static let test = "Tests/WattLanguageTests/ReliabilityFiguresTests.swift (HostileInputTests' tables)"

    /// 10,000 levels of a construct as a `let`, a rule condition and one `watt eval`
    /// expression: E0206 each time, nothing compiled, a short rendering.
    @Test(arguments: HostileInputTests.deepCases.map(\.0))
    func tenThousandLevels(_ name: String) throws {
        let text = try #require(HostileInputTests.deepCases.first { $0.0 == name }).1
        var tally = Tally()
        for program in ["let x = " + text + "\n", "if " + text + " then alert \"x\"\n"] {
            let result = HostileInputTests.exercise(program)
            let ok = result.codes.first == "E0206" && result.messages.first == HostileInputTests.depthMessage(name)
                && !result.compiled && result.rendered.utf8.count < 2_000
            #expect(ok, "\(name): \(result.codes)")
            tally.count("10,000-level nesting (let, rule, eval)", ok)
        }
        let evaluated = ExpressionEvaluator.evaluate(SourceFile(name: "<expr>", text: text), vocabulary: TestWorld.vocabulary,
                                                     inputs: TestWorld.inputs(), now: TestWorld.now)
        var diagnosed = false
        if case .failure(.diagnostics(let d)) = evaluated { diagnosed = d.first?.code == .nestingTooDeep }
        #expect(diagnosed, "\(name): `watt eval`")
        tally.count("10,000-level nesting (let, rule, eval)", diagnosed)
        tally.record("hostile-input", part: "nesting " + name, test: Self.test)
    }

    /// The deepest accepted program of each kind runs through every stage on a small stack,
    /// with the same outcomes as lists and as tables; one level more is E0206.
    @Test(arguments: HostileInputTests.atLimitCases.map(\.name))
    func deepestAccepted(_ name: String) throws {
        let c = try #require(HostileInputTests.atLimitCases.first { $0.name == name })
        let n = HostileInputTests.deepestAccepted(c.make)
        var tally = Tally()
        let over = TestWorld.parse("let x = " + c.make(n + 1)).diagnostics.map(\.code)
        #expect(over.contains(.nestingTooDeep))
        tally.count("one level over the nesting limit", over.contains(.nestingTooDeep))
        let text = "let x = " + c.make(n) + "\nif " + c.use + " then alert \"deep\"\n"
        let result = HostileInputTests.onThread(stackSize: HostileInputTests.testStackSize) { HostileInputTests.exercise(text) }
        let parsed = TestWorld.parse(text)
        let roundTrip = ASTDump.dump(TestWorld.parse(Formatter.format(parsed.unit)).unit) == ASTDump.dump(parsed.unit)
        let ok = n >= 60 && result.codes.isEmpty && result.compiled && result.outcomes.count == 2
            && result.outcomes[0] == result.outcomes[1] && result.outcomes[0].contains("fired") && roundTrip
        #expect(ok, "\(name) at \(n): \(result.codes) \(result.outcomes)")
        tally.count("deepest accepted nesting, every stage on a small stack", ok)
        tally.record("hostile-input", part: "at limit " + name, test: Self.test)
    }

    @Test func letChains() {
        var tally = Tally()
        let forward = "let a0 = site.pue\n" + (1..<10_000).map { "let a\($0) = a\($0 - 1) + 1" }.joined(separator: "\n")
            + "\nif a9999 > 0 then alert \"x\"\n"
        let f = HostileInputTests.exercise(forward)
        tally.count("10,000 chained lets", Set(f.codes) == ["E0206"] && !f.compiled)
        let backward = (0..<9_999).map { "let a\($0) = a\($0 + 1) + 1" }.joined(separator: "\n")
            + "\nlet a9999 = site.pue\nif a0 > 0 then alert \"x\"\n"
        let b = HostileInputTests.exercise(backward)
        tally.count("10,000 chained lets", Set(b.codes).isSubset(of: ["E0206", "E0208"]) && b.codes.contains("E0206") && !b.compiled)
        let n = (Checker.maxEvaluationDepth - 3) / 2
        let longest = "let a0 = site.pue\n" + (1...n).map { "let a\($0) = a\($0 - 1) + 1" }.joined(separator: "\n")
            + "\nif a\(n) > 0 then alert \"x\"\n"
        let l = HostileInputTests.onThread(stackSize: HostileInputTests.testStackSize) { HostileInputTests.exercise(longest) }
        tally.count("longest accepted let chain on a small stack", l.compiled && l.outcomes.first == "line \(n + 2): fired")
        #expect(tally.figures["10,000 chained lets: as required"] == 2)
        #expect(tally.figures["longest accepted let chain on a small stack: as required"] == 1)
        tally.record("hostile-input", part: "let chains", test: Self.test)
    }

    /// The literal and instant tables of `HostileInputTests` (there in test arguments).
    static let hugeNumbers: [(String, String)] = [
        ("1e400", "E0105"), ("-1e400", "E0105"), (String(repeating: "9", count: 400), "E0105"),
        ("1" + String(repeating: "0", count: 399), "E0105"), ("1" + String(repeating: "0", count: 5_000), "E0107"),
        ("0." + String(repeating: "0", count: 5_000) + "1", "E0107"), ("1e99999999999999999999", "E0105"),
        // A number in range whose canonical value is not: 1e306 kW is 1e309 W.
        ("1e306", "E0105"),
    ]
    static let farInstants = [
        "now + 1e300 h", "now - 1e300 h", "(now + 1e300 h).hour", "(now - 1e300 h).weekday", "(now + 1e300 h).day_of_year",
        "(now + 1e300 h).time_of_day", "now + 1e20 h > now", "time(\"9999-12-31T23:59:59Z\") + 1e300 h",
    ]
    /// Durations that overflow at run time: an undefined result (E0703), never an infinite instant.
    static let overflowingInstants = ["now + site.pue * 1e308 * 10 * 1 s", "(now - site.pue * 1e308 * 10 * 1 s).year"]

    @Test func literalsInstantsAndDimensions() {
        var tally = Tally()
        for (literal, code) in Self.hugeNumbers {
            let result = HostileInputTests.exercise("let x = " + literal + " kW\nif x > 0 W then alert \"x\"\n")
            let ok = result.codes.first == code && !result.compiled && result.rendered.utf8.count < 2_000
            #expect(ok, "\(literal.prefix(20)): \(result.codes)")
            tally.count("huge number literal", ok)
        }
        let valid = ["1e-400", "0." + String(repeating: "0", count: 300) + "1 > 0", "1" + String(repeating: "0", count: 300),
                     "1" + String(repeating: "_0", count: 30), "1e305 kW"]
        for text in valid {
            let ok = !TestWorld.eval(text).hasPrefix("error")
            #expect(ok, "\(text.prefix(20))")
            tally.count("tiny or long valid number", ok)
        }
        for expression in Self.farInstants {
            let rule = HostileInputTests.exercise("let x = \(expression)\nif present(x) then alert \"x\"\n")
            let ok = !TestWorld.eval(expression).hasPrefix("error") && !TestWorld.eval(expression, tables: true).hasPrefix("error")
                && rule.codes.isEmpty && rule.outcomes.first == "line 2: fired"
            #expect(ok, "\(expression)")
            tally.count("instant beyond the calendar", ok)
        }
        for expression in Self.overflowingInstants {
            let ok = TestWorld.eval(expression).hasPrefix("error: E0703") && TestWorld.eval(expression, tables: true).hasPrefix("error: E0703")
            #expect(ok, "\(expression): \(TestWorld.eval(expression))")
            tally.count("overflow at run time", ok)
        }
        let dimensions: [(String, Bool)] = [
            // Units of factor 1, so the value never overflows before the exponent does.
            ((0..<256).map { _ in "1 J" }.joined(separator: " * ") + " > 5", true),
            ((0..<129).map { _ in "1 s" }.joined(separator: " * "), true),
            ("1 / " + (0..<129).map { _ in "(1 / 1 s)" }.joined(separator: " / "), true),
            ((0..<127).map { _ in "1 s" }.joined(separator: " * "), false),
        ]
        for (text, outOfRange) in dimensions {
            let value = TestWorld.eval(text)
            let ok = outOfRange ? value.hasPrefix("error: E0405 the dimension of this") : !value.hasPrefix("error")
            #expect(ok, "\(value)")
            tally.count("dimension exponent out of range", ok)
        }
        tally.record("hostile-input", part: "literals", test: Self.test)
    }

    /// The inputs of `HostileInputTests.tenMegabyteLine`, and the errors each must give.
    static func tenMegabyteLine(_ kind: String) -> (String, [String]) {
        let n = HostileInputTests.tenMB
        switch kind {
        case "string": return ("let x = \"" + String(repeating: "a", count: n) + "\"\nif x == \"a\" then alert x\n", ["E0107"])
        case "name": return ("let x = " + String(repeating: "a", count: n) + "\n", ["E0107", "E0301"])
        case "number": return ("let x = " + String(repeating: "7", count: n) + "\n", ["E0107"])
        case "comment": return ("# " + String(repeating: "a", count: n) + "\nif site.pue > 1 then alert \"x\"\n", [])
        case "spaces then error": return ("let x = 1" + String(repeating: " ", count: n) + "+ nodez\n", ["E0301"])
        default: return ("if count([" + String(repeating: "1, ", count: n / 30) + "1]) > 0 then alert \"x\"\n", [])
        }
    }

    @Test(arguments: ["string", "name", "number", "comment", "spaces then error", "list (1 MB)"])
    func tenMegabyteLines(_ kind: String) {
        let (text, expected) = Self.tenMegabyteLine(kind)
        let result = HostileInputTests.exercise(SourceFile(name: "long.watt", text: text), expression: false)
        let ok = result.codes == expected && result.messages.allSatisfy { $0.utf8.count < 300 } && result.rendered.utf8.count < 4_000
            && result.json.utf8.count < 8_000 && (!expected.isEmpty || result.outcomes.first?.contains("fired") == true)
        #expect(ok, "\(kind): \(result.codes)")
        var tally = Tally()
        tally.count("10 MB line", ok)
        tally.record("hostile-input", part: "10 MB line " + kind, test: Self.test)
    }

    @Test(arguments: ["0xFF", "NUL", "random", "bangs"])
    func tenMegabytesOfGarbage(_ kind: String) {
        let n = HostileInputTests.tenMB
        let bytes: [UInt8]
        switch kind {
        case "0xFF": bytes = [UInt8](repeating: 0xFF, count: n)
        case "NUL": bytes = [UInt8](repeating: 0, count: n)
        case "bangs": bytes = [UInt8](repeating: UInt8(ascii: "!"), count: n)
        default:
            var rng = PropertyTests.Xoshiro(seed: 10)
            bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
        let result = HostileInputTests.exercise(SourceFile(name: "garbage", bytes: bytes))
        let ok = result.codes.count <= DiagnosticBag.maxErrors + 1 && result.codes.last == "E0208" && result.rendered.utf8.count < 100_000
        #expect(ok, "\(kind): \(result.codes.count) errors")
        var tally = Tally()
        tally.count("10 MB of garbage", ok)
        tally.record("hostile-input", part: "garbage " + kind, test: Self.test)
    }

    @Test func bytesThatAreNotText() {
        var tally = Tally()
        for (name, text, code, message) in HostileInputTests.badBytes {
            let result = HostileInputTests.exercise(SourceFile(name: "bytes.watt", bytes: HostileInputTests.bytes(text)))
            let ok = result.codes.first == code && result.messages.first == message && !result.compiled
            #expect(ok, "\(name): \(result.codes)")
            tally.count("bytes that are not text", ok)
        }
        // A leading byte order mark is skipped (columns do not count it); carriage returns
        // alone are whitespace, CRLF counts lines as LF.
        let bom = Compilation.compile([SourceFile(name: "bom.watt", bytes: [0xEF, 0xBB, 0xBF] + Array("let x = nodez\n".utf8))],
                                      vocabulary: TestWorld.vocabulary)
        tally.count("byte order marks and carriage returns", bom.diagnostics.errors.map(\.code) == [.unknownName]
            && DiagnosticRenderer.text(bom.diagnostics.errors).contains(" 1 | let x = nodez\n   |         ^~~~~\n"))
        let onlyBOM = HostileInputTests.exercise(SourceFile(name: "bom.watt", bytes: [0xEF, 0xBB, 0xBF]))
        tally.count("byte order marks and carriage returns", onlyBOM.codes.isEmpty && onlyBOM.compiled)
        let cr = HostileInputTests.exercise(SourceFile(name: "cr.watt", bytes: [UInt8](repeating: 13, count: 1_000_000)))
        tally.count("byte order marks and carriage returns", cr.codes.isEmpty && cr.compiled)
        let crlf = TestWorld.compile("let a = 1\r\nlet b = nodez\r\n").diagnostics.first { $0.code == .unknownName }
        tally.count("byte order marks and carriage returns", crlf.map(DiagnosticRenderer.text)?.contains(" 2 | let b = nodez\n") == true)
        #expect(tally.figures["byte order marks and carriage returns: as required"] == 4)
        tally.record("hostile-input", part: "bytes", test: Self.test)
    }

    @Test func twentyThousandCheckerErrors() {
        let text = (0..<20_000).map { "let a\($0) = nodez\($0)" }.joined(separator: "\n") + "\n"
        let result = HostileInputTests.exercise(text)
        let ok = result.codes.count == DiagnosticBag.maxErrors + 1 && result.codes.last == "E0208"
        #expect(ok)
        var tally = Tally()
        tally.count("20,000 checker errors", ok)
        tally.record("hostile-input", part: "checker errors", test: Self.test)
    }
}

/// Evaluation is bounded: `BudgetTests`' cases counted, and pathological rules generated
/// from nested iterations, each either rejected at check time (E0601) or run beside two
/// cheap rules on a large world, where it finishes or stops at its step budget (E0701) and
/// the cheap rules still fire, on boxed lists and on tables alike.
@Suite struct EvaluationBoundsFigures {
    static let test = "Tests/WattLanguageTests/ReliabilityFiguresTests.swift (BudgetTests' cases, generated rules)"

    @Test func checkTimeBounds() throws {
        var tally = Tally()
        let triple = TestWorld.compile("""
        rule triple { when count(jobs where count(jobs where count(nodes where gpus_free >= job.gpus) > 0) > 0) > 0 then alert "x" }
        rule fine { when site.pue > 1 then alert "y" }
        """)
        tally.count("costly rule rejected or warned at check time", triple.program == nil
            && triple.diagnostics.errors.map(\.code) == [.costTooHigh] && triple.diagnostics.errors.first?.underlined == "triple")
        var options = Checker.Options()
        options.maxRuleCost = 1_000_000
        options.warnRuleCost = 200_000
        let strict = Compilation.compile([SourceFile(name: "strict.watt", text: BudgetTests.program)], vocabulary: TestWorld.vocabulary,
                                         options: options)
        tally.count("costly rule rejected or warned at check time", strict.diagnostics.errors.map(\.code) == [.costTooHigh]
            && strict.diagnostics.errors.first?.underlined == "pathological")
        var warn = Checker.Options()
        warn.warnRuleCost = 1_000_000
        let warned = Compilation.compile([SourceFile(name: "warn.watt", text: BudgetTests.program)], vocabulary: TestWorld.vocabulary,
                                         options: warn)
        tally.count("costly rule rejected or warned at check time", warned.program != nil
            && warned.diagnostics.first { $0.code == .costHigh }?.severity == .warning)
        let list = "[" + (0..<4_000).map(String.init).joined(separator: ", ") + "]"
        let const = TestWorld.compile("const c = count(\(list), count(\(list), it > 0) > 0)\nif c > 0 then alert \"x\"\n")
        tally.count("const over its budget at check time", const.program == nil
            && const.diagnostics.first { $0.code == .constEvaluationFailed }?.message == "`c` cannot be computed: it takes more than 10000000 steps")
        #expect(tally.allAsRequired, "\(tally.figures)")
        tally.record("evaluation-bounds", part: "check time", test: Self.test)
    }

    @Test(arguments: [true, false])
    func runTimeBounds(_ tables: Bool) throws {
        var tally = Tally()
        let program = try #require(TestWorld.compile(BudgetTests.program).program)
        let inputs = BudgetTests.world(jobs: 10_000, nodes: 2_000, tables: tables)
        let evaluation = program.evaluate(inputs, now: TestWorld.now, limits: .init(stepsPerRule: 2_000_000, stepsPerTick: 50_000_000))
        let status = Dictionary(uniqueKeysWithValues: evaluation.outcomes.map { ($0.rule, $0) })
        tally.count("rule stopped at its budget while the others ran", status["pathological"]?.status == .failed("step budget of 2000000 exceeded")
            && status["pathological"]?.diagnostic?.code == .budgetExceeded && status["pathological"]?.actions.isEmpty == true
            && status["before"]?.status == .fired && status["after"]?.status == .fired && evaluation.steps < 2_200_000)

        let text = (1...3).map { "rule r\($0) { when count(jobs where gpus >= 0) > 0 then alert \"r\($0)\" }" }.joined(separator: "\n")
        let three = try #require(TestWorld.compile(text).program)
        let small = BudgetTests.world(jobs: 10_000, nodes: 10, tables: tables)
        let steps = three.evaluate(small, now: TestWorld.now).outcomes.map(\.steps)
        let shared = three.evaluate(small, now: TestWorld.now,
                                    limits: .init(stepsPerRule: steps.max()! * 2, stepsPerTick: steps[0] + steps[1] + 1)).outcomes
        tally.count("tick budget shared", shared.map(\.status) == [.fired, .fired, .failed("step budget of 1 exceeded")]
            && shared[2].diagnostic?.code == .budgetExceeded)

        let limits = Program.Limits(stepsPerRule: 1_000_000)
        var expression = false
        if case .failure(.evaluation(let d)) = ExpressionEvaluator.evaluate(SourceFile(name: "<expr>", text: BudgetTests.crossProduct),
                                                                           vocabulary: TestWorld.vocabulary, inputs: inputs,
                                                                           now: TestWorld.now, limits: limits) {
            expression = d.code == .budgetExceeded
        }
        let lets = try #require(TestWorld.compile("let busy = \(BudgetTests.crossProduct)\nif busy then alert \"x\"\n").program)
        var letStopped = false
        if case .failure(.budgetExceeded(let limit))? = lets.evaluateDefinitions(inputs, now: TestWorld.now, limits: limits).first?.result {
            letStopped = limit == 1_000_000
        }
        // (On tables only: `let`s and expressions evaluate the same on lists.)
        if tables {
            tally.count("expression or let over its budget", expression)
            tally.count("expression or let over its budget", letStopped)
        }
        #expect(tally.allAsRequired, "\(tally.figures)")
        tally.record("evaluation-bounds", part: "run time " + (tables ? "tables" : "lists"), test: Self.test)
    }

    /// Pathological rules built from nested iterations: a start collection, a depth (2 or
    /// 3 collections deep, alternating jobs and nodes so the inner condition reads the
    /// enclosing element) and an outer form (four that visit everything, two that stop
    /// early). With the demo size hints, jobs × nodes is about 10^7 steps (accepted), three
    /// deep is 10^10 or more (E0601).
    static var generated: [(name: String, condition: String)] {
        var out: [(String, String)] = []
        let forms: [(String, (String, String) -> String)] = [
            ("count where", { c, inner in "count(\(c) where \(inner) > 0) > 0" }),
            ("sum", { c, inner in "sum(\(c), \(inner)) > 0" }),
            ("max", { c, inner in "max(\(c), \(inner)) > 0" }),
            ("avg", { c, inner in "avg(\(c), \(inner)) > 0" }),
            ("any", { c, inner in "any(\(c), \(inner) > 0)" }),
            ("all", { c, inner in "all(\(c), \(inner) < 0)" }),
        ]
        for start in ["jobs", "nodes"] {
            for depth in [2, 3] {
                let chain = (0..<depth).map { ($0 % 2 == 0) == (start == "jobs") ? "jobs" : "nodes" }
                // The innermost count reads the element of the collection around it.
                let last = chain[depth - 1]
                var inner = last == "nodes" ? "count(nodes, gpus_free >= job.gpus)" : "count(jobs, gpus <= node.gpus_free)"
                for c in chain.dropFirst().dropLast().reversed() { inner = "count(\(c) where \(inner) > 0)" }
                for (form, make) in forms {
                    out.append(("\(chain.joined(separator: " × ")) (\(form))", make(chain[0], inner)))
                }
            }
        }
        return out
    }

    static let worlds = [false, true].map { BudgetTests.world(jobs: 3_000, nodes: 1_000, tables: $0) }
    static let limits = Program.Limits(stepsPerRule: 300_000, stepsPerTick: 50_000_000)

    @Test(arguments: generated.map(\.name))
    func generatedPathologicalRule(_ name: String) throws {
        let condition = try #require(Self.generated.first { $0.name == name }).condition
        let text = """
        rule before { when count(jobs where flexible) > 0 then alert "before" }
        rule pathological { when \(condition) then alert "done" }
        rule after { when count(nodes where gpus_free > 4) > 0 then alert "after" }
        """
        let result = TestWorld.compile(text)
        var tally = Tally()
        var outcome = "?"
        if let program = result.program {
            var statuses: [String] = []
            var ok = true
            for inputs in Self.worlds {
                let evaluation = program.evaluate(inputs, now: TestWorld.now, limits: Self.limits)
                let byName = Dictionary(uniqueKeysWithValues: evaluation.outcomes.map { ($0.rule, $0) })
                let rule = try #require(byName["pathological"])
                switch rule.status {
                case .failed(let why):
                    ok = ok && why == "step budget of 300000 exceeded" && rule.diagnostic?.code == .budgetExceeded && rule.actions.isEmpty
                case .fired, .notFired:
                    ok = ok && rule.steps <= 2 * Self.limits.stepsPerRule
                case .missing:
                    ok = false
                }
                ok = ok && byName["before"]?.status == .fired && byName["after"]?.status == .fired
                statuses.append("\(rule.status)")
            }
            ok = ok && statuses[0] == statuses[1]
            outcome = statuses[0].hasPrefix("failed") ? "stopped at their budget" : "finished within their budget"
            #expect(ok, "\(name): \(statuses)")
            tally.count("generated pathological rule", ok)
        } else {
            let errors = result.diagnostics.errors
            let ok = errors.map(\.code) == [.costTooHigh] && errors.first?.underlined == "pathological"
            #expect(ok, "\(name): \(DiagnosticRenderer.text(result.diagnostics))")
            tally.count("generated pathological rule", ok)
            outcome = "rejected at check time"
        }
        var figures = tally.figures
        figures["generated rules " + outcome] = 1
        ReliabilityFigures.record("evaluation-bounds", part: "generated " + name, test: Self.test, figures)
    }
}
