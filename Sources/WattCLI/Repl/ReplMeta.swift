import Foundation
import WattBindings
import WattCluster
import WattControl
import WattLanguage
import WattSupport

/// The REPL's meta commands (`:help`, `:load`, `:tick`, ...).
extension ReplSession {
    static let metaCommands: [(name: String, usage: String, help: String)] = [
        (":help", ":help", "this list"),
        (":load", ":load FILE", "load a policy file's definitions and rules"),
        (":reload", ":reload", "read the loaded files again"),
        (":rules", ":rules", "the rules of the session and their last state"),
        (":type", ":type EXPR", "the type of an expression, without evaluating it"),
        (":explain", ":explain RULE", "did the rule fire on the last tick, and why (or why not)"),
        (":tick", ":tick [N]", "advance the world N ticks (default 1), running the rules, and show the actions"),
        (":world", ":world", "the site and grid now"),
        (":show", ":show jobs|nodes|pools", "a table of the world's jobs, nodes or pools"),
        (":vocab", ":vocab", "the names, functions and actions with their types and units"),
        (":units", ":units", "the unit symbols"),
        (":reset", ":reset", "forget the session's definitions and rules, rebuild the world"),
        (":save", ":save FILE", "write the typed definitions and rules as a policy file"),
        (":quit", ":quit", "leave (also Ctrl-D)"),
    ]

    func meta(_ line: String) -> Reply {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let command = parts[0], argument = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch command {
        case ":help":
            let width = Self.metaCommands.map(\.usage.count).max() ?? 0
            return Reply(Self.metaCommands.map { "  \($0.usage.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.help)" }.joined(separator: "\n")
                + "\nType an expression to evaluate it, `let`/`const`/`rule`/`if` to define, an action (`wake nodes where ...`) to see what it would do.\n")
        case ":quit", ":q", ":exit": return Reply(quit: true)
        case ":load": return load(argument)
        case ":reload": return reload()
        case ":rules": return rules()
        case ":type": return type(argument)
        case ":explain": return explain(argument)
        case ":tick": return tick(argument)
        case ":world": return world()
        case ":show": return show(argument)
        case ":vocab": return Reply(VocabularyReference.markdown(vocabulary, title: "Vocabulary of this session"))
        case ":units": return Reply(UnitsCommand.run().stdout)
        case ":reset": return reset()
        case ":save": return save(argument)
        default:
            let hint = Suggestions.closest(to: command, in: Self.metaCommands.map(\.name)).map { "; did you mean `\($0)`?" } ?? ""
            return Reply("unknown command `\(command)`\(hint) (`:help` lists them)\n")
        }
    }

    func load(_ path: String) -> Reply {
        guard !path.isEmpty else { return Reply("usage: :load FILE\n") }
        guard let data = FileManager.default.contents(atPath: path) else { return Reply(WattError(.unreadable, "cannot read `\(path)`").description + "\n") }
        let source = SourceFile(name: path, bytes: Array(data))
        let others = loaded.filter { $0.path != path }
        let result = Compilation.compile(others.map(\.source) + [source] + typed.map(\.source), vocabulary: vocabulary)
        if result.hasErrors { return Reply(DiagnosticRenderer.text(result.diagnostics.filter { $0.severity == .error })) }
        loaded = others + [(path, source)]
        loop = nil
        let unit = Parser.parse(source).unit
        let rules = unit.declarations.filter { if case .rule = $0 { return true } else { return false } }.count
        let definitions = unit.declarations.filter { if case .binding = $0 { return true } else { return false } }.count
        return Reply("loaded `\(path)`: \(rules) rule\(rules == 1 ? "" : "s"), \(definitions) definition\(definitions == 1 ? "" : "s")\n")
    }

    func reload() -> Reply {
        guard !loaded.isEmpty else { return Reply("nothing loaded (`:load FILE`)\n") }
        var out = ""
        for (path, _) in loaded { out += load(path).output }
        return Reply(out)
    }

    func rules() -> Reply {
        let result = compile()
        guard let program = result.program else { return Reply(DiagnosticRenderer.text(result.diagnostics.filter { $0.severity == .error })) }
        let rules = program.checked.rules
        if rules.isEmpty { return Reply("no rules (define one with `rule NAME { when ... then ... }`, or `:load FILE`)\n") }
        var out = ""
        for rule in rules {
            let state = lastTick.map { Self.describe($0.decisions[rule.name]) } ?? "not run yet"
            out += "  \(rule.name) (\(rule.source.name):\(rule.source.location(of: rule.range.start).line), priority \(ValueFormatter.format(.number(rule.priority), .number))): \(state)\n"
        }
        return Reply(out)
    }

    static func describe(_ d: RuleTimer.Decision?) -> String {
        switch d {
        case .act: return "acted"
        case .pending(let r): return "pending (\(Int(r)) s to go)"
        case .coolingDown(let r): return "cooling down (\(Int(r)) s to go)"
        case .inactive, nil: return "inactive"
        }
    }

    func type(_ text: String) -> Reply {
        guard !text.isEmpty else { return Reply("usage: :type EXPR\n") }
        let source = SourceFile(name: "<repl>", text: text)
        let (expr, parseDiagnostics) = Parser.parseExpression(source)
        guard let expr, !parseDiagnostics.hasErrors else { return Reply(DiagnosticRenderer.text(parseDiagnostics)) }
        let checker = Checker(vocabulary: vocabulary)
        _ = checker.check(sources.map { Parser.parse($0).unit })
        let (typed, diagnostics) = checker.checkExpression(expr, source: source)
        let errors = diagnostics.filter { $0.severity == .error && $0.source === source }
        if !errors.isEmpty { return Reply(DiagnosticRenderer.text(errors)) }
        return Reply("\(typed.type.description)\(typed.displayUnit.map { " (\($0))" } ?? "")\n")
    }

    func explain(_ rule: String) -> Reply {
        guard !rule.isEmpty else { return Reply("usage: :explain RULE\n") }
        let result = compile()
        guard let program = result.program else { return Reply(DiagnosticRenderer.text(result.diagnostics.filter { $0.severity == .error })) }
        let names = program.checked.rules.map(\.name)
        guard names.contains(rule) else {
            let hint = Suggestions.closest(to: rule, in: names).map { "; did you mean `\($0)`?" } ?? ""
            return Reply("no rule `\(rule)`\(hint)\n")
        }
        // On the world now: the same evaluation a tick would do.
        let evaluation = program.evaluate(inputs(), now: now, explainAll: true)
        guard let outcome = evaluation.outcomes.first(where: { $0.rule == rule }) else { return Reply("no outcome\n") }
        let why = outcome.explanation.map(\.rendered).joined(separator: "; ")
        var out: String
        switch outcome.status {
        case .fired: out = "`\(rule)` fires now: \(why)\n"
        case .notFired: out = "`\(rule)` does not fire now: \(why)\n"
        case .missing(let what): out = "`\(rule)` cannot decide now: \(what) has no value\n"
        case .failed(let what): out = "`\(rule)` failed: \(what)\n"
        }
        if let last = lastTick { out += "  last tick (\(TimeCalendar.format(last.time))): \(Self.describe(last.decisions[rule]))\n" }
        return Reply(out)
    }

    func tick(_ argument: String) -> Reply {
        let count = argument.isEmpty ? 1 : Int(argument) ?? 0
        guard count >= 1, count <= 10_000 else { return Reply("usage: :tick [N] (N from 1 to 10000)\n") }
        if loop == nil {
            let result = compile()
            guard let program = result.program else { return Reply(DiagnosticRenderer.text(result.diagnostics.filter { $0.severity == .error })) }
            let l = ControlLoop(program: program, binding: binding, scheduler: simulator, guardrails: Guardrails(simulator.cluster.guardrails))
            l.explainAll = true
            loop = l
        }
        guard let loop else { return Reply() }
        var out = ""
        for done in 0..<count {
            // Ctrl-C (or a signal to leave) stops a long `:tick` between two ticks.
            if done > 0, interrupted() {
                return Reply(out + "interrupted after \(done) of \(count) ticks\nnow \(TimeCalendar.format(now))\n")
            }
            do {
                let record = try loop.tick()
                lastTick = record
                for result in record.results where result.status != .unchanged {
                    let target = result.target.map { " `\($0)`" } ?? ""
                    out += "  \(TimeCalendar.format(record.time)) \(result.action.verbDescription)\(target): \(result.status.rawValue), \(result.detail) (rule `\(result.action.rule ?? "?")`)\n"
                }
                for e in record.guardrailEvents { out += "  \(TimeCalendar.format(record.time)) \(e)\n" }
                for c in record.conflicts { out += "  conflict on `\(c.target)`: rule `\(c.winningRule)` over `\(c.losingRule)` (\(c.why))\n" }
            } catch {
                return Reply(out + "tick failed: \(error)\n")
            }
            simulator.step()
        }
        return Reply(out + "now \(TimeCalendar.format(now))\n")
    }

    func world() -> Reply {
        let w = simulator.snapshot()
        var out = "now \(TimeCalendar.format(w.now))\n"
        out += evaluate(SourceFile(name: "<repl>", text: "site")).output
        out += evaluate(SourceFile(name: "<repl>", text: "grid")).output
        out += "\(w.nodes.count) nodes, \(w.jobs.filter { $0.state != .done }.count) jobs\n"
        return Reply(out)
    }

    func show(_ what: String) -> Reply {
        guard ["jobs", "nodes", "pools"].contains(what) else { return Reply("usage: :show jobs|nodes|pools\n") }
        return evaluate(SourceFile(name: "<repl>", text: what))
    }

    func reset() -> Reply {
        typed = []
        loaded = []
        loop = nil
        lastTick = nil
        buffer = []
        do { (simulator, binding, _) = try Self.world(options) } catch { return Reply(error.description + "\n") }
        return Reply("reset: no definitions, the world at \(TimeCalendar.format(now))\n")
    }

    func save(_ path: String) -> Reply {
        guard !path.isEmpty else { return Reply("usage: :save FILE\n") }
        let text = "# Saved from `watt repl`.\n\n" + typed.map { String(decoding: $0.source.bytes, as: UTF8.self) }.joined(separator: "\n\n") + "\n"
        let formatted = Formatter.format(Parser.parse(SourceFile(name: path, text: text)).unit)
        do { try formatted.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            return Reply(WattError(.unwritable, "cannot write `\(path)`: \(error.localizedDescription)").description + "\n")
        }
        return Reply("saved \(typed.count) entr\(typed.count == 1 ? "y" : "ies") to `\(path)`\n")
    }
}
