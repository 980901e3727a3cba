import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import WattTestSupport
@testable import WattTesting

/// A policy pack in a temporary directory: policies, tests, and the packs' test cluster.
struct Pack {
    static let repo: URL = RepositoryRoot.url
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-test-\(UUID().uuidString)")

    init(policy: String, tests: String) throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("fixtures"), withIntermediateDirectories: true)
        for name in ["cluster.yaml", "jobs.csv"] {
            try FileManager.default.copyItem(at: Self.repo.appendingPathComponent("policies/fixtures/\(name)"),
                                             to: dir.appendingPathComponent("fixtures/\(name)"))
        }
        try policy.write(to: dir.appendingPathComponent("p.watt"), atomically: true, encoding: .utf8)
        try tests.write(to: dir.appendingPathComponent("p_test.watt"), atomically: true, encoding: .utf8)
    }

    func run(_ configure: (inout PolicyTestRunner) -> Void = { _ in }) throws -> TestRunReport {
        var runner = PolicyTestRunner()
        configure(&runner)
        return runner.run(try TestDiscovery.discover([dir.path]))
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }
}

@Suite struct PolicyTestRunnerTests {
    static let policy = """
        rule hot_cap priority 5 {
          when any(nodes, temperature > 80 degC) for 10 min
          then cap nodes where temperature > 80 degC at 300 W
          cooldown 30 min
        }
        rule dirty priority 1 {
          when grid.carbon_intensity > 400 g/kWh or forecast(grid.carbon_intensity, 2 h).min < 100 g/kWh
          then alert "dirty grid" with severity "info"
        }
        """

    @Test func discoveryPairsTestFilesWithThePoliciesBesideThem() throws {
        let pack = try Pack(policy: Self.policy, tests: "test \"t\" {\n  after 1 tick\n}\n")
        defer { pack.remove() }
        let suites = try TestDiscovery.discover([pack.dir.path])
        #expect(suites.count == 1)
        #expect(suites[0].policies.map { ($0.name as NSString).lastPathComponent } == ["p.watt"])
    }

    @Test func forDurationsAndCooldownsOverTime() throws {
        let pack = try Pack(policy: Self.policy, tests: """
            test "a hot node is capped after 10 min, then not again within the cooldown" {
              given node("default-001").temperature = 85 degC
              after 1 tick
              expect rule hot_cap pending
              expect no cap
              after 10 min
              expect rule hot_cap firing
              expect cap node "default-001" at 300 W
              after 20 min
              expect rule hot_cap cooling
              expect no cap
            }
            """)
        defer { pack.remove() }
        let report = try pack.run()
        #expect(report.cases.map(\.status) == [.pass], "\(report.text())")
    }

    @Test func drainAndResumeInPolicyTests() throws {
        let pack = try Pack(policy: """
            rule too_hot priority 20 {
              when any(nodes, temperature > 85 degC)
              then drain nodes where temperature > 85 degC and state != "draining"
            }
            rule cooled_down priority 10 {
              when any(nodes, state == "draining" and temperature < 70 degC) for 10 min
              then resume nodes where state == "draining" and temperature < 70 degC
            }
            """, tests: """
            test "a hot node is drained, and resumed once cool for 10 min" {
              given node("default-001").temperature = 90 degC
              after 1 tick
              expect drain node "default-001"
              expect any(nodes, id == "default-001" and state == "draining")
              expect no resume
              given node("default-001").temperature = 60 degC
              after 5 min
              expect no resume
              after 10 min
              expect resume node "default-001"
              expect not any(nodes, state == "draining")
            }
            """)
        defer { pack.remove() }
        let report = try pack.run()
        #expect(report.cases.map(\.status) == [.pass], "\(report.text())")
    }

    @Test func seriesPinnedForecastsAndTableRows() throws {
        let pack = try Pack(policy: Self.policy, tests: """
            test "carbon series" with carbon, fires in [500 g/kWh, "firing"], [300 g/kWh, "inactive"] {
              given grid.carbon_intensity = carbon
              after 1 tick
              expect rule dirty fires
            }
            test "a series steps every hour" {
              given grid.carbon_intensity = 300 g/kWh, 500 g/kWh every 1 h
              after 1 tick
              expect no alert "dirty grid"
              after 1 h
              expect alert "dirty grid" with severity "info"
              expect grid.carbon_intensity == 500 g/kWh
            }
            test "a pinned forecast" {
              given forecast(grid.carbon_intensity, 2 h) = 300 g/kWh, 50 g/kWh every 1 h
              after 1 tick
              expect rule dirty firing
            }
            """)
        defer { pack.remove() }
        let report = try pack.run()
        #expect(report.cases.map(\.name) == ["carbon series [carbon=500 g/kWh, fires=\"firing\"]",
                                             "carbon series [carbon=300 g/kWh, fires=\"inactive\"]",
                                             "a series steps every hour", "a pinned forecast"])
        #expect(report.cases.allSatisfy { $0.status == .pass }, "\(report.text())")
    }

    /// `watt test` shows the policies' warnings, such as rules that can fight (W0501), once
    /// per file of tests, in the text and the JSON.
    @Test func rulesThatCanFightAreReported() throws {
        let pack = try Pack(policy: """
            rule cap_when_busy { when site.power > 1 kW then cap nodes at 300 W }
            rule uncap_when_busy { when site.power > 2 kW then uncap nodes }
            """, tests: "test \"a\" {\n  after 1 tick\n}\ntest \"b\" {\n  after 1 tick\n}\n")
        defer { pack.remove() }
        let report = try pack.run()
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.contains("warning[W0501]: rules `cap_when_busy` and `uncap_when_busy` can fight") == true)
        #expect(report.text().hasPrefix(report.warnings[0]))
        #expect(report.jsonReport.warnings == report.warnings)
        #expect(report.succeeded, "a warning does not fail the tests")
        let calm = try Pack(policy: Self.policy, tests: "test \"t\" {\n  after 1 tick\n}\n")
        defer { calm.remove() }
        #expect(try calm.run().warnings.isEmpty)
    }

    @Test func aWrongExpectationFailsWithWhatHappened() throws {
        let pack = try Pack(policy: Self.policy, tests: """
            test "wrong" {
              given node("default-001").temperature = 85 degC
              after 15 min
              expect cap node "default-001" at 250 W
              expect rule hot_cap inactive
              expect node_count() > 0
            }
            """)
        defer { pack.remove() }
        let report = try pack.run()
        let failures = report.cases[0].failures
        #expect(report.cases[0].status == .error, "an unknown function is an error, after the failed expectations")
        #expect(failures[0].contains("p_test.watt:4:3: expected cap node \"default-001\" at 250 W from 2020-06-01T00:00:00Z to 2020-06-01T00:10:00Z (3 ticks), but got:"))
        #expect(failures[0].contains("cap at 300 W for `default-001` (rule `hot_cap`"))
        #expect(failures[1].contains("p_test.watt:5:15: expected rule `hot_cap` inactive, but it is firing"))
        #expect(failures[2].contains("unknown function `node_count`"))
        #expect(report.summaryLine == "0 passed, 0 failed, 1 error")
        #expect(!report.succeeded)
    }

    /// Kelvin is the absolute scale: 363.15 K given to a reading is 90 degC.
    @Test func kelvinGivenToAReadingIsOnTheAbsoluteScale() throws {
        let pack = try Pack(policy: Self.policy, tests: """
            test "hot in kelvin" {
              given node("default-001").temperature = 363.15 K
              after 1 tick
              expect any(nodes, id == "default-001" and temperature == 90 degC)
            }
            """)
        defer { pack.remove() }
        let report = try pack.run()
        #expect(report.summaryLine == "1 passed, 0 failed", "\(report.text())")
    }

    @Test(arguments: [
        ("given tik = 5 min", "unknown setting `tik`; did you mean `tick`?"),
        ("after 1 tick\n  given tick = 5 min", "settings come before the other steps"),
        ("given node(\"defualt-001\").temperature = 90 degC", "no node `defualt-001` in the cluster; did you mean `default-001`?"),
        ("given site.power = 5 kWh", "`site.power` is power but this is energy"),
        // A reading takes a reading or kelvin, never a difference (issue 17).
        ("given node(\"default-001\").temperature = 30 degC - 20 degC", "is temperature but this is temperature difference"),
        ("given node(\"default-001\").temperature = -5 K", "`-5 K` is below absolute zero"),
        ("given site.jobs = 3", "cannot set `site.jobs`"),
        ("expect rule nope firing", "no rule `nope` in the policies"),
        ("expect rule hot_cap firing", "nothing has run yet"),
        ("after 1 tick\n  expect jump nodes", "unknown action `jump`"),
        ("after 1 tick\n  expect cap jobs", "`cap` does not act on jobs"),
        ("given cluster = \"nope.yaml\"", "cannot load the cluster"),
    ]) func stepsThatCannotRunAreErrors(_ step: String, _ message: String) throws {
        let pack = try Pack(policy: Self.policy, tests: "test \"e\" {\n  \(step)\n}\n")
        defer { pack.remove() }
        let report = try pack.run()
        #expect(report.cases.first?.status == .error)
        #expect(report.cases.first?.failures.joined().contains(message) == true, "\(report.text())")
    }

    @Test func expectedDiagnosticsOfFilesThatMustNotCheck() throws {
        let pack = try Pack(policy: Self.policy, tests: """
            test "a broken policy is refused with these codes" {
              expect diagnostics "fixtures/broken.wattx" with codes ["E0401", "E0301"]
              expect no diagnostics "p.watt"
            }
            test "wrong codes fail" {
              expect diagnostics "fixtures/broken.wattx" with codes ["E0401"]
            }
            """)
        defer { pack.remove() }
        try "let a = 1 kW + 1 h\nlet b = nodez\n".write(to: pack.dir.appendingPathComponent("fixtures/broken.wattx"), atomically: true, encoding: .utf8)
        let report = try pack.run()
        #expect(report.cases.map(\.status) == [.pass, .fail], "\(report.text())")
        #expect(report.cases[1].failures.first?.contains("to report E0401, but it reports E0301, E0401, W0301") == true)
    }

    @Test func skipFilterAndTimeout() throws {
        let pack = try Pack(policy: Self.policy, tests: """
            test "skipped" {
              given skip = "waiting for the Slurm adapter"
            }
            test "long" {
              after 1 tick
            }
            """)
        defer { pack.remove() }
        let all = try pack.run()
        #expect(all.cases.map(\.status) == [.skip, .pass])
        #expect(all.summaryLine == "1 passed, 0 failed, 1 skipped")
        let filtered = try pack.run { $0.filter = try? NSRegularExpression(pattern: "^lo") }
        #expect(filtered.cases.map(\.name) == ["long"])
        let timedOut = try pack.run { $0.timeout = 0 }
        #expect(timedOut.cases.last?.status == .error)
    }

    @Test func coverageCountsRulesAndConditions() throws {
        let pack = try Pack(policy: Self.policy, tests: """
            test "dirty and clean" {
              given grid.carbon_intensity = 500 g/kWh, 300 g/kWh every 5 min
              after 2 ticks
            }
            """)
        defer { pack.remove() }
        let report = try pack.run()
        let rules = report.coverage.rules.values.sorted { $0.line < $1.line }
        #expect(rules.map(\.name) == ["hot_cap", "dirty"])
        #expect(!rules[0].covered, "hot_cap never acted")
        #expect(rules[1].covered)
        #expect(report.coverage.ruleShare == 0.5)
        #expect(report.coverageText().contains("rules: 1/2 covered (50 %)"))
    }

    @Test func theSameTestsGiveTheSameResults() throws {
        let pack = try Pack(policy: Self.policy, tests: """
            test "t" {
              given node("batch-001").temperature = 90 degC
              after 1 h
              expect cap node "batch-001"
            }
            """)
        defer { pack.remove() }
        let a = try pack.run(), b = try pack.run()
        #expect(a.jsonText().replacingOccurrences(of: #""seconds":[0-9.e+-]+"#, with: "", options: .regularExpression)
                == b.jsonText().replacingOccurrences(of: #""seconds":[0-9.e+-]+"#, with: "", options: .regularExpression))
    }

    @Test func junitIsWellFormedWithTheExpectedStructure() throws {
        let pack = try Pack(policy: Self.policy, tests: """
            test "passes" {
              after 1 tick
            }
            test "fails <&>" {
              after 1 tick
              expect grid.carbon_intensity > 1000 g/kWh
            }
            test "skipped" {
              given skip = "later"
            }
            """)
        defer { pack.remove() }
        let xml = try pack.run().junit()
        let document = try XMLDocument(xmlString: xml)
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        #expect(root.attribute(forName: "tests")?.stringValue == "3")
        #expect(root.attribute(forName: "failures")?.stringValue == "1")
        let suite = try #require(root.elements(forName: "testsuite").first)
        let cases = suite.elements(forName: "testcase")
        #expect(cases.map { $0.attribute(forName: "name")?.stringValue } == ["passes", "fails <&>", "skipped"])
        #expect(cases.allSatisfy { $0.attribute(forName: "classname") != nil && $0.attribute(forName: "time") != nil })
        #expect(cases[1].elements(forName: "failure").count == 1)
        #expect(cases[2].elements(forName: "skipped").count == 1)
        let json = try JSONSerialization.jsonObject(with: Data(try pack.run().jsonText().utf8)) as? [String: Any]
        #expect(json?["failed"] as? Int == 1)
    }
}
