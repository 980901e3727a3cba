import WattBindings
import WattLanguage

/// `watt check FILES...`: every diagnostic of every file; exit 1 when any is an error.
public enum CheckCommand {
    public static func run(paths: [String], format: OutputFormat = .text, clusterPath: String? = nil) -> CommandOutput {
        guard let clusterPath else { return run(paths: paths, format: format, vocabulary: DemoVocabulary.make()) }
        do {
            let session = try ClusterSession.load(cluster: clusterPath, trace: nil, warmup: 0)
            return run(paths: paths, format: format, vocabulary: session.binding.vocabulary) { program, vocabulary in
                FightAnalysis.warnings(program.checked, vocabulary: vocabulary)
            }
        } catch {
            return CommandOutput(stderr: error.message + "\n", exitCode: 2)
        }
    }

    public static func run(paths: [String], format: OutputFormat = .text, vocabulary: Vocabulary,
                           extraChecks: ((Program, Vocabulary) -> [Diagnostic])? = nil) -> CommandOutput {
        let files: [SourceFile]
        do {
            files = try PolicyFiles.expand(paths).map(PolicyFiles.load)
        } catch let failure as PolicyFiles.Failure {
            return CommandOutput(stderr: failure.message + "\n", exitCode: 2)
        } catch {
            return CommandOutput(stderr: "error: \(error)\n", exitCode: 2)
        }
        if files.isEmpty {
            return CommandOutput(stderr: "error: no `.watt` files in \(paths.map { "`\($0)`" }.joined(separator: ", "))\n", exitCode: 2)
        }
        let result = Compilation.compile(files, vocabulary: vocabulary)
        var diagnostics = result.diagnostics
        if let program = result.program, let extraChecks { diagnostics += extraChecks(program, vocabulary) }
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        var out = CommandOutput(exitCode: errors > 0 ? 1 : 0)
        switch format {
        case .json:
            out.stdout = DiagnosticRenderer.json(diagnostics) + "\n"
        case .text:
            out.stdout = DiagnosticRenderer.text(diagnostics)
            let rules = result.program?.checked.rules.count ?? 0
            let summary = errors > 0
                ? "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s") in \(files.count) file\(files.count == 1 ? "" : "s")"
                : "ok: \(files.count) file\(files.count == 1 ? "" : "s"), \(rules) rule\(rules == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
            out.stdout += summary + "\n"
        }
        return out
    }
}

/// `watt parse FILE`: the syntax tree as an S-expression, or the syntax errors (exit 1).
/// The grammar cross-check compares its verdicts with the Lark grammar's.
public enum ParseCommand {
    public static func run(paths: [String]) -> CommandOutput {
        var out = CommandOutput()
        for path in paths {
            do {
                let source = try PolicyFiles.load(path)
                let parsed = Parser.parse(source)
                if parsed.diagnostics.hasErrors {
                    out.stderr += DiagnosticRenderer.text(parsed.diagnostics)
                    out.exitCode = 1
                } else {
                    out.stdout += ASTDump.dump(parsed.unit) + "\n"
                }
            } catch let failure as PolicyFiles.Failure {
                out.stderr += failure.message + "\n"
                out.exitCode = 2
            } catch {
                out.stderr += "error: \(error)\n"
                out.exitCode = 2
            }
        }
        return out
    }
}
