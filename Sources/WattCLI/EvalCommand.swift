import Foundation
import WattLanguage

/// `watt eval EXPR`: evaluates one expression against the demo world, or against the
/// records of `--data world.json` (vocabulary inferred from the data).
public enum EvalCommand {
    public struct Options: Sendable {
        public var expression: String
        public var dataPath: String?
        public var definitionFiles: [String] = []
        public var showType = false
        public var now: String?
        public init(expression: String, dataPath: String? = nil, definitionFiles: [String] = [], showType: Bool = false,
                    now: String? = nil) {
            self.expression = expression; self.dataPath = dataPath; self.definitionFiles = definitionFiles
            self.showType = showType; self.now = now
        }
    }

    public static func run(_ options: Options) -> CommandOutput {
        let vocabulary: Vocabulary
        var inputs: Inputs
        var now: Double?
        do {
            let data: Data
            if let path = options.dataPath {
                guard let contents = FileManager.default.contents(atPath: path) else {
                    return CommandOutput(stderr: "error: cannot read `\(path)`\n", exitCode: 2)
                }
                data = contents
                vocabulary = try JSONWorld.inferVocabulary(from: data)
            } else {
                data = Data(DemoVocabulary.worldJSON.utf8)
                vocabulary = DemoVocabulary.make()
            }
            (inputs, now) = try JSONWorld.inputs(from: data, vocabulary: vocabulary)
        } catch {
            return CommandOutput(stderr: "error: \(options.dataPath ?? "demo world"): \(error)\n", exitCode: 2)
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
