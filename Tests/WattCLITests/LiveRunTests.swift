import Foundation
import Testing

/// `watt run --scheduler slurm` against fake `squeue` and `sinfo` commands that count their
/// calls: one scheduler snapshot per tick, journal and metrics included (each snapshot is a
/// sweep of the controller).
@Suite struct LiveRunTests {
    @Test(arguments: [1, 5]) func oneSqueueCallPerTick(_ ticks: Int) throws {
        let dir = try CrashRecoveryTests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixtures = Paths.root.appendingPathComponent("Tests/WattSlurmTests/Fixtures")
        for (command, fixture) in [("squeue", "squeue.json"), ("sinfo", "sinfo.json")] {
            let script = dir.appendingPathComponent(command)
            let text = """
                #!/bin/sh
                echo call >> '\(dir.path)/\(command).calls'
                cat '\(fixtures.appendingPathComponent(fixture).path)'
                """
            try text.write(to: script, atomically: true, encoding: .utf8)
            chmod(script.path, 0o755)
        }
        let policy = dir.appendingPathComponent("quiet.watt")
        try "rule quiet { when site.power > 1 GW then alert \"never\" }\n".write(to: policy, atomically: true, encoding: .utf8)
        let path = dir.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let run = try runWatt(["run", policy.path, "--scheduler", "slurm", "--interval", "10ms", "--ticks", "\(ticks)",
                               "--journal", dir.appendingPathComponent("live.db").path,
                               "--metrics-file", dir.appendingPathComponent("watt.prom").path],
                              environment: ["PATH": path])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("\(ticks) ticks every 0.01 s"), "\(run.stdout)")
        for command in ["squeue", "sinfo"] {
            let calls = (try? String(contentsOf: dir.appendingPathComponent("\(command).calls"), encoding: .utf8)) ?? ""
            #expect(calls.split(separator: "\n").count == ticks, "`\(command)` ran \(calls.split(separator: "\n").count) times for \(ticks) ticks")
        }
    }
}
