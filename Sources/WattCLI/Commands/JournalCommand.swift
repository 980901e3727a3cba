import ArgumentParser
import WattControl
import WattLanguage
import WattSupport

/// `watt journal FILE` and `watt explain ID --journal FILE`: what happened and why.
public enum JournalCommand {
    public static func summary(path: String, actions: Bool = false) -> CommandOutput {
        do {
            let journal = try Journal(reading: path)
            if actions {
                let lines = try journal.actionLines()
                return CommandOutput(stdout: lines.map { $0 + "\n" }.joined())
            }
            let s = try journal.summary()
            let integrity = try journal.integrityCheck()
            var text = "\(path): \(s.ticks) ticks, \(s.applied) actions applied, \(s.rejected) rejected (journal mode \(s.journalMode), integrity \(integrity))\n"
            for reload in try journal.reloads() { text += "reload at \(TimeCalendar.format(reload.time)): \(reload.message)\n" }
            let sources = try journal.powerSources()
            if !sources.isEmpty {
                text += "node power from: " + sources.map { "\($0.sources) (\($0.ticks) tick\($0.ticks == 1 ? "" : "s"))" }.joined(separator: "; ") + "\n"
            }
            let refused = try journal.dataQuality()
            if let last = refused.last {
                text += "telemetry refused at \(refused.count) tick\(refused.count == 1 ? "" : "s"); the latest, \(TimeCalendar.format(last.time)): \(last.issues)\n"
            }
            return CommandOutput(stdout: text, exitCode: integrity == "ok" ? 0 : 1)
        } catch {
            return CommandOutput(error: error)
        }
    }

    /// A job or node: every action on it, with the rule and the reason. A rule: its last
    /// decision and why (`did not fire: ...`).
    public static func explain(_ id: String, path: String) -> CommandOutput {
        do {
            let journal = try Journal(reading: path)
            // A damaged journal may answer wrongly: say so, and exit 1 (as `watt journal` does).
            let integrity = try journal.integrityCheck()
            let warning = integrity == "ok" ? "" : "warning: journal `\(path)` fails its integrity check (\(integrity)); what follows may be incomplete or wrong\n"
            let status: Int32 = integrity == "ok" ? 0 : 1
            let history = try journal.history(of: id)
            if !history.isEmpty {
                var out = ""
                for h in history {
                    out += "\(TimeCalendar.format(h.time))  \(h.action) by rule `\(h.rule ?? "?")`: \(h.status), \(h.detail)"
                    out += h.reason.isEmpty ? "\n" : "\n    because \(h.reason)\n"
                }
                return CommandOutput(stdout: out, stderr: warning, exitCode: status)
            }
            if let last = try journal.lastOutcome(of: id) {
                let why = last.explanation.isEmpty ? "" : (last.status == "not fired" ? ": did not fire: " : ": ") + last.explanation
                var out = "rule `\(id)` at \(TimeCalendar.format(last.time)): \(last.status), \(last.decision)\(why)\n"
                // A rule that could not decide: the telemetry refused at that tick, if any, says why.
                if last.status.hasPrefix("missing"), let refused = try journal.dataQuality(at: last.time) {
                    out += "    telemetry refused at that tick: \(refused)\n"
                }
                return CommandOutput(stdout: out, stderr: warning, exitCode: status)
            }
            return CommandOutput(stdout: "nothing in the journal about `\(id)` (no action on it, no rule of that name)\n", stderr: warning, exitCode: 1)
        } catch {
            return CommandOutput(error: error)
        }
    }
}

public struct JournalSummary: ParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "journal", abstract: "Summarise a run's journal.")
    @Argument(help: "The journal file written by `watt run --journal`.") var path: String
    @Flag(help: "List every action of the latest run instead (time, rule, action, target, status, detail; tab-separated).") var actions = false
    public init() {}
    public func run() throws {
        let out = JournalCommand.summary(path: path, actions: actions)
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
