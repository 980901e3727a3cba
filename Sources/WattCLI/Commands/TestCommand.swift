import ArgumentParser
import Foundation
import WattTesting
import WattSupport

/// `watt test`: runs the `test` blocks of `*_test.watt` files against the policies beside
/// them, like `opa test` and `promtool test rules`.
public enum TestCommand {
    public struct Options: Sendable {
        public var paths: [String] = ["policies"]
        public var run: String?
        public var format = "text"
        public var coverage = false
        public var threshold: Double?
        public var timeout = 120.0
        public var verbose = false
        public init() {}
    }

    public static func run(_ options: Options) -> CommandOutput {
        guard ["text", "json", "junit"].contains(options.format) else {
            return CommandOutput(error: WattError(.usage, "--format must be text, json or junit, found `\(options.format)`"))
        }
        var runner = PolicyTestRunner()
        runner.timeout = options.timeout
        if let pattern = options.run {
            do { runner.filter = try NSRegularExpression(pattern: pattern) } catch {
                return CommandOutput(error: WattError(.usage, "--run `\(pattern)` is not a regular expression"))
            }
        }
        let suites: [TestSuiteFile]
        do { suites = try TestDiscovery.discover(options.paths) } catch { return CommandOutput(error: error) }
        if suites.isEmpty {
            return CommandOutput(error: WattError(.unreadable, "no test files (`*_test.watt`) under \(options.paths.map { "`\($0)`" }.joined(separator: ", "))"))
        }
        let report = runner.run(suites)
        var out = CommandOutput()
        switch options.format {
        case "json": out.stdout = report.jsonText()
        case "junit": out.stdout = report.junit()
        default:
            out.stdout = report.text(verbose: options.verbose)
            if options.coverage || options.threshold != nil { out.stdout += report.coverageText() }
        }
        if !report.succeeded { out.exitCode = 1 }
        if let threshold = options.threshold, report.coverage.ruleShare * 100 < threshold - 1e-9 {
            out.stderr += WattError(.policies, String(format: "rule coverage %.0f %% is below the threshold of %g %%", report.coverage.ruleShare * 100, threshold)).description + "\n"
            out.exitCode = 1
        }
        return out
    }
}

public struct Test: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Run the tests of policy packs (`test` blocks in *_test.watt files).",
        discussion: "Each test file tests the policies of its directory and the directories below it. Exit status 1 when a test fails or cannot run, or coverage is below --threshold.")
    @Argument(help: "Test files or directories (default: policies/).") var paths: [String] = []
    @Option(name: .customLong("run"), help: "Only tests whose name (with its row, for table-driven tests) matches this regular expression.") var pattern: String?
    @Option(help: "text, json or junit (JUnit XML for CI).") var format: String = "text"
    @Flag(help: "Print which rules and conditions the tests exercised.") var coverage = false
    @Option(help: "Fail when less than this percentage of rules is covered (acted and not fired), 0 to 100.",
            transform: FlagValue.number("--threshold", 0...100)) var threshold: Double?
    @Option(help: "Seconds a test may run before it is an ERROR, up to a day.",
            transform: FlagValue.number("--timeout", 0.001...86_400, " s")) var timeout: Double = 120
    @Flag(name: .shortAndLong, help: "Show each test's time.") var verbose = false
    public init() {}
    public func run() throws {
        var options = TestCommand.Options()
        if !paths.isEmpty { options.paths = paths }
        options.run = pattern
        options.format = format
        options.coverage = coverage
        options.threshold = threshold
        options.timeout = timeout
        options.verbose = verbose
        let out = TestCommand.run(options)
        out.emit()
        if out.exitCode != 0 { throw ExitCode(out.exitCode) }
    }
}
