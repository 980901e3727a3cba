import ArgumentParser
import WattLanguage
import WattSupport

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
            } catch {
                out.stderr += error.description + "\n"
                out.exitCode = error.exitStatus
            }
        }
        return out
    }
}

public struct Parse: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Print the syntax tree of policy files (S-expressions).")
    @Argument(help: "Policy files.") var paths: [String]
    public init() {}
    public func run() throws {
        let out = ParseCommand.run(paths: paths)
        out.emit()
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}
