import Foundation
import Testing
import WattSupport
@testable import WattCLI
import WattBindings
import WattLanguage

/// The commands, run in process.
@Suite struct CommandTests {
    @Test(arguments: [
        ("3 kW * 2 h", "6 kWh\n"),
        ("(6 kWh * 400 g/kWh)", "2.4 kg\n"),
        ("1500 W", "1.5 kW\n"),
        ("count(jobs where gpus > 0 and flexible)", "189\n"),
    ])
    func evalAcceptance(_ expression: String, _ expected: String) {
        let out = EvalCommand.run(.init(expression: expression))
        #expect(out == CommandOutput(stdout: expected))
    }

    /// `watt eval -3`: a leading minus before a digit is an operand, not an option.
    @Test func aLeadingMinusIsAnOperand() throws {
        let world = "examples/worlds/demo.json"
        let negative = try runWatt(["eval", "--data", world, "-3"])
        #expect(negative.status == 0 && negative.stdout == "-3\n", "\(negative)")
        let temperature = try runWatt(["eval", "-40 degF", "--data", world])
        #expect(temperature.status == 0 && temperature.stdout == "-40 degF\n", "the minus before the conversion: \(temperature)")
        let unknown = try runWatt(["eval", "--data", world, "-x"])
        #expect(unknown.status == 64, "an unknown option is still a usage error: \(unknown)")
    }

    @Test func evalUnitErrorNamesBothDimensions() throws {
        let out = EvalCommand.run(.init(expression: "900 kW > 2 h"))
        #expect(out.exitCode == 1)
        #expect(out.stdout.hasPrefix("<expr>:1:1: error[E0401]: cannot compare power (kW) with time (h)\n"))
        try assertSnapshot(out.stdout, named: "eval-unit-error")
    }

    @Test func evalWithTypeAndData() {
        let out = EvalCommand.run(.init(expression: "sum(racks.power) > budget", dataPath: Paths.fixture("world.json"), showType: true))
        #expect(out == CommandOutput(stdout: "true : bool\n"))
        let inferred = EvalCommand.run(.init(expression: "(racks where inlet > 30 degC).name", dataPath: Paths.fixture("world.json")))
        #expect(inferred.stdout == "[\"r1\"]\n")
        let price = EvalCommand.run(.init(expression: "10 kWh * price", dataPath: Paths.fixture("world.json")))
        #expect(price.stdout == "1.8 EUR\n")
        let time = EvalCommand.run(.init(expression: "now.hour", dataPath: Paths.fixture("world.json")))
        #expect(time.stdout == "12\n")
    }

    @Test func evalWithDefinitionsFile() {
        let out = EvalCommand.run(.init(expression: "limit * 2", definitionFiles: [Paths.fixture("clean.watt")]))
        #expect(out.stdout == "1.8 MW\n")
    }

    @Test func evalReportsBadInputsClearly() {
        #expect(EvalCommand.run(.init(expression: "1 +")).exitCode == 1)
        let missing = EvalCommand.run(.init(expression: "1", dataPath: "/nonexistent.json"))
        #expect(missing.exitCode == 2 && missing.stderr.contains("cannot read"))
        #expect(throws: (any Error).self) { try Eval.parse(["now", "--now", "yesterday"]) }
    }

    @Test func checkReportsAllThreeErrorsWithLocationsAndCarets() throws {
        let out = CheckCommand.run(paths: [Paths.fixture("three_errors.watt")])
        #expect(out.exitCode == 1)
        let headers = out.stdout.split(separator: "\n").filter { $0.contains(": error[") }
        #expect(headers.count == 3)
        #expect(headers.allSatisfy { $0.contains("three_errors.watt:") })
        #expect(out.stdout.components(separatedBy: "^").count - 1 >= 3)
        try assertSnapshot(out.stdout.replacingOccurrences(of: Paths.root.path + "/", with: ""), named: "check-three-errors")
    }

    @Test func checkCleanFileAndJSON() {
        let clean = CheckCommand.run(paths: [Paths.fixture("clean.watt")])
        #expect(clean.exitCode == 0)
        #expect(clean.stdout == "ok: 1 file, 1 rule, 0 warnings\n")
        let json = CheckCommand.run(paths: [Paths.fixture("three_errors.watt")], format: .json)
        #expect(json.exitCode == 1)
        let decoded = try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(decoded?.count == 4)
        #expect(decoded?.map { $0["code"] as? String } == ["W0301", "E0401", "E0301", "E0202"])
        #expect(decoded?.first?["text"] as? String != nil)
    }

    @Test func checkMissingFileIsAUsageError() {
        let out = CheckCommand.run(paths: ["/no/such/file.watt"])
        #expect(out.exitCode == 2)
        #expect(out.stderr == "error[C0201]: no such file or directory `/no/such/file.watt`\n")
    }

    /// One vocabulary: the packs check with no flags (the built-in demo cluster) as with the
    /// cluster file, from any folder.
    @Test func checkThePolicyPacks() throws {
        let policies = Paths.root.appendingPathComponent("policies").path
        let out = CheckCommand.run(paths: [policies])
        #expect(out.exitCode == 0, "\(out.stdout)\(out.stderr)")
        #expect(out.stdout.hasPrefix("ok: "))
        let cluster = CheckCommand.run(paths: [policies], clusterPath: Paths.root.appendingPathComponent("examples/clusters/demo.yaml").path)
        #expect(cluster == out)
        let elsewhere = try runWatt(["check", policies], in: FileManager.default.temporaryDirectory)
        #expect(elsewhere.status == 0, "\(elsewhere.stdout)\(elsewhere.stderr)")
        #expect(elsewhere.stdout == out.stdout)
    }

    @Test func fmtCheckAndWrite() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("watt-fmt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("p.watt")
        try "let  x=1 kW # keep me\nif x>0 then wake nodes\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(FmtCommand.run(paths: [file.path], mode: .check).exitCode == 1)
        #expect(FmtCommand.run(paths: [file.path], mode: .write).exitCode == 0)
        #expect(try String(contentsOf: file, encoding: .utf8) == "let x = 1 kW  # keep me\nif x > 0 then wake nodes\n")
        #expect(FmtCommand.run(paths: [file.path], mode: .check) == CommandOutput())
        // A file that does not parse is never rewritten.
        try "let x = (".write(to: file, atomically: true, encoding: .utf8)
        #expect(FmtCommand.run(paths: [file.path], mode: .write).exitCode == 1)
        #expect(try String(contentsOf: file, encoding: .utf8) == "let x = (")
    }

    @Test func parsePrintsTheTree() {
        let out = ParseCommand.run(paths: [Paths.fixture("clean.watt")])
        #expect(out.stdout == "(const limit 900[kW])\n(if (when (> (. site power) limit)) (then (action cap (where nodes (== state \"on\")) (at 6[kW]))))\n")
    }

    @Test func unitsListsEveryDimension() throws {
        try assertSnapshot(UnitsCommand.run().stdout, named: "units")
    }
}

@Suite struct EvalDefinitionsTests {
    @Test func rulesInADefinitionsFileDoNotNeedTheDataVocabularysVerbs() {
        let out = EvalCommand.run(.init(expression: "headroom", dataPath: Paths.root.appendingPathComponent("examples/worlds/demo.json").path,
                                        definitionFiles: [Paths.root.appendingPathComponent("examples/evaluations/site.watt").path]))
        #expect(out == CommandOutput(stdout: "150 kW\n"))
    }
}

@Suite struct VocabCommandTests {
    /// docs/vocabulary.md is `watt vocab` (the demo cluster's energy vocabulary);
    /// `make vocab` or `WATT_RECORD=1` rewrites it.
    @Test func generatedReferenceMatchesTheDocs() throws {
        let url = Paths.root.appendingPathComponent("docs/vocabulary.md")
        let out = VocabCommand.run()
        #expect(out.exitCode == 0, "\(out.stderr)")
        if ProcessInfo.processInfo.environment["WATT_RECORD"] == "1" { try out.stdout.write(to: url, atomically: true, encoding: .utf8) }
        let docs = try String(contentsOf: url, encoding: .utf8)
        #expect(out.stdout == docs, "docs/vocabulary.md is stale: run `make vocab` (or `WATT_RECORD=1 swift test --filter VocabCommandTests`)")
    }

    @Test func referenceListsEveryNameFieldAndVerbOfTheDeclarations() {
        let text = VocabCommand.run().stdout
        let declarations = EnergyDeclarations.standard
        for name in declarations.names {
            #expect(text.contains("| `\(name.name)` |"))
            #expect(text.contains("## Record `\(name.recordName)`"))
            for field in name.fieldNames { #expect(text.contains("| `\(field)` |"), "\(name.recordName).\(field)") }
        }
        for verb in declarations.verbs { #expect(text.contains("| `\(verb.name)` |")) }
        for field in declarations.forecast.fields { #expect(text.contains("| `\(field.name)` |")) }
        #expect(text.contains("prices in EUR"))
    }

    @Test func anotherClustersInventory() {
        let small = VocabCommand.run(clusterPath: Paths.root.appendingPathComponent("examples/clusters/small.yaml").path)
        #expect(small.exitCode == 0, "\(small.stderr)")
        #expect(small.stdout.contains("this is the cluster `"))
        #expect(VocabCommand.run(clusterPath: "/no/cluster.yaml").exitCode == 2)
    }
}

@Suite struct ClusterEvalTests {
    static let demo = Paths.root.appendingPathComponent("examples/clusters/demo.yaml").path

    static func options(_ expression: String, _ change: (inout EvalCommand.Options) -> Void = { _ in }) -> EvalCommand.Options {
        var o = EvalCommand.Options(expression: expression)
        o.settings.cluster = demo
        change(&o)
        return o
    }

    @Test func countsJobsOfTheSimulatedCluster() {
        let out = EvalCommand.run(Self.options("count(jobs where gpus > 0) > 0") { $0.settings.warmup = 6 * 3600 })
        #expect(out == CommandOutput(stdout: "true\n"), "\(out.stderr)")
    }

    @Test func forecastsTheGridCarbonMinimum() {
        let out = EvalCommand.run(Self.options("forecast(grid.carbon_intensity, 6 h).min") { $0.showType = true })
        #expect(out.exitCode == 0, "\(out.stderr)\(out.stdout)")
        #expect(out.stdout.hasSuffix(" g/kWh : carbon intensity\n"))
    }

    @Test func badClusterFilesAndWarmupsAreUsageErrors() {
        let missing = EvalCommand.run(Self.options("1") { $0.settings.cluster = "/no/cluster.yaml" })
        #expect(missing.exitCode == 2 && missing.stderr.contains("/no/cluster.yaml"))
        #expect(throws: (any Error).self) { try Eval.parse(["1", "--cluster", Self.demo, "--warmup", "soon"]) }
        let tooLong = EvalCommand.run(Self.options("1") { $0.settings.warmup = 400 * 86_400 })
        #expect(tooLong.exitCode == 64 && tooLong.stderr.contains("--warmup must be 0 to 366 days"))
    }

    @Test func checkAgainstTheClusterInventory() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("watt-inventory-\(UUID().uuidString).watt")
        try "if grid.carbon_intensity > 300 g/kWh then move jobs where flexible to pool \"efficeint\"\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let out = CheckCommand.run(paths: [file.path], clusterPath: Self.demo)
        #expect(out.exitCode == 1)
        #expect(out.stdout.contains("error[E0408]: unknown pool `efficeint`"))
        #expect(out.stdout.contains("did you mean `efficient`?"))
    }
}

@Suite struct RunCommandTests {
    @Test func runsPoliciesBesideABaselineAndReports() throws {
        var options = RunCommand.Options()
        options.settings.policies = [Paths.root.appendingPathComponent("policies").path]
        options.settings.cluster = Paths.root.appendingPathComponent("examples/clusters/small.yaml").path
        options.settings.days = 0.5
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("watt-run-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: json) }
        options.jsonPath = json.path
        let out = RunCommand.run(options)
        #expect(out.exitCode == 0, "\(out.stdout)\(out.stderr)")
        for metric in ["IT energy", "facility energy", "carbon (location-based)", "cost", "peak facility power",
                       "hours above the cap", "job wait p95", "deadline misses", "actions applied"] {
            #expect(out.stdout.contains(metric))
        }
        let decoded = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
        #expect((decoded?["baseline"] as? [String: Any])?["it_energy_j"] != nil)
        #expect((decoded?["policies"] as? [String: Any])?["carbon_g"] != nil)
    }

    @Test func policiesWithErrorsDoNotRun() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("watt-bad-\(UUID().uuidString).watt")
        try "if site.power > 2 h then wake nodes\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var options = RunCommand.Options()
        options.settings.policies = [file.path]
        options.settings.cluster = Paths.root.appendingPathComponent("examples/clusters/small.yaml").path
        let out = RunCommand.run(options)
        #expect(out.exitCode == 1)
        #expect(out.stdout.contains("error[E0401]"))
        #expect(out.stderr == "error[C0301]: the policies have 1 error; nothing ran\n")
    }
}

@Suite struct JournalCommandTests {
    @Test func runWritesAJournalThatExplainReads() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("watt-run-journal-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        var options = RunCommand.Options()
        options.settings.policies = [Paths.root.appendingPathComponent("policies/peak").path]
        options.settings.cluster = Paths.root.appendingPathComponent("examples/clusters/small.yaml").path
        options.settings.days = 0.25
        options.journalPath = path
        #expect(RunCommand.run(options).exitCode == 0)
        #expect(JournalCommand.summary(path: path).stdout.contains("72 ticks"))
        let why = JournalCommand.explain("shave_peak", path: path)
        #expect(why.stdout.contains("not fired, inactive: did not fire: site.facility_power > site.power_cap * shave_above"))
        #expect(JournalCommand.explain("no-such-thing", path: path).exitCode == 1)
    }
}

/// Every command error code is documented with its exit status (docs/diagnostics.md), and
/// the commands print errors only through `WattError` (no hand-written `error: ` lines).
@Suite struct CommandErrorDocumentationTests {
    @Test func commandsWriteNoErrorLinesByHand() throws {
        let dir = Paths.root.appendingPathComponent("Sources/WattCLI")
        let files = (FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".swift") }
        #expect(files.count > 10)
        for file in files {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains("\"error: ") || line.contains("\"\\nerror: ") {
                Issue.record("Sources/WattCLI/\(file):\(n + 1): an error written by hand; use WattError: \(line)")
            }
        }
    }

    @Test func everyCodeIsDocumented() throws {
        let text = try String(contentsOf: Paths.root.appendingPathComponent("docs/diagnostics.md"), encoding: .utf8)
        for code in WattError.Code.allCases {
            #expect(text.contains("| \(code.rawValue) | \(code.exitStatus) | \(code.summary)"),
                    "docs/diagnostics.md does not document \(code.rawValue) (exit \(code.exitStatus): \(code.summary))")
        }
    }
}

