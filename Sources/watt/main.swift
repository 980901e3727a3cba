import ArgumentParser
import WattCLI

/// The `watt` executable only lists the subcommands; they live in WattCLI.
struct Watt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watt",
        abstract: "Watt: an energy-policy language and control loop for AI data centers.",
        subcommands: [Run.self, Test.self, Repl.self, JournalSummary.self, Explain.self, Check.self, Eval.self, Fmt.self, Parse.self, Units.self, Vocab.self, Forecast.self, Shift.self]
    )
}

Watt.main()
