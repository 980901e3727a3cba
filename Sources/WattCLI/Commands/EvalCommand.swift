import ArgumentParser
import Foundation
import WattBindings
import WattCluster
import WattControl
import WattLanguage
import WattSupport

/// `watt eval EXPR`: evaluates one expression against a simulated cluster after a warm-up
/// (the built-in demo cluster unless `--cluster` names another), or against the records of
/// `--data world.json` (vocabulary inferred from the data).
public enum EvalCommand {
    public struct Options: Sendable {
        public var expression: String
        public var dataPath: String?
        public var definitionFiles: [String] = []
        public var showType = false
        /// The evaluation time; default: the world's `now`, else the clock.
        public var now: Double?
        /// The simulated cluster (`settings.cluster`, nil for the built-in demo one; trace,
        /// warm-up), unless `dataPath` gives a JSON world instead.
        public var settings = Options.defaultSettings
        public init(expression: String, dataPath: String? = nil, definitionFiles: [String] = [], showType: Bool = false,
                    now: Double? = nil) {
            self.expression = expression; self.dataPath = dataPath; self.definitionFiles = definitionFiles
            self.showType = showType; self.now = now
        }

        /// The session `watt eval --cluster` builds: the same warm-up as `watt repl`.
        public static var defaultSettings: RunSettings {
            var s = RunSettings()
            s.warmup = RunSettings.explorationWarmup
            return s
        }
    }

    public static func run(_ options: Options) -> CommandOutput {
        do { return try evaluate(options) } catch { return CommandOutput(error: error) }
    }

    static func evaluate(_ options: Options) throws(WattError) -> CommandOutput {
        try options.settings.validate()
        let vocabulary: Vocabulary
        var inputs: Inputs
        var now: Double?
        if let path = options.dataPath {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw WattError(.unreadable, "cannot read `\(path)`")
            }
            do {
                vocabulary = try JSONWorld.inferVocabulary(from: contents)
                (inputs, now) = try JSONWorld.inputs(from: contents, vocabulary: vocabulary)
            } catch {
                throw WattError(.invalidFile, "\(path): \(error)")
            }
        } else {
            let cluster: ClusterDefinition
            do { cluster = try ClusterDefinition.load(path: options.settings.cluster ?? ClusterDefinition.builtInDemoName) } catch {
                throw WattError(.invalidFile, "\(error)")
            }
            let constantVocabulary = EnergyVocabulary.make(cluster: cluster)
            if try !readsTheWorld(options, vocabulary: constantVocabulary) {
                // Nothing to simulate for `3 kW * 2 h`: the world's names are not read.
                vocabulary = constantVocabulary
                inputs = Inputs(vocabulary: vocabulary)
            } else {
                let session = try Session.simulated(options.settings)
                let world = try snapshot(session)
                vocabulary = session.vocabulary
                inputs = session.binding.inputs(for: world)
                now = world.now
            }
        }
        if let t = options.now { now = t }
        var definitions: [SourceUnit] = []
        for path in options.definitionFiles {
            let parsed = Parser.parse(try PolicyFiles.load(path))
            if parsed.diagnostics.hasErrors {
                return CommandOutput(stdout: DiagnosticRenderer.text(parsed.diagnostics), exitCode: 1)
            }
            // Only the definitions matter to an expression; rules may use verbs this
            // vocabulary (e.g. one inferred from `--data`) does not have.
            var unit = parsed.unit
            unit.declarations = unit.declarations.filter { if case .binding = $0 { return true } else { return false } }
            definitions.append(unit)
        }
        let source = SourceFile(name: "<expr>", text: options.expression)
        let evaluationTime = now ?? Date().timeIntervalSince1970
        switch ExpressionEvaluator.evaluate(source, vocabulary: vocabulary, inputs: inputs, now: evaluationTime,
                                            definitions: definitions) {
        case .success(let result):
            let typeSuffix = options.showType ? " : \(result.type.unwrapped.description)" : ""
            return CommandOutput(stdout: result.formatted + typeSuffix + "\n")
        case .failure(.diagnostics(let diagnostics)):
            return CommandOutput(stdout: DiagnosticRenderer.text(diagnostics), exitCode: 1)
        case .failure(.evaluation(let diagnostic)):
            return CommandOutput(stdout: DiagnosticRenderer.text(diagnostic), exitCode: 1)
        }
    }

    static func snapshot(_ session: Session) throws(WattError) -> World {
        do { return try session.scheduler.snapshot() } catch { throw WattError(.runFailed, "the scheduler has no snapshot: \(error)") }
    }
}

extension EvalCommand {
    /// Whether the expression or its definition files name something the simulated world
    /// supplies: a name of the vocabulary (`site`, `jobs`), a function reading telemetry
    /// (`forecast`, `history`; not the pure `profile`, `hour`, `weekday`), or `now` without
    /// `--now` (the world's clock). Only then is the cluster simulated for the warm-up.
    static func readsTheWorld(_ options: Options, vocabulary: Vocabulary) throws(WattError) -> Bool {
        var world = Set(vocabulary.nameOrder)
        for (name, function) in vocabulary.functions where !function.overloads.allSatisfy(\.isPure) { world.insert(name) }
        if options.now == nil { world.insert("now") }
        var sources = [SourceFile(name: "<expr>", text: options.expression)]
        for path in options.definitionFiles { sources.append(try PolicyFiles.load(path)) }
        return sources.contains { source in
            Lexer.tokenize(source).tokens.contains { $0.kind == .identifier && world.contains($0.text) }
        }
    }
}

public struct Eval: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Evaluate an expression, e.g. `watt eval '3 kW * 2 h'`.")
    @Argument(help: "The expression.") var expression: String
    @Option(help: "A JSON world; its records and lists become names (instead of a cluster).") var data: String?
    @Option(name: .customLong("file"), help: "A policy file whose let/const definitions are in scope.") var files: [String] = []
    @Flag(name: .customLong("type"), help: "Also print the result's type.") var showType = false
    @Option(help: "Evaluation time (ISO 8601); default: the world's `now`, else the clock.", transform: FlagValue.instant)
    var now: Double?
    @Option(help: "A cluster file (examples/clusters/*.yaml) to simulate and evaluate against (default: the built-in demo cluster, `demo`).") var cluster: String?
    @Option(help: "A job trace CSV for the cluster (default: the cluster file's trace).") var trace: String?
    @Option(help: "Simulated time before evaluating, so forecasts have history (default 1d, as `watt repl`).",
            transform: FlagValue.duration) var warmup: Double?
    public init() {}
    public func run() throws {
        if data != nil && (cluster != nil || trace != nil || warmup != nil) {
            throw ValidationError("--data is a world of its own: it does not go with --cluster, --trace or --warmup")
        }
        // A leading space is `NegativeOperands`' mark of an operand such as `-3`.
        var options = EvalCommand.Options(expression: String(expression.drop { $0 == " " }), dataPath: data, definitionFiles: files, showType: showType, now: now)
        options.settings.cluster = cluster.flatMap { $0 == RunSettings.builtInClusterName ? nil : $0 }
        options.settings.trace = trace
        if let warmup { options.settings.warmup = warmup }
        let out = EvalCommand.run(options)
        out.emit()
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}
