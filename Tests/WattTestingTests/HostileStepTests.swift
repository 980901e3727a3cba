import Testing
@testable import WattTesting
import WattTestSupport

/// Steps with absurd values are errors of the test, never a trap of `watt test` (issue 10).
@Suite struct HostileStepTests {
    @Test(arguments: [
        ("after 1e300 h", "`after` may advance at most 100000 ticks at a time"),
        ("after 1e6 ticks", "`after N ticks` needs a whole number from 1"),
        ("after 1000 days", "`after` may advance at most 100000 ticks at a time; this is 288000 ticks"),
    ]) func farStepsAreErrors(_ step: String, _ message: String) throws {
        let pack = try Pack(policy: PolicyTestRunnerTests.policy, tests: "test \"far\" {\n  \(step)\n}\n")
        defer { pack.remove() }
        let report = try pack.run()
        #expect(report.cases.first?.status == .error)
        #expect(report.cases.first?.failures.joined().contains(message) == true, "\(report.text())")
        var tally = Tally()
        tally.count("absurd policy test step", report.cases.first?.status == .error && report.cases.first?.failures.joined().contains(message) == true)
        tally.record("evaluation-bounds", part: "step " + step, test: "Tests/WattTestingTests/HostileStepTests.swift")
    }
}
