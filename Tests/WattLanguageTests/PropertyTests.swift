import PropertyBased
import Testing
@testable import WattLanguage

/// Random programs round-trip through the printer, and random bytes never crash the
/// front end (they may only produce diagnostics).
@Suite struct PropertyTests {
    /// A tiny seeded generator of syntactically valid expressions and programs.
    struct ProgramGenerator {
        var rng: Xoshiro

        mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }

        mutating func name() -> String { pick(["a", "b", "site", "jobs", "power", "x1", "gpus", "it", "priority", "desc"]) }

        /// Operands are atoms or parenthesised, so any generated text parses; the printer
        /// then decides which parentheses are needed, which is what the round trip checks.
        mutating func operand(_ depth: Int) -> String {
            let e = expression(depth: depth + 1)
            return e.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) ? e : "(" + e + ")"
        }

        mutating func expression(depth: Int = 0) -> String {
            if depth > 4 || chance(30) { return atom() }
            let text: String
            switch rng.next() % 12 {
            case 0: text = "\(operand(depth)) \(pick(["+", "-", "*", "/"])) \(operand(depth))"
            case 1: text = "\(operand(depth)) \(pick(["==", "!=", "<", "<=", ">", ">=", "in", "not in"])) \(operand(depth))"
            case 2: text = "\(operand(depth)) \(pick(["and", "or", "??"])) \(operand(depth))"
            case 3: text = "not \(operand(depth))"
            case 4: text = "-\(operand(depth))"
            case 5: text = "\(name())(\(expression(depth: depth + 1)), \(expression(depth: depth + 1)))"
            case 6: text = "\(name()).\(name())"
            case 7: text = "\(name()) where \(operand(depth))"
            case 8: text = "if \(expression(depth: depth + 1)) then \(expression(depth: depth + 1)) else \(expression(depth: depth + 1))"
            case 9: text = "top \(pick(["1", "5", "n"])) of \(name()) by \(atom())\(pick(["", " asc", " desc"]))"
            case 10: text = "[\(expression(depth: depth + 1)), \(atom())]"
            default: text = "\(operand(depth)).\(name())"
            }
            return text
        }

        mutating func atom() -> String {
            switch rng.next() % 6 {
            case 0: return pick(["1", "2.5", "1_000", "3e2", "0"])
            case 1: return pick(["900 kW", "1.5 kWh", "15 min", "80 %", "400 g/kWh", "0.12 USD/kWh", "75 degC"])
            case 2: return pick(["\"x\"", "\"a\\nb\"", "\"\""])
            case 3: return pick(["true", "false"])
            default: return name()
            }
        }

        mutating func action() -> String {
            let verb = pick(["move", "cap", "wake", "alert"])
            var text = verb + " " + operand(3)
            if chance(50) { text += " to pool \"p\"" }
            if chance(30) { text += " at \(atom())" }
            if chance(20) { text += " until \(operand(2))" }
            return text
        }

        mutating func program() -> String {
            var lines: [String] = []
            for _ in 0..<(1 + rng.next() % 4) {
                switch rng.next() % 4 {
                case 0: lines.append("let \(name())\(rng.next() % 9) = \(expression())")
                case 1: lines.append("const c\(rng.next() % 9) = \(expression())  # note")
                case 2: lines.append("if \(expression()) then \(action())\(chance(30) ? "; " + action() : "")\(chance(20) ? " else " + action() : "")")
                default:
                    lines.append("rule r\(rng.next() % 9) priority \(rng.next() % 5) {\n  when \(expression())\(chance(40) ? " for 10 min" : "")\n  then \(action())\n\(chance(40) ? "  cooldown 5 min\n" : "")}")
                }
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// SplitMix-seeded xoshiro256** so failures reproduce from the seed in the message.
    struct Xoshiro {
        var s: (UInt64, UInt64, UInt64, UInt64)
        init(seed: UInt64) {
            var z = seed
            func splitmix(_ z: inout UInt64) -> UInt64 {
                z &+= 0x9E37_79B9_7F4A_7C15
                var x = z
                x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
                x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
                return x ^ (x >> 31)
            }
            s = (splitmix(&z), splitmix(&z), splitmix(&z), splitmix(&z))
        }
        mutating func next() -> UInt64 {
            let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
            let t = s.1 << 17
            s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3; s.2 ^= t
            s.3 = (s.3 << 45) | (s.3 >> 19)
            return result
        }
    }

    @Test func randomProgramsRoundTrip() async {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var generator = ProgramGenerator(rng: Xoshiro(seed: seed))
            let text = generator.program()
            let first = Parser.parse(SourceFile(name: "gen", text: text))
            #expect(first.diagnostics.isEmpty, "seed \(seed) generated an invalid program:\n\(text)\n\(DiagnosticRenderer.text(first.diagnostics))")
            let formatted = Formatter.format(first.unit)
            let second = Parser.parse(SourceFile(name: "fmt", text: formatted))
            #expect(ASTDump.dump(first.unit) == ASTDump.dump(second.unit), "seed \(seed):\n\(text)\n---\n\(formatted)")
            #expect(Formatter.format(second.unit) == formatted, "seed \(seed): not idempotent")
        }
    }

    @Test func randomProgramsNeverCrashTheChecker() async {
        await propertyCheck(count: 300, input: Gen.uint64()) { seed in
            var generator = ProgramGenerator(rng: Xoshiro(seed: seed))
            let result = Compilation.compile([SourceFile(name: "gen", text: generator.program())], vocabulary: TestWorld.vocabulary)
            if let program = result.program {
                _ = program.evaluate(TestWorld.inputs(), now: TestWorld.now, limits: .init(stepsPerRule: 100_000))
            }
        }
    }

    @Test func randomBytesNeverCrashTheFrontEnd() async {
        await propertyCheck(count: 500, input: Gen.uint8().array(of: 0...400)) { bytes in
            let source = SourceFile(name: "bytes", bytes: bytes)
            let result = Compilation.compile([source], vocabulary: TestWorld.vocabulary)
            for d in result.diagnostics { _ = DiagnosticRenderer.text(d) }
        }
    }

    @Test func randomTokenSoupNeverCrashes() async {
        let pieces = ["rule", "if", "then", "else", "when", "for", "{", "}", "(", ")", "[", "]", "where", "top", "of", "by",
                      "1", "kW", "\"s\"", "a", ".", ",", ";", "+", "-", "*", "/", "<", "==", "??", "not", "in", "and",
                      "to", "pool", "at", "let", "const", "=", "%", "g/kWh", "cooldown", "priority", "#c\n", "\n"]
        await propertyCheck(count: 500, input: Gen.int(in: 0...(pieces.count - 1)).array(of: 0...60)) { indexes in
            let text = indexes.map { pieces[$0] }.joined(separator: " ")
            let result = Compilation.compile([SourceFile(name: "soup", text: text)], vocabulary: TestWorld.vocabulary)
            if let program = result.program {
                _ = program.evaluate(TestWorld.inputs(), now: TestWorld.now, limits: .init(stepsPerRule: 100_000))
            }
            _ = DiagnosticRenderer.text(result.diagnostics)
        }
    }
}
