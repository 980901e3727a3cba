import ArgumentParser
import WattLanguage

/// Thin argument-parsing wrappers: each calls a tested command function and prints it.
public struct Check: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Check policy files: syntax, names, types, units, cost.")
    @Argument(help: "Policy files or directories (searched for *.watt).") var paths: [String]
    @Option(help: "Output format: text or json.") var format: String = "text"
    @Option(help: "A cluster file: check against the energy vocabulary and this cluster's inventory (pools, profiles).")
    var cluster: String?
    public init() {}
    public func run() throws {
        guard let f = OutputFormat(rawValue: format) else { throw ValidationError("--format must be text or json") }
        let out = CheckCommand.run(paths: paths, format: f, clusterPath: cluster)
        out.emit()
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}

public struct Eval: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Evaluate an expression, e.g. `watt eval '3 kW * 2 h'`.")
    @Argument(help: "The expression.") var expression: String
    @Option(help: "A JSON world; its records and lists become names (default: the demo world).") var data: String?
    @Option(name: .customLong("file"), help: "A policy file whose let/const definitions are in scope.") var files: [String] = []
    @Flag(name: .customLong("type"), help: "Also print the result's type.") var showType = false
    @Option(help: "Evaluation time (ISO 8601); default: the world's `now`, else the clock.") var now: String?
    @Option(help: "A cluster file (examples/clusters/*.yaml): evaluate against the simulated cluster.") var cluster: String?
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

public struct Units: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "List the physical units Watt knows.")
    public init() {}
    public func run() throws { UnitsCommand.run().emit() }
}

public struct Vocab: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Print the vocabulary (names, fields, functions, actions) with types and units.")
    @Flag(help: "The small demo vocabulary that `watt check`/`watt eval` use without `--cluster`.") var demo = false
    public init() {}
    public func run() throws { (demo ? VocabCommand.run() : VocabCommand.energy()).emit() }
}
