import Foundation
import Testing
@testable import WattLanguage

/// Hostile inputs (issue 10): each gets a diagnostic with a stable code and message,
/// never a trap or a stack overflow, and every stage that can meet the input (lexer,
/// parser, checker, compiler, evaluator, formatter, AST dump, text and JSON rendering)
/// is run on it. docs/reliability.md lists the figures these tests print.
@Suite struct HostileInputTests {
    // MARK: Helpers

    /// Everything a host or the CLI may do with a file: compile it, render its
    /// diagnostics, format and dump what parsed, evaluate it both ways if it compiled,
    /// and evaluate its text as one expression (`watt eval`).
    struct Exercised: Sendable {
        /// Codes and messages of the errors, in source order (warnings are left out).
        var codes: [String]
        var messages: [String]
        var rendered: String
        var json: String
        var compiled: Bool
        var outcomes: [String]
    }

    static func exercise(_ source: SourceFile, expression: Bool = true) -> Exercised {
        let result = Compilation.compile([source], vocabulary: TestWorld.vocabulary)
        let rendered = DiagnosticRenderer.text(result.diagnostics)
        let json = DiagnosticRenderer.json(result.diagnostics)
        let parsed = Parser.parse(source)
        _ = Formatter.format(parsed.unit)
        _ = ASTDump.dump(parsed.unit)
        var outcomes: [String] = []
        if let program = result.program {
            for inputs in [TestWorld.inputs(), TestWorld.inputs().tabulated()] {
                let evaluation = program.evaluate(inputs, now: TestWorld.now, explainAll: true)
                outcomes.append(evaluation.outcomes.map { "\($0.rule): \($0.status)" }.joined(separator: "; "))
                for outcome in evaluation.outcomes { _ = outcome.explanation.map(\.rendered) }
            }
            _ = program.evaluateDefinitions(TestWorld.inputs(), now: TestWorld.now)
        }
        if expression {
            _ = ExpressionEvaluator.evaluate(source, vocabulary: TestWorld.vocabulary, inputs: TestWorld.inputs(), now: TestWorld.now)
        }
        let errors = result.diagnostics.errors
        return Exercised(codes: errors.map(\.code.rawValue), messages: errors.map(\.message),
                         rendered: rendered, json: json, compiled: result.program != nil, outcomes: outcomes)
    }

    static func exercise(_ text: String) -> Exercised { exercise(SourceFile(name: "hostile.watt", text: text)) }

    /// Seconds `body` takes (printed for docs/reliability.md, never asserted).
    static func seconds(_ body: () -> Void) -> Double {
        let start = ContinuousClock.now
        body()
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    // MARK: Deep nesting

    /// Ten thousand levels of each nesting construct.
    static let deepCases: [(String, String)] = {
        let n = 10_000
        func r(_ s: String, _ k: Int = n) -> String { String(repeating: s, count: k) }
        return [
            ("parentheses", r("(") + "1" + r(")")),
            ("brackets", r("[") + "1" + r("]")),
            ("not", r("not ") + "true"),
            ("unary minus", r("-") + "1"),
            ("minus with spaces", r("- ") + "1"),
            ("plus chain", r("1 + ") + "1"),
            ("or chain", r("true or ") + "false"),
            ("and chain", r("true and ") + "false"),
            ("coalesce chain", r("1 ?? ") + "1"),
            ("product chain", r("2 * ") + "1"),
            ("if in else", r("if true then 1 else ") + "2"),
            ("if in then", r("if true then (") + "1" + r(") else 2")),
            ("if in condition", r("if (") + "true" + r(") then true else false")),
            ("calls", r("abs(") + "1 kW" + r(")")),
            ("member chain", "site" + r(".power")),
            ("where chain", "jobs" + r(" where true")),
            ("top", r("(top 1 of ") + "jobs" + r(" by energy)")),
            ("list in call", r("count([") + "1" + r("])")),
        ]
    }()

    /// The E0206 message for 10,000 levels of a construct: a flat chain of one operator is
    /// not nesting, so it is bounded by the tree's depth (`Parser.maxTreeDepth`) instead.
    static func depthMessage(_ name: String) -> String {
        name.hasSuffix(" chain") && name != "member chain"
            ? "expression more than \(Parser.maxTreeDepth) levels deep, counting each operator of a chain as one"
            : "expression nested more than \(Parser.maxDepth) levels deep"
    }

    @Test(arguments: deepCases.map(\.0))
    func tenThousandLevelsAreADiagnostic(_ name: String) throws {
        let text = try #require(Self.deepCases.first { $0.0 == name }).1
        for program in ["let x = " + text + "\n", "if " + text + " then alert \"x\"\n"] {
            let result = Self.exercise(program)
            #expect(result.codes.first == "E0206", "\(name): \(result.codes)")
            #expect(result.messages.first == Self.depthMessage(name), "\(name)")
            #expect(!result.compiled)
            #expect(result.rendered.utf8.count < 2_000, "\(name): the rendered diagnostics should be short")
        }
        // The expression path (`watt eval`, the REPL) too.
        let source = SourceFile(name: "<expr>", text: text)
        guard case .failure(.diagnostics(let d)) = ExpressionEvaluator.evaluate(
            source, vocabulary: TestWorld.vocabulary, inputs: TestWorld.inputs(), now: TestWorld.now) else {
            Issue.record("\(name): `watt eval` accepted 10,000 levels"); return
        }
        #expect(d.first?.code == .nestingTooDeep)
    }

    /// The deepest program of each kind that the parser accepts, as a `let` read by a
    /// rule: every stage runs to the end, on a thread with a fraction of the default
    /// 8 MiB stack (4 MiB in a debug build, whose frames are several times larger; 1 MiB
    /// optimised), so the limit leaves head-room on any thread. Measured needs of the
    /// deepest case (250 parentheses): about 3 MiB debug, 0.75 MiB optimised.
    static let atLimitCases: [(name: String, make: @Sendable (Int) -> String, use: String)] = [
        ("parentheses", { n in String(repeating: "(", count: n) + "1" + String(repeating: ")", count: n) }, "x > 0"),
        ("not", { n in String(repeating: "not ", count: n) + "(site.pue > 1)" }, "x or not x"),
        ("unary minus", { n in String(repeating: "-", count: n) + "site.power" }, "abs(x) > 0 W"),
        ("plus chain", { n in (0...n).map { _ in "site.pue" }.joined(separator: " + ") }, "x > 0"),
        ("and chain", { n in (0...n).map { _ in "site.pue > 1" }.joined(separator: " and ") }, "x"),
        ("or chain", { n in (0...n).map { _ in "site.pue > 1" }.joined(separator: " or ") }, "x"),
        ("coalesce chain", { n in (0...n).map { _ in "site.outdoor_temperature" }.joined(separator: " ?? ") }, "x > 0 degC"),
        ("product chain", { n in (0...n).map { _ in "site.pue" }.joined(separator: " * ") }, "x > 0"),
        ("if in else", { n in String(repeating: "if site.pue > 2 then 1 else ", count: n) + "2" }, "x > 0"),
        ("calls", { n in String(repeating: "abs(", count: n) + "site.power" + String(repeating: ")", count: n) }, "x > 0 W"),
        ("where chain", { n in "jobs" + String(repeating: " where gpus >= 0", count: n) }, "count(x) > 0"),
        ("top", { n in String(repeating: "(top 5 of ", count: n) + "jobs" + String(repeating: " by energy)", count: n) }, "count(x) > 0"),
        ("brackets", { n in String(repeating: "[", count: n) + "site.pue" + String(repeating: "]", count: n) }, "count(x) > 0"),
    ]

    static var testStackSize: Int { _isDebugAssertConfiguration() ? 4 << 20 : 1 << 20 }

    /// Runs `body` on a new thread with `stackSize` bytes of stack and returns its result.
    final class ThreadResult<T>: @unchecked Sendable {
        var value: T?
        let done = DispatchSemaphore(value: 0)
    }

    static func onThread<T: Sendable>(stackSize: Int, _ body: @escaping @Sendable () -> T) -> T {
        let box = ThreadResult<T>()
        let thread = Thread { box.value = body(); box.done.signal() }
        thread.stackSize = stackSize
        thread.start()
        box.done.wait()
        return box.value!
    }

    /// The largest n for which `make(n)` parses (found by halving, then stepping).
    static func deepestAccepted(_ make: (Int) -> String) -> Int {
        func parses(_ n: Int) -> Bool { !TestWorld.parse("let x = " + make(n)).diagnostics.hasErrors }
        var low = 1, high = 600
        while low < high {
            let mid = (low + high + 1) / 2
            if parses(mid) { low = mid } else { high = mid - 1 }
        }
        return low
    }

    @Test(arguments: atLimitCases.map(\.name))
    func deepestAcceptedProgramsRunOnASmallStack(_ name: String) throws {
        let c = try #require(Self.atLimitCases.first { $0.name == name })
        let n = Self.deepestAccepted(c.make)
        #expect(n >= 60, "\(name): only \(n) levels parse")
        // One more level is the parser's error, not a crash.
        let over = TestWorld.parse("let x = " + c.make(n + 1)).diagnostics.map(\.code)
        #expect(over.contains(.nestingTooDeep), "\(name) at \(n + 1): \(over)")
        let text = "let x = " + c.make(n) + "\nif " + c.use + " then alert \"deep\"\n"
        let result = Self.onThread(stackSize: Self.testStackSize) { Self.exercise(text) }
        #expect(result.codes.isEmpty, "\(name) at \(n): \(result.codes) \(result.messages)")
        #expect(result.compiled)
        #expect(result.outcomes.count == 2 && result.outcomes[0] == result.outcomes[1], "\(name): \(result.outcomes)")
        #expect(result.outcomes.first?.contains("fired") == true, "\(name): \(result.outcomes)")
        // The formatter's output parses to the same tree.
        let parsed = TestWorld.parse(text)
        let formatted = Formatter.format(parsed.unit)
        #expect(ASTDump.dump(TestWorld.parse(formatted).unit) == ASTDump.dump(parsed.unit), "\(name): formatting changed the tree")
    }

    /// A flat chain is not nesting (issue 17): 300 `or`s, `and`s, `+`s, `*`s or `??`s, as a
    /// generated policy writes them, check and evaluate, while 300 parentheses are E0206.
    @Test func flatChainsOfThreeHundredAreAccepted() {
        for (op, item, use) in [("or", "site.pue > 1", "x"), ("and", "site.pue > 1", "x"), ("+", "site.pue", "x > 0"),
                                ("*", "site.pue", "x > 0"), ("??", "site.outdoor_temperature", "x > 0 degC"),
                                ("-", "site.pue", "x < 0")] {
            let text = "let x = " + Array(repeating: item, count: 301).joined(separator: " \(op) ") + "\nif " + use + " then alert \"x\"\n"
            let result = Self.exercise(text)
            #expect(result.codes.isEmpty, "`\(op)`: \(result.messages)")
            #expect(result.outcomes.first?.contains("fired") == true, "`\(op)`: \(result.outcomes)")
        }
        let nested = Self.exercise("let x = " + String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300) + "\n")
        #expect(nested.codes.first == "E0206")
    }

    // MARK: Chains of definitions

    /// A let reads the previous one, 10,000 times: the checker (which checks a definition
    /// where it is first used), the cost estimate and the evaluator would each recurse once
    /// per definition. Both orders were stack overflows; now the chain is error E0206 where
    /// it passes `Checker.maxEvaluationDepth`.
    @Test func tenThousandChainedLetsAreADiagnostic() {
        let forward = "let a0 = site.pue\n" + (1..<10_000).map { "let a\($0) = a\($0 - 1) + 1" }.joined(separator: "\n")
            + "\nif a9999 > 0 then alert \"x\"\n"
        let f = Self.exercise(forward)
        #expect(Set(f.codes) == ["E0206"], "\(f.codes)")
        #expect(f.messages.first { $0.contains("levels deep") } == "`a256` nests 514 levels deep, counting the definitions it uses, over the limit of 512")

        let backward = (0..<9_999).map { "let a\($0) = a\($0 + 1) + 1" }.joined(separator: "\n")
            + "\nlet a9999 = site.pue\nif a0 > 0 then alert \"x\"\n"
        let b = Self.exercise(backward)
        #expect(Set(b.codes).isSubset(of: ["E0206", "E0208"]), "\(b.codes)")
        #expect(b.messages.first?.hasPrefix("`a257` is used more than 512 levels deep") == true, "\(b.messages.first ?? "")")
        #expect(!b.compiled)
    }

    /// The longest chain of lets under the limit evaluates, also on a small stack.
    @Test func longestAcceptedChainRunsOnASmallStack() {
        // a_k nests 2k + 1 levels (a read and an addition per step); the rule's
        // comparison and read add 2.
        let n = (Checker.maxEvaluationDepth - 3) / 2
        let text = "let a0 = site.pue\n" + (1...n).map { "let a\($0) = a\($0 - 1) + 1" }.joined(separator: "\n")
            + "\nif a\(n) > 0 then alert \"x\"\n"
        let result = Self.onThread(stackSize: Self.testStackSize) { Self.exercise(text) }
        #expect(result.compiled, "\(result.codes) \(result.messages.prefix(3))")
        #expect(result.outcomes.first == "line \(n + 2): fired", "\(result.outcomes)")
        let program = TestWorld.compile(text).program
        let values = program?.evaluateDefinitions(TestWorld.inputs(), now: TestWorld.now) ?? []
        #expect(values.last.map { "\($0.name) = \((try? $0.result.get()) ?? "?")" } == "a\(n) = \(n + 1).3")
    }

    // MARK: Huge literals

    @Test(arguments: [
        ("1e400", "E0105", "number `1e400` is out of range"),
        ("-1e400", "E0105", "number `1e400` is out of range"),
        (String(repeating: "9", count: 400), "E0105", "number `" + String(repeating: "9", count: 40) + "` is out of range"),
        ("1" + String(repeating: "0", count: 399), "E0105", "number `1" + String(repeating: "0", count: 39) + "` is out of range"),
        ("1" + String(repeating: "0", count: 5_000), "E0107", "number is 5001 bytes long, over the limit of 4096"),
        ("0." + String(repeating: "0", count: 5_000) + "1", "E0107", "number is 5003 bytes long, over the limit of 4096"),
        ("1e99999999999999999999", "E0105", "number `1e99999999999999999999` is out of range"),
    ])
    func hugeNumbers(_ literal: String, _ code: String, _ message: String) {
        let result = Self.exercise("let x = " + literal + " kW\nif x > 0 W then alert \"x\"\n")
        #expect(result.codes.first == code, "\(result.codes)")
        #expect(result.messages.first == message)
        #expect(result.rendered.utf8.count < 2_000)
    }

    @Test func tinyAndLongButValidNumbersAreFine() {
        #expect(TestWorld.eval("1e-400") == "0")
        #expect(TestWorld.eval("0." + String(repeating: "0", count: 300) + "1 > 0") == "true")
        for text in ["1" + String(repeating: "0", count: 300), "1" + String(repeating: "_0", count: 30), "1e305 kW"] {
            #expect(!TestWorld.eval(text).hasPrefix("error"), "\(text.prefix(20)): \(TestWorld.eval(text))")
        }
    }

    // MARK: Extreme values

    /// Instants far outside any calendar (`now + 1e300 h`, infinite ones) used to trap in
    /// the calendar's integer arithmetic when a time field was read or the instant printed.
    @Test(arguments: [
        "now + 1e300 h", "now - 1e300 h", "(now + 1e300 h).hour", "(now - 1e300 h).weekday", "(now + 1e300 h).day_of_year",
        "(now + 1e300 h).time_of_day", "now + 1e20 h > now", "time(\"9999-12-31T23:59:59Z\") + 1e300 h",
    ])
    func farInstantsNeverTrap(_ expression: String) {
        #expect(!TestWorld.eval(expression).hasPrefix("error"), "\(expression): \(TestWorld.eval(expression))")
        #expect(!TestWorld.eval(expression, tables: true).hasPrefix("error"))
        let rule = Self.exercise("let x = \(expression)\nif present(x) then alert \"x\"\n")
        #expect(rule.codes.isEmpty && rule.outcomes.first == "line 2: fired", "\(expression): \(rule.codes) \(rule.outcomes)")
    }

    /// A duration that overflows is an undefined result (E0703, a gap `present` sees), never
    /// an infinite instant.
    @Test(arguments: ["now + site.pue * 1e308 * 10 * 1 s", "(now - site.pue * 1e308 * 10 * 1 s).year"])
    func overflowingDurationsAreGaps(_ expression: String) {
        #expect(TestWorld.eval(expression).hasPrefix("error: E0703 `site.pue * 1e308 * 10` is out of range"), "\(TestWorld.eval(expression))")
        #expect(TestWorld.eval(expression, tables: true).hasPrefix("error: E0703"))
        let rule = Self.exercise("let x = \(expression)\nif present(x) then alert \"x\"\n")
        #expect(rule.codes.isEmpty && rule.outcomes.first == "line 2: notFired", "\(expression): \(rule.codes) \(rule.outcomes)")
    }

    /// A product of 128 energies used to wrap its exponent around (`kWh^256` typed as a
    /// plain number, `h^129` as `1/s^127`); now the checker says the dimension is out of range.
    @Test func dimensionExponentsDoNotWrapAround() {
        // Units of factor 1, so the value never overflows (E0407) before the exponent does.
        let energy256 = (0..<256).map { _ in "1 J" }.joined(separator: " * ") + " > 5"
        #expect(TestWorld.eval(energy256) == "error: E0405 the dimension of this product is out of range")
        let time129 = (0..<129).map { _ in "1 s" }.joined(separator: " * ")
        #expect(TestWorld.eval(time129) == "error: E0405 the dimension of this product is out of range")
        let quotient = "1 / " + (0..<129).map { _ in "(1 / 1 s)" }.joined(separator: " / ")
        #expect(TestWorld.eval(quotient) == "error: E0405 the dimension of this quotient is out of range")
        let fine = (0..<127).map { _ in "1 s" }.joined(separator: " * ")
        #expect(!TestWorld.eval(fine).hasPrefix("error"))
    }

    // MARK: 10 MB lines

    static let tenMB = 10 * 1024 * 1024

    /// One line of 10 MB: a string literal, a name, a number, a comment, a list of five
    /// million elements, and 10 MB of spaces before an error at the end of the line.
    /// Each finishes in seconds (linear; printed for docs/reliability.md), and the caret
    /// line printed for it is cut around the caret, not 10 MB long.
    @Test(arguments: ["string", "name", "number", "comment", "spaces then error", "list (1 MB)"])
    func tenMegabyteLine(_ kind: String) {
        let n = Self.tenMB
        let text: String
        var expected: [String]
        switch kind {
        case "string": text = "let x = \"" + String(repeating: "a", count: n) + "\"\nif x == \"a\" then alert x\n"; expected = ["E0107"]
        case "name": text = "let x = " + String(repeating: "a", count: n) + "\n"; expected = ["E0107", "E0301"]
        case "number": text = "let x = " + String(repeating: "7", count: n) + "\n"; expected = ["E0107"]
        case "comment": text = "# " + String(repeating: "a", count: n) + "\nif site.pue > 1 then alert \"x\"\n"; expected = []
        case "spaces then error": text = "let x = 1" + String(repeating: " ", count: n) + "+ nodez\n"; expected = ["E0301"]
        default:
            // 350,000 list elements on one 1 MB line: valid, and linear all the way to
            // evaluation (10 MB take about ten times as long).
            text = "if count([" + String(repeating: "1, ", count: n / 30) + "1]) > 0 then alert \"x\"\n"; expected = []
        }
        var result: Exercised?
        let source = SourceFile(name: "long.watt", text: text)
        // (Not as one expression: that path lexes and parses the same way, once more.)
        let time = Self.seconds { result = Self.exercise(source, expression: false) }
        guard let result else { return }
        #expect(result.codes == expected, "\(kind): \(result.codes) \(result.messages)")
        for message in result.messages { #expect(message.utf8.count < 300, "\(kind): a message quotes the input: \(message.prefix(100))") }
        #expect(result.rendered.utf8.count < 4_000, "\(kind): rendering printed \(result.rendered.utf8.count) bytes")
        #expect(result.json.utf8.count < 8_000, "\(kind): JSON has \(result.json.utf8.count) bytes")
        if expected.isEmpty { #expect(result.outcomes.first?.contains("fired") == true, "\(kind): \(result.outcomes)") }
        print("hostile: 10 MB line (\(kind)): compile, render, format, dump, evaluate in \(String(format: "%.2f", time)) s")
    }

    /// The caret line of a diagnostic deep inside a long line shows the text around the
    /// caret, cut with `…` on both sides, and the caret under the right character.
    @Test func caretLineIsCutAroundTheCaret() {
        let text = "let x = 1" + String(repeating: " ", count: 100_000) + "+ nodez" + String(repeating: " ", count: 100_000) + "# end\n"
        let d = TestWorld.compile(text).diagnostics.first { $0.code == .unknownName }
        let rendered = DiagnosticRenderer.text(try! #require(d))
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "test.watt:1:100012: error[E0301]: unknown name `nodez`")
        let shown = lines[1].dropFirst(" 1 | ".count)
        let caret = lines[2].dropFirst(" 1 | ".count)
        #expect(shown.hasPrefix("…") && shown.hasSuffix("…"))
        #expect(shown.count == DiagnosticRenderer.snippetWidth + 2)
        let column = caret.firstIndex(of: "^").map { caret.distance(from: caret.startIndex, to: $0) } ?? -1
        #expect(String(Array(shown)[column...].prefix(5)) == "nodez")
        #expect(caret.hasSuffix("^~~~~"))
    }

    // MARK: Bytes that are not text

    /// Text with raw bytes spliced in: `{XX}` is the byte 0xXX.
    static func bytes(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            out += Array(rest[..<open].utf8)
            let close = rest[open...].firstIndex(of: "}")!
            out.append(UInt8(rest[rest.index(after: open)..<close], radix: 16)!)
            rest = rest[rest.index(after: close)...]
        }
        return out + Array(rest.utf8)
    }

    static let badBytes: [(name: String, text: String, code: String, message: String)] = [
        ("stray 0xFF", "let x = {FF}\n", "E0104", "invalid UTF-8 byte 0xff"),
        ("truncated sequence at the end", "let x = 1\n{E2}{82}", "E0104", "invalid UTF-8 byte 0xe2"),
        ("overlong encoding", "let x = {C0}{AF}", "E0104", "invalid UTF-8 byte 0xc0"),
        ("encoded surrogate", "let x = {ED}{A0}{80}", "E0104", "invalid UTF-8 byte 0xed"),
        ("invalid UTF-8 in a string", "let x = \"a{FE}b\"\n", "E0104", "string contains invalid UTF-8"),
        ("NUL byte", "let x = 1{00} + 1\n", "E0101", "unexpected NUL byte"),
        ("NUL in a string", "let x = \"a{00}b\"\n", "E0101", "control character 0x0 in string"),
        ("byte order mark inside", "let x = 1\n{EF}{BB}{BF}let y = 2\n", "E0101", "unexpected byte order mark (U+FEFF)"),
        ("control character", "let x = 1{07}\n", "E0101", "unexpected control character 0x7"),
        ("DEL", "let x = 1{7F}\n", "E0101", "unexpected control character 0x7f"),
    ]

    @Test(arguments: badBytes.map(\.name))
    func bytesThatAreNotText(_ name: String) throws {
        let (_, text, code, message) = try #require(Self.badBytes.first { $0.name == name })
        let result = Self.exercise(SourceFile(name: "bytes.watt", bytes: Self.bytes(text)))
        #expect(result.codes.first == code, "\(name): \(result.codes)")
        #expect(result.messages.first == message, "\(name)")
        #expect(!result.compiled)
    }

    /// Ten megabytes of garbage stop after 100 errors (E0208), without lexing the rest.
    @Test(arguments: ["0xFF", "NUL", "random", "bangs"])
    func tenMegabytesOfGarbage(_ kind: String) {
        var bytes: [UInt8]
        switch kind {
        case "0xFF": bytes = [UInt8](repeating: 0xFF, count: Self.tenMB)
        case "NUL": bytes = [UInt8](repeating: 0, count: Self.tenMB)
        case "bangs": bytes = [UInt8](repeating: UInt8(ascii: "!"), count: Self.tenMB)
        default:
            var rng = PropertyTests.Xoshiro(seed: 10)
            bytes = (0..<Self.tenMB).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
        var result: Exercised?
        let time = Self.seconds { result = Self.exercise(SourceFile(name: "garbage", bytes: bytes)) }
        guard let result else { return }
        let errors = result.codes
        #expect(errors.count <= DiagnosticBag.maxErrors + 1, "\(kind): \(errors.count) errors")
        #expect(errors.last == "E0208", "\(kind): \(errors.suffix(3))")
        #expect(result.rendered.utf8.count < 100_000)
        print("hostile: 10 MB of \(kind): \(errors.count) errors in \(String(format: "%.2f", time)) s")
    }

    /// A file of carriage returns is whitespace: an empty program, no diagnostic.
    @Test func onlyCarriageReturns() {
        let result = Self.exercise(SourceFile(name: "cr.watt", bytes: [UInt8](repeating: 13, count: 1_000_000)))
        #expect(result.codes.isEmpty)
        #expect(result.compiled)
        // CRLF line endings: lines and columns as with LF.
        let d = TestWorld.compile("let a = 1\r\nlet b = nodez\r\n").diagnostics.first { $0.code == .unknownName }
        let location = d.map { $0.source!.location(of: $0.range.start) }
        #expect(location?.line == 2 && location?.column == 9)
        #expect(d.map(DiagnosticRenderer.text)?.contains(" 2 | let b = nodez\n") == true)
    }

    /// A UTF-8 byte order mark may start a file: it is skipped, line 1's columns do not
    /// count it, and the formatter drops it.
    @Test func leadingByteOrderMark() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("let x = nodez\n".utf8)
        let source = SourceFile(name: "bom.watt", bytes: bytes)
        let result = Compilation.compile([source], vocabulary: TestWorld.vocabulary)
        #expect(result.diagnostics.errors.map(\.code) == [.unknownName])
        let location = result.diagnostics.errors.first.map { source.location(of: $0.range.start) }
        #expect(location?.line == 1 && location?.column == 9)
        #expect(DiagnosticRenderer.text(result.diagnostics.errors).contains(" 1 | let x = nodez\n   |         ^~~~~\n"))
        #expect(Formatter.format(Parser.parse(source).unit) == "let x = nodez\n")
        let ok = Self.exercise(SourceFile(name: "bom.watt", bytes: [0xEF, 0xBB, 0xBF] + Array("if site.pue > 1 then alert \"x\"\n".utf8)))
        #expect(ok.codes.isEmpty && ok.compiled)
        // Only the BOM: an empty program.
        #expect(Self.exercise(SourceFile(name: "bom.watt", bytes: [0xEF, 0xBB, 0xBF])).codes.isEmpty)
    }

    /// Many errors in the checker (one unknown name per line, 20,000 lines) stop at 100
    /// per file, and checking stays linear (it used to compare each new diagnostic with
    /// every earlier one, and to look for a "did you mean" for errors it then dropped).
    @Test func manyCheckerErrorsAreCapped() {
        let text = (0..<20_000).map { "let a\($0) = nodez\($0)" }.joined(separator: "\n") + "\n"
        var result: Exercised?
        let time = Self.seconds { result = Self.exercise(text) }
        let errors = result?.codes ?? []
        #expect(errors.count == DiagnosticBag.maxErrors + 1)
        #expect(errors.last == "E0208")
        print("hostile: 20,000 checker errors: compile and render in \(String(format: "%.2f", time)) s")
    }
}
