import ArgumentParser
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

Watt.main(NegativeOperands.protect(Array(CommandLine.arguments.dropFirst())))
