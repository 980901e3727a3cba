import Foundation
import WattBindings
import WattCluster
import WattControl
import WattLanguage
import WattSupport

/// The REPL's core: takes a line, returns what to print. It holds a world (a simulated
/// cluster, warmed up so forecasts have history) and the session's definitions and rules
/// (typed, or loaded from files). The terminal loop (`ReplTerminal`) and scripted input
/// only feed it lines; tests drive it directly.
public final class ReplSession {
    public struct Reply: Sendable, Equatable {
        public var output: String
        /// The line was not a complete input: the next line continues it.
        public var needsMore = false
        public var quit = false
        public init(_ output: String = "", needsMore: Bool = false, quit: Bool = false) {
            self.output = output; self.needsMore = needsMore; self.quit = quit
        }
    }

    public struct Options: Sendable {
        /// The world: a simulated cluster after a warm-up (`Session`), as `watt eval --cluster`.
        public var settings: RunSettings = {
            var s = RunSettings()
            s.warmup = RunSettings.explorationWarmup
            return s
        }()
        /// A journal of `watt run`: the world is that run's, rebuilt by replaying what was
        /// sent to the scheduler up to `at` (default: its last tick), and its policies loaded.
        public var journal: String?
        public var at: Double?
        public init() {}
    }

    public let options: Options
    var simulator: Simulator
    var binding: EnergyBinding
    /// Files loaded with `:load`, by path, in load order.
    var loaded: [(path: String, source: SourceFile)] = []
    /// Typed definitions and rules, by name, in entry order.
    var typed: [(name: String, source: SourceFile)] = []
    var loop: ControlLoop?
    var lastTick: ControlLoop.TickRecord?
    var buffer: [String] = []
    /// Polled between the ticks of a long `:tick` and every 65,536 steps of an evaluation:
    /// true stops it (the terminal wires Ctrl-C).
    public var interrupted: () -> Bool = { false }
    var entries = 0

    public init(_ options: Options = Options()) throws(WattError) {
        self.options = options
        let policies: [String]
        (simulator, binding, policies) = try Self.world(options)
        for path in policies where FileManager.default.fileExists(atPath: path) { _ = load(path) }
    }

    /// The session's world: a journaled run's at a tick, or the settings' simulated cluster.
    static func world(_ options: Options) throws(WattError) -> (Simulator, EnergyBinding, policies: [String]) {
        let session: Session
        var policies: [String] = []
        if let journal = options.journal {
            (session, policies) = try Self.replay(journal: journal, at: options.at)
        } else {
            session = try Session.simulated(options.settings)
        }
        guard let simulator = session.simulator else { throw WattError(.runFailed, "the REPL needs a simulated cluster") }
        return (simulator, session.binding, policies)
    }

    /// The world's name in messages: the cluster file, or the journal.
    var worldName: String { options.journal.map { "the run of `\($0)`" } ?? options.settings.cluster ?? RunSettings.builtInClusterName }

    /// The world of a journaled run at one of its ticks (what that tick saw): the run's own
    /// settings (its journaled identity), replayed up to that tick.
    static func replay(journal path: String, at: Double?) throws(WattError) -> (Session, policies: [String]) {
        let journal = try Journal(path: path, create: false)
        guard let run = try journal.latestRun(), let resumption = try journal.resumption() else {
            throw WattError(.journal, "`\(path)` has no run with a tick")
        }
        var settings: RunSettings
        if let identity = resumption.identity {
            settings = Session.settings(of: identity)
        } else {
            // A journal from before identities: the run row's cluster and dry run.
            settings = RunSettings()
            settings.cluster = run.cluster
            settings.dryRun = run.dryRun
        }
        settings.warmup = 0
        settings.to = nil
        settings.days = max(1, (resumption.lastTick - (settings.from ?? resumption.lastTick)) / 86_400 + 1)
        let session = try Session.simulated(settings)
        let start = session.start
        let target = at ?? resumption.lastTick
        guard target >= start - 1e-6, target <= resumption.lastTick + 1e-6 else {
            throw WattError(.usage, "--at must be within the run's ticks, from \(TimeCalendar.format(start)) to \(TimeCalendar.format(resumption.lastTick))")
        }
        session.replay(resumption.sent, before: target)
        return (session, run.policies)
    }

    public var prompt: String { buffer.isEmpty ? "watt> " : "  ... " }

    /// Forgets an unfinished multi-line entry (Ctrl-C).
    public func cancelEntry() { buffer = [] }
    var vocabulary: Vocabulary { binding.vocabulary }
    public var now: Double { simulator.snapshot().now }

    /// The sources of the session's definitions: loaded files, then typed entries.
    var sources: [SourceFile] { loaded.map(\.source) + typed.map(\.source) }

    func inputs() -> Inputs { binding.inputs(for: simulator.snapshot(), recording: false) }

    /// One line of input.
    public func handle(_ line: String) -> Reply {
        if buffer.isEmpty {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return Reply() }
            if trimmed.hasPrefix(":") { return meta(trimmed) }
        }
        buffer.append(line)
        let text = buffer.joined(separator: "\n")
        // An empty line ends an unfinished entry (and shows its error).
        if !line.trimmingCharacters(in: .whitespaces).isEmpty && ReplInput.isIncomplete(text) {
            return Reply(needsMore: true)
        }
        buffer = []
        return entry(text)
    }

    /// A complete entry: a definition or rule, an action (dry run), or an expression.
    func entry(_ text: String) -> Reply {
        entries += 1
        let source = SourceFile(name: "<repl>", text: text)
        switch ReplInput.kind(of: text, vocabulary: vocabulary) {
        case .declaration(let name): return define(name: name.isEmpty ? "if #\(entries)" : name, source: source)
        case .action: return dryRun(text)
        case .test: return Reply("tests run with `watt test`; the REPL evaluates expressions, definitions, rules and actions\n")
        case .expression: return evaluate(source)
        }
    }

    func compile(_ extra: [SourceFile] = []) -> CompilationResult {
        Compilation.compile(sources + extra, vocabulary: vocabulary)
    }

    func define(name: String, source: SourceFile) -> Reply {
        let others = typed.filter { $0.name != name }
        let result = Compilation.compile(loaded.map(\.source) + others.map(\.source) + [source], vocabulary: vocabulary)
        let mine = result.diagnostics.filter { $0.source === source && $0.severity == .error }
        if !mine.isEmpty || result.program == nil {
            let shown = mine.isEmpty ? result.diagnostics.filter { $0.severity == .error } : mine
            return Reply(DiagnosticRenderer.text(shown))
        }
        let replaced = typed.contains { $0.name == name }
        typed = others + [(name, source)]
        loop = nil
        let isRule = source.text(SourceRange(0, min(4, source.bytes.count))) == "rule" || source.text(SourceRange(0, min(2, source.bytes.count))) == "if"
        if name.hasPrefix("if #") { return Reply("defined a one-line rule\n") }
        return Reply("\(replaced ? "redefined" : "defined") \(isRule ? "rule " : "")`\(name)`\n")
    }

    func evaluate(_ source: SourceFile) -> Reply {
        let units = sources.map { Parser.parse($0).unit }
        switch ExpressionEvaluator.evaluate(source, vocabulary: vocabulary, inputs: inputs(), now: now, definitions: units,
                                            interrupted: interrupted) {
        case .success(let r): return Reply(ReplFormat.result(r, vocabulary: vocabulary))
        case .failure(.diagnostics(let ds)): return Reply(DiagnosticRenderer.text(ds))
        case .failure(.evaluation(let d)): return Reply(DiagnosticRenderer.text([d]))
        }
    }

    /// An action typed alone: what it would do now, and why, without applying it.
    func dryRun(_ text: String) -> Reply {
        let source = SourceFile(name: "<repl>", text: "if true then " + text)
        let result = compile([source])
        guard let program = result.program else {
            // Point the diagnostics at the line as typed (without the `if true then ` prefix).
            let own = SourceFile(name: "<repl>", text: String(repeating: " ", count: 13) + text)
            let shifted = Compilation.compile(sources + [own], vocabulary: vocabulary).diagnostics.filter { $0.source === own && $0.severity == .error }
            return Reply(DiagnosticRenderer.text(shifted.isEmpty ? result.diagnostics.filter { $0.severity == .error } : shifted)
                .replacingOccurrences(of: "if true then ", with: ""))
        }
        let evaluation = program.evaluate(inputs(), now: now)
        guard let outcome = evaluation.outcomes.first(where: { $0.source === source }) else { return Reply("nothing to do\n") }
        if let d = outcome.diagnostic { return Reply(DiagnosticRenderer.text([d])) }
        var out = ""
        for proposed in outcome.actions {
            do {
                for action in try binding.clusterActions(proposed) {
                    out += "would \(action.verbDescription)"
                    out += action.targets.isEmpty ? "\n" : " for \(ReplFormat.list(action.targets))\n"
                }
            } catch {
                out += "cannot: \(error)\n"
            }
        }
        return Reply(out.isEmpty ? "nothing to do\n" : out + "(dry run: nothing applied; `:tick` runs the loaded rules)\n")
    }
}

/// What an entry is, decided from its first tokens.
enum ReplInput {
    enum Kind: Equatable { case declaration(String), action, test, expression }

    static func kind(of text: String, vocabulary: Vocabulary) -> Kind {
        let tokens = Lexer.tokenize(SourceFile(name: "<repl>", text: text)).tokens
        guard let first = tokens.first else { return .expression }
        let second = tokens.count > 1 ? tokens[1] : first
        switch first.kind {
        case .keyword(.let), .keyword(.const), .keyword(.rule):
            return .declaration(second.kind == .identifier ? second.text : "?")
        case .keyword(.if):
            return .declaration("")
        case .identifier where first.text == "test" && second.kind == .string:
            return .test
        case .identifier where vocabulary.verbs[first.text] != nil && vocabulary.names[first.text] == nil:
            // `move jobs ...` is an action; `move(...)` or `move.x` would be an expression.
            switch second.kind {
            case .leftParen, .dot, .plus, .minus, .star, .slash, .less, .greater, .lessEqual, .greaterEqual, .equalEqual, .bangEqual:
                return .expression
            default:
                return .action
            }
        default:
            return .expression
        }
    }

    /// Whether more lines are needed: an open bracket or brace, or a last token that
    /// cannot end an entry (an operator, `then`, `where`, `=`, `,`...).
    static func isIncomplete(_ text: String) -> Bool {
        let tokens = Lexer.tokenize(SourceFile(name: "<repl>", text: text)).tokens.filter { $0.kind != .endOfFile }
        var depth = 0
        for t in tokens {
            switch t.kind {
            case .leftParen, .leftBracket, .leftBrace: depth += 1
            case .rightParen, .rightBracket, .rightBrace: depth -= 1
            default: break
            }
        }
        if depth > 0 { return true }
        guard let last = tokens.last else { return false }
        switch last.kind {
        case .plus, .minus, .star, .slash, .less, .greater, .lessEqual, .greaterEqual, .equalEqual, .bangEqual, .equal,
             .comma, .dot, .questionQuestion, .semicolon:
            return true
        case .keyword(let k):
            return [.then, .else, .when, .for, .cooldown, .and, .or, .not, .in, .where, .of, .by, .to, .at, .until, .with, .from, .if, .top].contains(k)
        default:
            return false
        }
    }
}
