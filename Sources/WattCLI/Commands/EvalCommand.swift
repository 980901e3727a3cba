import ArgumentParser
import Foundation
import WattBindings
import WattCluster
import WattLanguage

/// `watt eval EXPR`: evaluates one expression against a simulated cluster after a warm-up
/// (the built-in demo cluster unless `--cluster` names another), or against the records of
/// `--data world.json` (vocabulary inferred from the data).
public enum EvalCommand {
    public struct Options: Sendable {
        public var expression: String
        public var dataPath: String?
        public var definitionFiles: [String] = []
        public var showType = false
        public var now: String?
        /// A cluster file (default, without `dataPath`: the built-in demo cluster).
        public var clusterPath: String?
        public var tracePath: String?
        /// Simulated time before the evaluation, so forecasts have history (default 3 days).
        public var warmup: String = "3d"
        public init(expression: String, dataPath: String? = nil, definitionFiles: [String] = [], showType: Bool = false,
                    now: String? = nil, clusterPath: String? = nil, tracePath: String? = nil, warmup: String = "3d") {
            self.expression = expression; self.dataPath = dataPath; self.definitionFiles = definitionFiles
            self.showType = showType; self.now = now; self.clusterPath = clusterPath; self.tracePath = tracePath
            self.warmup = warmup
        }
    }

    public static func run(_ options: Options) -> CommandOutput {
        let vocabulary: Vocabulary
        var inputs: Inputs
        var now: Double?
        do {
            if let path = options.dataPath, options.clusterPath == nil {
                guard let contents = FileManager.default.contents(atPath: path) else {
                    return CommandOutput(stderr: "error: cannot read `\(path)`\n", exitCode: 2)
                }
                vocabulary = try JSONWorld.inferVocabulary(from: contents)
                (inputs, now) = try JSONWorld.inputs(from: contents, vocabulary: vocabulary)
            } else {
                guard let warmup = ClusterSession.duration(options.warmup) else {
                    return CommandOutput(stderr: "error: `--warmup \(options.warmup)` is not a duration such as `2d` or `6h`\n", exitCode: 2)
                }
                let clusterPath = options.clusterPath ?? ClusterDefinition.builtInDemoName
                let cluster: ClusterDefinition
                do { cluster = try ClusterDefinition.load(path: clusterPath) } catch {
                    return CommandOutput(stderr: "error: \(error)\n", exitCode: 2)
                }
                let constantVocabulary = EnergyVocabulary.make(cluster: cluster)
                if try !readsTheWorld(options, vocabulary: constantVocabulary) {
                    // Nothing to simulate for `3 kW * 2 h`: the world's names are not read.
                    vocabulary = constantVocabulary
                    inputs = Inputs(vocabulary: vocabulary)
                } else {
                    let session: ClusterSession
                    do { session = try ClusterSession.load(cluster: clusterPath, trace: options.tracePath, warmup: warmup) } catch {
                        return CommandOutput(stderr: error.message + "\n", exitCode: 2)
                    }
                    let world = session.world
                    vocabulary = session.binding.vocabulary
                    inputs = session.binding.inputs(for: world)
                    now = world.now
                }
            }
        } catch {
            return CommandOutput(stderr: "error: \(options.dataPath ?? "cluster"): \(error)\n", exitCode: 2)
        }
        if let text = options.now {
            guard let t = TimeCalendar.parseISO8601(text) else {
                return CommandOutput(stderr: "error: `--now \(text)` is not an ISO 8601 time\n", exitCode: 2)
            }
            now = t
        }
        var definitions: [SourceUnit] = []
        do {
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
        } catch let failure as PolicyFiles.Failure {
            return CommandOutput(stderr: failure.message + "\n", exitCode: 2)
        } catch {
            return CommandOutput(stderr: "error: \(error)\n", exitCode: 2)
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
}

extension EvalCommand {
    /// Whether the expression or its definition files name something the simulated world
    /// supplies: a name of the vocabulary (`site`, `jobs`), a function reading telemetry
    /// (`forecast`, `history`; not the pure `profile`, `hour`, `weekday`), or `now` without
    /// `--now` (the world's clock). Only then is the cluster simulated for the warm-up.
    static func readsTheWorld(_ options: Options, vocabulary: Vocabulary) throws -> Bool {
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
    @Option(help: "Evaluation time (ISO 8601); default: the world's `now`, else the clock.") var now: String?
    @Option(help: "A cluster file (examples/clusters/*.yaml) to simulate and evaluate against (default: the built-in demo cluster, `demo`).") var cluster: String?
    @Option(help: "A job trace CSV for the cluster (default: the cluster file's trace).") var trace: String?
    @Option(help: "Simulated time before evaluating, so forecasts have history (e.g. 2d, 6h).") var warmup: String = "3d"
    public init() {}
    public func run() throws {
        let out = EvalCommand.run(.init(expression: expression, dataPath: data, definitionFiles: files, showType: showType,
                                        now: now, clusterPath: cluster, tracePath: trace, warmup: warmup))
        out.emit()
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}
