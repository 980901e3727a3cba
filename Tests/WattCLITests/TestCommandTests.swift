import Foundation
import Testing
@testable import WattCLI

/// `watt test` as a command: exit codes, formats, coverage threshold, and the binary end to end.
@Suite struct TestCommandTests {
    func pack(tests: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-testcmd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("fixtures"), withIntermediateDirectories: true)
        for name in ["cluster.yaml", "jobs.csv"] {
            try FileManager.default.copyItem(at: Paths.root.appendingPathComponent("policies/fixtures/\(name)"), to: dir.appendingPathComponent("fixtures/\(name)"))
        }
        try """
            rule shave priority 1 {
              when site.facility_power > 57 kW
              then cap nodes where state == "on" and not present(power_cap) at 450 W
            }
            rule relax priority 1 {
              when site.facility_power < 20 kW
              then uncap nodes where present(power_cap)
            }
            """.write(to: dir.appendingPathComponent("peak.watt"), atomically: true, encoding: .utf8)
        try tests.write(to: dir.appendingPathComponent("peak_test.watt"), atomically: true, encoding: .utf8)
        return dir
    }

    static let wrong = """
        test "a deliberately wrong expectation" {
          given site.facility_power = 58 kW
          after 1 tick
          expect cap nodes at 300 W
        }
        """

    @Test func aWrongExpectationExitsOneWithADiff() throws {
        let dir = try pack(tests: Self.wrong)
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = TestCommand.Options()
        options.paths = [dir.path]
        let out = TestCommand.run(options)
        #expect(out.exitCode == 1)
        #expect(out.stdout.contains("FAIL  \(dir.path)/peak_test.watt: a deliberately wrong expectation"))
        #expect(out.stdout.contains("peak_test.watt:4:3: expected cap nodes at 300 W at 2020-06-01T00:00:00Z, but got:"))
        #expect(out.stdout.contains("cap at 450 W for `"))
        #expect(out.stdout.contains("(rule `shave`, because site.facility_power > 57 kW: `site.facility_power` = 58 kW > 57 kW is true)"))
        #expect(out.stdout.hasSuffix("0 passed, 1 failed\n"))
    }

    @Test func thresholdAndFormats() throws {
        let dir = try pack(tests: "test \"quiet\" {\n  given site.facility_power = 30 kW\n  after 1 tick\n  expect no cap\n}\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = TestCommand.Options()
        options.paths = [dir.path]
        options.threshold = 100
        let out = TestCommand.run(options)
        #expect(out.exitCode == 1, "the rules never acted: coverage 0 %")
        #expect(out.stderr.contains("error[C0301]: rule coverage 0 % is below the threshold of 100 %"))
        #expect(out.stdout.contains("rules: 0/2 covered"))
        options.threshold = nil
        options.format = "junit"
        #expect(TestCommand.run(options).stdout.hasPrefix("<?xml"))
        options.format = "xml"
        #expect(TestCommand.run(options).exitCode == 64)
    }

    @Test func noTestFilesIsAUsageError() {
        var options = TestCommand.Options()
        options.paths = [Paths.root.appendingPathComponent("examples/evaluations").path]
        let out = TestCommand.run(options)
        #expect(out.exitCode == 2)
        #expect(out.stderr.contains("no test files"))
    }

    @Test func theBinaryExitsOneOnAFailure() throws {
        let dir = try pack(tests: Self.wrong)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try runWatt(["test", dir.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL"))
    }
}
