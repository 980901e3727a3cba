import ArgumentParser
import WattBindings
import WattCluster
import WattLanguage
import WattSupport

/// `watt check FILES...`: every diagnostic of every file; exit 1 when any is an error.
/// Files are checked against the energy vocabulary with a cluster's inventory (pools,
/// profiles, the currency of prices): the built-in demo cluster's unless `--cluster` names
/// another. Only the cluster file is read: nothing is simulated.
public enum CheckCommand {
    public static func run(paths: [String], format: OutputFormat = .text, clusterPath: String? = nil) -> CommandOutput {
        let cluster: ClusterDefinition
        do {
            cluster = try ClusterDefinition.load(path: clusterPath ?? ClusterDefinition.builtInDemoName)
        } catch {
            return CommandOutput(error: WattError(.invalidFile, "\(error)"))
        }
        return run(paths: paths, format: format, vocabulary: EnergyVocabulary.make(cluster: cluster))
    }

    public static func run(paths: [String], format: OutputFormat = .text, vocabulary: Vocabulary) -> CommandOutput {
        let files: [SourceFile]
        do {
            files = try PolicyFiles.expand(paths).map { path throws(WattError) in try PolicyFiles.load(path) }
        } catch {
            return CommandOutput(error: error)
        }
        if files.isEmpty {
            return CommandOutput(error: WattError(.unreadable, "no `.watt` files in \(paths.map { "`\($0)`" }.joined(separator: ", "))"))
        }
        let result = Compilation.compile(files, vocabulary: vocabulary)
        let diagnostics = result.diagnostics
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

/// Thin argument-parsing wrappers: each calls a tested command function and prints it.
public struct Check: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Check policy files: syntax, names, types, units, cost.")
    @Argument(help: "Policy files or directories (searched for *.watt).") var paths: [String]
    @Option(help: "Output format: text or json.") var format: String = "text"
    @Option(help: "A cluster file whose inventory (pools, profiles, currency) the policies are checked against (default: the built-in demo cluster, `demo`).")
    var cluster: String?
    public init() {}
    public func run() throws {
        guard let f = OutputFormat(rawValue: format) else { throw ValidationError("--format must be text or json") }
        let out = CheckCommand.run(paths: paths, format: f, clusterPath: cluster)
        out.emit()
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}
