import ArgumentParser
import Foundation
import WattCLI
import WattSupport

/// The `watt` executable only lists the subcommands; they live in WattCLI.
struct Watt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watt",
        abstract: "Watt: an energy-policy language and control loop for AI data centers.",
        discussion: "Exit status: 0 ok, 1 the policies or the run failed, 2 bad input (a file, a journal, a setting), 64 usage.",
        version: WattVersion.current,
        subcommands: [Run.self, Test.self, Repl.self, JournalSummary.self, Explain.self, Check.self, Eval.self, Fmt.self, Parse.self,
                      Units.self, Vocab.self, Forecast.self, Profile.self, Shift.self]
    )
}

// Usage errors from the argument parser read like Watt's own (`error[C0101]: ...`, exit 64,
// on stderr); help, `--version` and the commands' own exits pass through.
do {
    var command = try Watt.parseAsRoot(NegativeOperands.protect(Array(CommandLine.arguments.dropFirst())))
    try command.run()
} catch {
    let status = Watt.exitCode(for: error)
    if status == .validationFailure, !(error is ExitCode) {
        let message = NegativeOperands.unprotect(Watt.message(for: error)).trimmingCharacters(in: .whitespacesAndNewlines)
        let usage = WattError(.usage, message.isEmpty ? "invalid arguments" : message, hint: "`watt help` lists the commands; `watt COMMAND --help` their options")
        FileHandle.standardError.write(Data((usage.description + "\n").utf8))
        Watt.exit(withError: ExitCode(usage.exitStatus))
    }
    Watt.exit(withError: error)
}
