import Foundation
import Testing

/// The built `watt` binary, as a user runs it: stdout and exit status.
@Suite(.serialized) struct EndToEndTests {
    @Test func binaryExists() {
        #expect(FileManager.default.isExecutableFile(atPath: Paths.binary), "build first: swift build")
    }

    @Test func evalPrintsSixKilowattHours() throws {
        let result = try runWatt(["eval", "3 kW * 2 h"])
        #expect(result.stdout == "6 kWh\n")
        #expect(result.status == 0)
    }

    @Test func evalCarbon() throws {
        let result = try runWatt(["eval", "(6 kWh * 400 g/kWh)"])
        #expect(result.stdout == "2.4 kg\n")
    }

    @Test func evalUnitErrorExitsOne() throws {
        let result = try runWatt(["eval", "900 kW > 2 h"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("error[E0401]: cannot compare power (kW) with time (h)"))
    }

    @Test func checkExitCodes() throws {
        #expect(try runWatt(["check", Paths.fixture("clean.watt")]).status == 0)
        let bad = try runWatt(["check", Paths.fixture("three_errors.watt")])
        #expect(bad.status == 1)
        #expect(bad.stdout.hasSuffix("3 errors, 1 warning in 1 file\n"))
    }

    @Test func helpListsTheSubcommands() throws {
        let result = try runWatt(["--help"])
        #expect(result.status == 0)
        for command in ["check", "eval", "fmt", "parse", "units"] { #expect(result.stdout.contains(command)) }
    }

    @Test func badFlagIsAUsageError() throws {
        let result = try runWatt(["check", "--format", "xml", Paths.fixture("clean.watt")])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--format must be text or json"))
    }
}

