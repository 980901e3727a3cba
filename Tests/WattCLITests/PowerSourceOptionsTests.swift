import Foundation
import Testing
import WattSupport
import WattCluster
import WattControl
import WattLanguage
import WattSlurm
@testable import WattCLI

/// Answers `squeue --json` and `sinfo --json` with the Slurm adapter's fixtures (real Slurm
/// output), and `scontrol` with success.
struct FixtureSlurm: CommandRunning {
    var sinfo = "sinfo_typed.json"
    static func fixture(_ name: String) -> String {
        (try? String(contentsOfFile: Paths.root.appendingPathComponent("Tests/WattSlurmTests/Fixtures/\(name)").path, encoding: .utf8)) ?? ""
    }
    func run(_ arguments: [String], timeout: Double) -> CommandResult {
        switch arguments.first {
        case "squeue": return CommandResult(status: 0, stdout: Self.fixture("squeue.json"), stderr: "")
        case "sinfo": return CommandResult(status: 0, stdout: Self.fixture(sinfo), stderr: "")
        case "scontrol": return CommandResult(status: 0, stdout: "", stderr: "")
        default: return CommandResult(status: 127, stdout: "", stderr: "not here")
        }
    }
}

/// `watt run --scheduler slurm --power-source ...`: the options, and where node power came
/// from in the journal.
@Suite struct PowerSourceOptionsTests {
    func live(_ change: (inout RunCommand.Options) -> Void) -> CommandOutput {
        var o = RunCommand.Options()
        o.settings.policies = [Paths.root.appendingPathComponent("policies/peak").path]
        o.settings.scheduler = .slurm
        o.settings.interval = 1
        change(&o)
        return RunCommand.run(o)
    }

    @Test(arguments: [
        (["source": "ipmi"], "--power-source must be `rapl`, `nvidia-smi`, `prometheus` or `model`, found `ipmi`"),
        (["source": "prometheus"], "--power-source prometheus needs --prometheus-url (e.g. http://prometheus:9090)"),
        (["source": "prometheus", "url": "prometheus:9090"], "a Prometheus URL is `http://HOST:PORT` (or https, with a path prefix if any), found `prometheus:9090`"),
        (["source": "prometheus", "url": "http://p:9090", "covers": "rack"], "--power-covers must be `node`, `gpus` or `cpus`, found `rack`"),
        (["source": "prometheus", "url": "http://p:9090", "label": "a.b"], "a Prometheus label name has letters, digits and `_` only, found `a.b`"),
        (["source": "rapl", "url": "http://p:9090"], "--prometheus-url goes with --power-source prometheus"),
        (["query": "up"], "--power-query goes with --power-source prometheus"),
        (["source": "rapl", "command": "ssh {node} nvidia-smi"], "--power-command goes with --power-source nvidia-smi"),
        (["source": "nvidia-smi", "command": "ssh node-{node} nvidia-smi"], "--power-command: power command argument `node-{node}`: `{node}` must be a whole argument"),
        (["source": "nvidia-smi", "command": "ssh gpu01 nvidia-smi"], "--power-command: a power command needs `{node}`"),
        (["source": "prometheus", "url": "http://p:9090", "node": "vm"], "--power-node names the Slurm node of this machine, for --power-source rapl or nvidia-smi without --power-command"),
        (["source": "rapl", "node": "vm;reboot"], "--power-node: refused node `vm;reboot`"),
    ])
    func badOptionsAreClearErrors(_ given: [String: String], _ message: String) {
        let out = live { o in
            o.power.source = given["source"]
            o.power.prometheusURL = given["url"]
            o.power.query = given["query"]
            o.power.label = given["label"]
            o.power.covers = given["covers"]
            o.power.command = given["command"].map { $0.split(separator: " ").map(String.init) }
            o.power.node = given["node"]
        }
        #expect(out.exitCode == 64)
        #expect(out.stderr.hasPrefix("error[C0101]: \(message)"), "\(out.stderr)")
    }

    @Test func powerOptionsNeedTheSlurmScheduler() {
        var o = RunCommand.Options()
        o.power.source = "rapl"
        let out = RunCommand.run(o)
        #expect(out.exitCode == 64)
        #expect(out.stderr == "error[C0101]: --power-source, --cap-command, --power-cap and their options go with --scheduler slurm (the simulator models node power itself)\n")
    }

    @Test func eachSourceIsBuilt() throws {
        func source(_ change: (inout PowerSourceOptions) -> Void) throws -> String? {
            var p = PowerSourceOptions()
            change(&p)
            return try p.telemetry().get().source?.name
        }
        #expect(try source { _ in } == nil, "the model alone by default")
        #expect(try source { $0.source = "model" } == nil)
        #expect(try source { $0.source = "rapl"; $0.node = "gpu-01" } == "rapl")
        #expect(try source { $0.source = "nvidia-smi" } == "nvidia-smi")
        #expect(try source { $0.source = "nvidia-smi"; $0.command = ["ssh", "{node}", "nvidia-smi"] } == "nvidia-smi")
        #expect(try source { $0.source = "prometheus"; $0.prometheusURL = "http://prom:9090"; $0.covers = "node" } == "prometheus")
    }

    /// A live run journals where node power came from, tick by tick, and `watt journal` says it;
    /// a journal written before the column existed (by the previous `watt`) opens, migrates and
    /// reads back without it.
    @Test func theJournalSaysWhereNodePowerCameFrom() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("watt-power-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        try FileManager.default.copyItem(atPath: Paths.fixture("journal-v3.db"), toPath: path)
        let old = JournalCommand.summary(path: path)
        #expect(old.exitCode == 0, "\(old.stderr)")
        #expect(old.stdout.contains("15 ticks") && !old.stdout.contains("node power from"), "\(old.stdout)")

        let slurm = SlurmScheduler(runner: FixtureSlurm(), site: .init(powerCap: 20_000))
        slurm.report = { _ in }
        let policy = SourceFile(name: "hot.watt", text: "rule hot { when true then drain nodes where state == \"on\" }")
        let journal = try Journal(path: path)
        var settings = RunSettings()
        settings.scheduler = .slurm
        settings.interval = 0.01
        settings.ticks = 2
        let summary = try LiveRun.run(scheduler: slurm, settings: settings, policies: [policy], watch: nil, journal: journal)
        #expect(summary.ticks == 2 && summary.failedSnapshots.isEmpty)
        #expect(summary.actions.first == "drain `vm`: applied, ran `scontrol update NodeName=vm State=DRAIN Reason=watt: hot`")
        let out = JournalCommand.summary(path: path)
        #expect(out.exitCode == 0)
        #expect(out.stdout.contains("2 ticks"))
        #expect(out.stdout.contains("node power from: model:1 (2 ticks)\n"), "\(out.stdout)")
        #expect(try journal.powerSources().map(\.ticks) == [2])
    }
}
