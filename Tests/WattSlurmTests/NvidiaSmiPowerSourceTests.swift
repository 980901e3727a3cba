import Foundation
import Testing
import WattCluster
@testable import WattSlurm

/// `nvidia-smi --query-gpu=index,power.draw --format=csv,noheader,nounits` prints one line per
/// GPU: `0, 71.53`; a GPU without a power reading prints `[N/A]` (older boards
/// `[Not Supported]`). These outputs follow NVIDIA's documented format: no GPU machine was
/// at hand to capture real ones.
@Suite struct NvidiaSmiPowerSourceTests {
    static let template = ["ssh", "-o", "BatchMode=yes", "{node}", "nvidia-smi", "--query-gpu=index,power.draw", "--format=csv,noheader,nounits"]

    static func node(_ id: String, gpus: Int = 2, state: NodeState = .on) -> World.Node {
        World.Node(id: id, pool: "gpu", profile: "dgx-h100-like", state: state, power: nil, powerCap: nil, utilization: 1, temperature: 0,
                   jobs: [], gpus: gpus, gpusFree: 0, cpus: 2, cpusFree: 0)
    }

    static func ok(_ stdout: String) -> CommandResult { CommandResult(status: 0, stdout: stdout, stderr: "") }

    /// A runner whose every command hangs until its timeout (really sleeping, up to 5 s).
    final class HangingRunner: CommandRunning, @unchecked Sendable {
        private let lock = NSLock()
        private(set) var timeouts: [Double] = []
        func run(_ arguments: [String], timeout: Double) -> CommandResult {
            lock.lock(); timeouts.append(timeout); lock.unlock()
            Thread.sleep(forTimeInterval: min(timeout, 5))
            return CommandResult(status: 137, stdout: "", stderr: "", timedOut: true)
        }
    }

    /// Issue 18: the tick's budget bounds the power commands too. Four hung nodes with a 10 s
    /// timeout each took 40 s; within 0.3 s the first gets 0.3 s and the rest are skipped,
    /// each named, and their nodes come from the model.
    @Test func hungCommandsStopAtTheTicksBudget() throws {
        let runner = HangingRunner()
        let smi = try NvidiaSmiPowerSource(runner: runner, template: Self.template)
        smi.parallelism = 1
        let survey = smi.measure([Self.node("n1"), Self.node("n2"), Self.node("n3"), Self.node("n4")], within: 0.3)
        #expect(survey.measured.isEmpty)
        #expect(runner.timeouts.count == 1 && runner.timeouts[0] <= 0.3)
        #expect(survey.problems.filter { $0.hasSuffix("skipped: the tick's budget for external commands was spent") }.count == 3,
                "\(survey.problems)")
    }

    @Test func perNodeCommandsSumTheGpus() throws {
        let runner = ScriptedRunner()
        runner.answer("ssh -o BatchMode=yes n1 ", Self.ok("0, 71.53\n1, 300.10\n"))
        runner.answer("ssh -o BatchMode=yes n2 ", Self.ok("0, 250.00\n1, [N/A]\n"))
        runner.answer("ssh -o BatchMode=yes n5 ", CommandResult(status: 255, stdout: "", stderr: "ssh: connect to host n5 port 22: Connection refused\n"))
        runner.answer("ssh -o BatchMode=yes n6 ", Self.ok("0, 80\n1, 90\n2, 100\n3, 110\n4, 120\n5, 130\n6, 140\n7, 150\n"))
        let smi = try NvidiaSmiPowerSource(runner: runner, template: Self.template)
        let nodes = [Self.node("n1"), Self.node("n2"), Self.node("n3", state: .suspended), Self.node("n4", gpus: 0),
                     Self.node("n5"), Self.node("n6", gpus: 8), Self.node("n7", state: .waking)]
        let survey = smi.measure(nodes)
        #expect(survey.measured.keys.sorted() == ["n1", "n6"])
        #expect(abs(survey.measured["n1"]!.watts - 371.63) < 1e-9 && survey.measured["n1"]!.covers == .gpus)
        #expect(survey.measured["n6"]?.watts == 920)
        #expect(survey.problems.sorted() == [
            "`ssh -o BatchMode=yes n5 nvidia-smi --query-gpu=index,power.draw --format=csv,noheader,nounits` failed: ssh: connect to host n5 port 22: Connection refused",
            "nvidia-smi on `n2`: GPU 1 power.draw is `[N/A]`",
        ])
        // Powered-down, booting and GPU-less nodes are not asked.
        #expect(Set(runner.ran.map { $0[3] }) == ["n1", "n2", "n5", "n6"])
        #expect(runner.ran.allSatisfy { $0.count == Self.template.count })
    }

    @Test(arguments: [("", "nvidia-smi on `n1` listed no GPUs"), ("0, [Not Supported]\n", "nvidia-smi on `n1`: GPU 0 power.draw is `[Not Supported]`"),
                      ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
                       "nvidia-smi on `n1` printed `NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.`, not `index, power.draw`"),
                      ("0, -5\n", "nvidia-smi on `n1`: GPU 0 power.draw is `-5`")])
    func unreadableOutputIsAProblem(_ output: String, _ problem: String) {
        #expect(NvidiaSmiPowerSource.parse(output, node: "n1") == .failure(SlurmError(problem)))
    }

    @Test func withoutATemplateItRunsHereForTheLocalNode() throws {
        let runner = ScriptedRunner()
        runner.answer("nvidia-smi", Self.ok("0, 120.5\n"))
        let smi = try NvidiaSmiPowerSource(runner: runner, node: "vm")
        #expect(smi.measure([Self.node("vm"), Self.node("n2")]).measured == ["vm": PowerMeasurement(watts: 120.5, covers: .gpus)])
        #expect(runner.ran == [NvidiaSmiPowerSource.query])
        #expect(smi.measure([Self.node("n2")]).problems.first?.hasPrefix("nvidia-smi runs on this machine, `vm`, which is not a Slurm node") == true)
    }

    /// Node names from Slurm are checked before they reach a command; templates are checked
    /// when given.
    @Test(arguments: ["a;reboot", "$(id)", "-oProxyCommand=x", "n 1", "n\n1"])
    func hostileNodeNamesNeverReachACommand(_ name: String) throws {
        let runner = ScriptedRunner()
        let smi = try NvidiaSmiPowerSource(runner: runner, template: Self.template)
        let survey = smi.measure([Self.node(name)])
        #expect(runner.ran.isEmpty)
        #expect(survey.measured.isEmpty && survey.problems.first?.hasPrefix("refused node") == true)
    }

    @Test func templatesAreChecked() {
        #expect(throws: SlurmError("a power command needs `{node}`, e.g. `ssh {node} nvidia-smi --query-gpu=index,power.draw --format=csv,noheader,nounits` (without one, `nvidia-smi` runs here for this node)")) {
            try NvidiaSmiPowerSource(template: ["ssh", "n1", "nvidia-smi"])
        }
        #expect(throws: SlurmError("power command argument `host-{node}`: `{node}` must be a whole argument")) {
            try NvidiaSmiPowerSource(template: ["ssh", "host-{node}", "nvidia-smi"])
        }
        #expect(throws: SlurmError.self) { try NvidiaSmiPowerSource(template: ["{node}"]) }
        #expect(throws: SlurmError.self) { try NvidiaSmiPowerSource(template: []) }
    }

    /// Through a real process: a stand-in for `nvidia-smi` that prints what it was given.
    @Test func realCommandsRunFromAnArgumentVector() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-smi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("fake-smi").path
        try "#!/bin/sh\n[ \"$1\" = n1 ] && printf '0, 100.25\\n1, 99.75\\n' || { echo \"unknown host $1\" >&2; exit 2; }\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let smi = try NvidiaSmiPowerSource(runner: ProcessRunner(), template: [script, "{node}"])
        let survey = smi.measure([Self.node("n1"), Self.node("n2")])
        #expect(survey.measured["n1"]?.watts == 200)
        #expect(survey.problems == ["`\(script) n2` failed: unknown host n2"])
    }
}
