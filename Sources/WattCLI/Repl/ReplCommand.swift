import ArgumentParser
import Foundation
import WattControl
import WattLanguage
import WattSupport

/// `watt repl`: the REPL on a terminal (readline), or reading plain lines when stdin is not
/// a terminal (`watt repl < session.txt` prints exactly the results; `--echo` also prints
/// each prompt and input, the form of a transcript).
public enum ReplCommand {
    /// Feeds lines to a session; returns what it printed. With `echo`, each input line is
    /// printed after its prompt, as a terminal would show it.
    public static func script(_ lines: [String], session: ReplSession, echo: Bool) -> String {
        var out = ""
        for line in lines {
            if echo { out += session.prompt + line + "\n" }
            let reply = session.handle(line)
            out += reply.output
            if reply.quit { break }
        }
        return out
    }

    /// The input lines of a transcript: those after a prompt.
    public static func inputs(ofTranscript text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line in
            for prompt in ["watt> ", "  ... "] where line.hasPrefix(prompt) { return String(line.dropFirst(prompt.count)) }
            if line == "watt>" || line == "  ..." { return "" }
            return nil
        }
    }
}

public struct Repl: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Try policies interactively against a simulated world.",
        discussion: "Type expressions, definitions, rules and actions; `:help` lists the meta commands. Reads plain lines when stdin is not a terminal.")
    @Option(help: "The cluster file of the world (default: the built-in demo cluster, also named `demo`).") var cluster: String?
    @Option(help: "A job trace CSV (default: the cluster file's).") var trace: String?
    @Option(help: "A grid carbon-intensity CSV (default: the cluster file's).") var grid: String?
    @Option(help: "Simulated time before the session, so forecasts have history (default 1d, as `watt eval --cluster`).",
            transform: FlagValue.duration) var warmup: Double?
    @Option(help: "Inspect a `watt run --journal` run: its world at --at (default: its last tick), its policies loaded.") var journal: String?
    @Option(help: "With --journal: the tick to inspect, ISO 8601.", transform: FlagValue.instant) var at: Double?
    @Option(help: "The history file (default: $WATT_HISTORY or ~/.watt_history).") var history: String?
    @Option(help: "Lines of history kept, 0 to 1000000.", transform: FlagValue.count("--history-size", 0...1_000_000)) var historySize: Int = 1000
    @Flag(help: "When reading a script, print each prompt and input line too (a transcript).") var echo = false
    public init() {}

    public func run() throws {
        var options = ReplSession.Options()
        options.settings.cluster = cluster.flatMap { $0 == RunSettings.builtInClusterName ? nil : $0 }
        options.settings.trace = trace
        options.settings.grid = grid
        if let warmup { options.settings.warmup = warmup }
        options.journal = journal
        options.at = at
        let session: ReplSession
        do { session = try ReplSession(options) } catch {
            CommandOutput(error: error).emit()
            throw ExitCode(error.exitStatus)
        }
        if isatty(STDIN_FILENO) == 1 {
            let path = history ?? ProcessInfo.processInfo.environment["WATT_HISTORY"]
                ?? (NSHomeDirectory() as NSString).appendingPathComponent(".watt_history")
            if let signal = ReplTerminal.run(session, historyPath: path, historySize: Int32(clamping: max(1, historySize))) {
                throw ExitCode(128 + signal)
            }
            return
        }
        // Scripted: one line at a time, as it arrives. SIGTERM ends it even when the parent
        // started us with it blocked or ignored (a spawned process inherits both).
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM] { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGTERM, SIG_DFL)
        while let line = Swift.readLine(strippingNewline: true) {
            var out = echo ? session.prompt + line + "\n" : ""
            let reply = session.handle(line)
            out += reply.output
            if !out.isEmpty { FileHandle.standardOutput.write(Data(out.utf8)) }
            if reply.quit { break }
        }
    }
}
