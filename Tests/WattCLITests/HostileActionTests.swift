import Foundation
import Testing

/// Action values a policy can produce but no cluster can honour (`for 1e300 h`, `at 1e300 W`)
/// never trap (an `Int(x)` of such a value used to crash `watt run`) and never reach the
/// scheduler: they are stopped by `action_bounds` and the journal says why
/// (`ActionBoundsTests` checks every bound).
@Suite struct HostileActionTests {
    @Test func absurdDurationsAndPowersDoNotCrashARun() throws {
        let dir = try CrashRecoveryTests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let policy = dir.appendingPathComponent("huge.watt")
        try """
        rule forever { when true then defer jobs where state == "queued" for 1e300 h }
        rule absurd_cap { when true then cap nodes where pool == "batch" at 1e300 W }
        """.write(to: policy, atomically: true, encoding: .utf8)
        let journal = dir.appendingPathComponent("run.db").path
        let run = try runWatt(["run", policy.path, "--cluster", "policies/fixtures/cluster.yaml", "--days", "0.02", "--journal", journal])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(#/actions applied +0 +0 /#), "\(run.stdout)")
        #expect(run.stdout.contains(#/guardrail stops +0 +[1-9][0-9]* /#), "\(run.stdout)")
        let explained = try runWatt(["explain", "batch-001", "--journal", journal])
        #expect(explained.status == 0)
        #expect(explained.stdout.contains("cap at 1e+300 W by rule `absurd_cap`: stopped, stopped by `action_bounds` (a cap of 1e+300 W per GPU is over the bound of 10000 W)"),
                "\(explained.stdout)")
    }
}
