import ArgumentParser
import Foundation
import WattControl
import WattLanguage

/// `watt run`: the control loop over policy files on the simulated cluster, with the
/// baseline run beside it and the report of what the policies changed.
public enum RunCommand {
    public struct Options: Sendable {
        public var paths: [String] = ["policies"]
        public var cluster = "examples/clusters/demo.yaml"
        public var trace: String?
        public var days = 7.0
        public var dryRun = false
        public var jsonPath: String?
        public var progress = false
        public var markdown = false
        public var journalPath: String?
        public var svgPath: String?
        public var resume = false
        public init() {}
    }

    public static func run(_ options: Options) -> CommandOutput {
        let files: [SourceFile]
        do {
            files = try PolicyFiles.expand(options.paths).map(PolicyFiles.load)
        } catch let failure as PolicyFiles.Failure {
            return CommandOutput(stderr: failure.message + "\n", exitCode: 2)
        } catch {
            return CommandOutput(stderr: "error: \(error)\n", exitCode: 2)
        }
        guard options.days > 0, options.days.isFinite else {
            return CommandOutput(stderr: "error: --days must be a positive number\n", exitCode: 2)
        }
        var lastShown = -1
        let progress: ((Double) -> Void)? = options.progress ? { fraction in
            let percent = Int(fraction * 100)
            if percent / 10 != lastShown / 10 {
                lastShown = percent
                FileHandle.standardError.write(Data("  simulated \(percent) %\n".utf8))
            }
        } : nil
        let result: (policies: PolicyRun.Summary, baseline: PolicyRun.Summary, diagnostics: [Diagnostic])
        var journal: Journal?
        if let path = options.journalPath {
            do { journal = try Journal(path: path) } catch { return CommandOutput(stderr: "error: \(error.message)\n", exitCode: 2) }
        }
        do {
            result = try PolicyRun.run(clusterFile: options.cluster, traceFile: options.trace, policies: files, days: options.days,
                                       dryRun: options.dryRun, journal: journal, resume: options.resume, progress: progress)
        } catch {
            return CommandOutput(stdout: error.message.hasSuffix("\n") ? error.message : error.message + "\n", exitCode: 1)
        }
        var out = CommandOutput()
        out.stdout += DiagnosticRenderer.text(result.diagnostics)
        out.stdout += "run: \(files.count) policy file\(files.count == 1 ? "" : "s") on \(options.cluster), \(QuantityFormatterShim.days(options.days))"
        out.stdout += options.dryRun ? " (dry run: nothing applied)\n\n" : "\n\n"
        out.stdout += PolicyRun.table(policies: result.policies, baseline: result.baseline, markdown: options.markdown)
        if let svgPath = options.svgPath {
            let svg = PolicyRun.chart(policies: result.policies, baseline: result.baseline,
                                      title: "\(options.paths.joined(separator: ", ")) on \(options.cluster): \(QuantityFormatterShim.days(options.days))")
            do { try Data(svg.utf8).write(to: URL(fileURLWithPath: svgPath)) } catch {
                out.stderr += "error: cannot write `\(svgPath)`: \(error.localizedDescription)\n"
                out.exitCode = 2
            }
        }
        if let jsonPath = options.jsonPath {
            let json = PolicyRun.json(policies: result.policies, baseline: result.baseline)
            do { try Data(json.utf8).write(to: URL(fileURLWithPath: jsonPath)) } catch {
                out.stderr += "error: cannot write `\(jsonPath)`: \(error.localizedDescription)\n"
                out.exitCode = 2
            }
        }
        return out
    }
}

enum QuantityFormatterShim {
    static func days(_ d: Double) -> String { d == d.rounded() ? "\(Int(d)) day\(d == 1 ? "" : "s")" : "\(d) days" }
}

public struct Run: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Run policies on the simulated cluster beside a baseline without them, and report the difference.")
    @Argument(help: "Policy files or directories (default: policies/).") var paths: [String] = []
    @Option(help: "The cluster file.") var cluster: String = "examples/clusters/demo.yaml"
    @Option(help: "A job trace CSV (default: the cluster file's).") var trace: String?
    @Option(help: "Simulated days.") var days: Double = 7
    @Flag(name: .customLong("dry-run"), help: "Evaluate and report, but apply nothing (shadow mode).") var dryRun = false
    @Option(help: "Also write the report as JSON to this file.") var json: String?
    @Flag(help: "Print the report table as markdown.") var markdown = false
    @Option(help: "Write every tick, action and rule decision to this SQLite journal.") var journal: String?
    @Option(help: "Draw the run as a self-contained SVG chart (power with and without policies, carbon, rule firings).") var svg: String?
    @Flag(help: "Resume the journal's latest run from its last tick (after a crash).") var resume = false
    public init() {}
    public func run() throws {
        var options = RunCommand.Options()
        if !paths.isEmpty { options.paths = paths }
        options.cluster = cluster
        options.trace = trace
        options.days = days
        options.dryRun = dryRun
        options.jsonPath = json
        options.progress = true
        options.markdown = markdown
        options.journalPath = journal
        options.svgPath = svg
        options.resume = resume
        guard !resume || journal != nil else { throw ValidationError("--resume needs --journal") }
        let out = RunCommand.run(options)
        out.emit()
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}

/// `watt journal FILE` and `watt explain ID --journal FILE`: what happened and why.
public enum JournalCommand {
    public static func summary(path: String) -> CommandOutput {
        do {
            let journal = try Journal(path: path)
            let s = try journal.summary()
            let integrity = try journal.integrityCheck()
            return CommandOutput(stdout: "\(path): \(s.ticks) ticks, \(s.applied) actions applied, \(s.rejected) rejected (journal mode \(s.journalMode), integrity \(integrity))\n",
                                 exitCode: integrity == "ok" ? 0 : 1)
        } catch {
            return CommandOutput(stderr: "error: \(error.message)\n", exitCode: 2)
        }
    }

    /// A job or node: every action on it, with the rule and the reason. A rule: its last
    /// decision and why (`did not fire: ...`).
    public static func explain(_ id: String, path: String) -> CommandOutput {
        do {
            let journal = try Journal(path: path)
            let history = try journal.history(of: id)
            if !history.isEmpty {
                var out = ""
                for h in history {
                    out += "\(TimeCalendar.format(h.time))  \(h.action) by rule `\(h.rule ?? "?")`: \(h.status), \(h.detail)"
                    out += h.reason.isEmpty ? "\n" : "\n    because \(h.reason)\n"
                }
                return CommandOutput(stdout: out)
            }
            if let last = try journal.lastOutcome(of: id) {
                let why = last.explanation.isEmpty ? "" : (last.status == "not fired" ? ": did not fire: " : ": ") + last.explanation
                return CommandOutput(stdout: "rule `\(id)` at \(TimeCalendar.format(last.time)): \(last.status), \(last.decision)\(why)\n")
            }
            return CommandOutput(stdout: "nothing in the journal about `\(id)` (no action on it, no rule of that name)\n", exitCode: 1)
        } catch {
            return CommandOutput(stderr: "error: \(error.message)\n", exitCode: 2)
        }
    }
}

public struct JournalSummary: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "journal", abstract: "Summarise a run's journal.")
    @Argument(help: "The journal file written by `watt run --journal`.") var path: String
    public init() {}
    public func run() throws {
        let out = JournalCommand.summary(path: path)
        out.emit()
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}

public struct Explain: ParsableCommand {
    public static let configuration = CommandConfiguration(abstract: "Why did this happen to a job or node, or why did a rule (not) fire.")
    @Argument(help: "A job id, node id or rule name.") var id: String
    @Option(help: "The journal file written by `watt run --journal`.") var journal: String
    public init() {}
    public func run() throws {
        let out = JournalCommand.explain(id, path: journal)
        out.emit()
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}
