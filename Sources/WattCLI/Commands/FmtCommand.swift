import ArgumentParser
import Foundation
import WattBindings
import WattEnergy
import WattLanguage
import WattSupport

/// `watt fmt FILES...`: prints canonical formatting; `--write` rewrites files in place;
/// `--check` lists files that are not formatted and exits 1 (for CI).
public enum FmtCommand {
    public enum Mode: Sendable { case print, write, check }

    public static func run(paths: [String], mode: Mode) -> CommandOutput {
        var out = CommandOutput()
        let files: [String]
        do { files = try PolicyFiles.expand(paths) } catch { return CommandOutput(error: error) }
        for path in files {
            let source: SourceFile
            do { source = try PolicyFiles.load(path) } catch {
                out.stderr += error.description + "\n"
                out.exitCode = error.exitStatus
                continue
            }
            let parsed = Parser.parse(source)
            if parsed.diagnostics.hasErrors {
                // Never rewrite a file that does not parse: formatting it would lose text.
                out.stderr += DiagnosticRenderer.text(parsed.diagnostics.errors)
                out.exitCode = max(out.exitCode, 1)
                continue
            }
            let formatted = Formatter.format(parsed.unit)
            let original = String(decoding: source.bytes, as: UTF8.self)
            switch mode {
            case .print:
                out.stdout += formatted
            case .check:
                if formatted != original {
                    out.stdout += "\(path): not formatted\n"
                    out.exitCode = max(out.exitCode, 1)
                }
            case .write:
                if formatted != original {
                    do {
                        try Data(formatted.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                        out.stdout += "formatted \(path)\n"
                    } catch {
                        out.stderr += WattError(.unwritable, "cannot write `\(path)`: \(error.localizedDescription)").description + "\n"
                        out.exitCode = 2
                    }
                }
            }
        }
        return out
    }
}

public struct Fmt: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Format policy files canonically (keeps comments).")
    @Argument(help: "Policy files or directories.") var paths: [String]
    @Flag(name: .shortAndLong, help: "Rewrite the files in place.") var write = false
    @Flag(help: "Exit 1 and list files that are not formatted.") var check = false
    public init() {}
    public func run() throws {
        let out = FmtCommand.run(paths: paths, mode: check ? .check : write ? .write : .print)
        out.emit()
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}
