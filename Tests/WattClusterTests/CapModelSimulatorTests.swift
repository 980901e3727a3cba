import Foundation
import Testing
import WattEnergy
@testable import WattCluster

/// The simulator uses each job's uncapped draw (from its utilization) with the cap model: a
/// job whose peak draw is under the cap runs and draws as if uncapped; the report counts the
/// work done and what the caps saved, with the model's band.
@Suite struct CapModelSimulatorTests {
    func run(cap: Double?, utilization: Double) -> Simulator {
        let sim = Fixture.simulator(Fixture.cluster([("default", "dgx-h100-like", 1)], gpuCap: cap),
                                    jobs: [Fixture.job("a", gpus: 8, duration: 3600, utilization: utilization)])
        sim.advance(by: 3 * 3600)
        return sim
    }

    @Test func aJobUnderTheCapIsNotSlowedAndDrawsWhatItDraws() throws {
        // 30 % utilization on an H100: 262.5 W uncapped, peak 1.25 × 262.5 = 328 W < 450 W.
        let free = run(cap: nil, utilization: 0.3), capped = run(cap: 450, utilization: 0.3)
        #expect(capped.job("a")?.finished == free.job("a")?.finished)
        #expect(capped.job("a")?.finished == Fixture.start + 3600)
        #expect(close(capped.itEnergy, free.itEnergy, relative: 1e-12))
        let report = capped.report()
        #expect(report.capSavings == CapSavings())
        #expect(close(report.gpuWork, 8 * 3600))
    }

    @Test func aHeavyJobIsSlowedAndTheSavingsHaveABand() throws {
        let free = run(cap: nil, utilization: 1), capped = run(cap: 450, utilization: 1)
        let h100 = DevicePowerModel(profile: Fixture.h100)
        let relative = h100.relativeThroughput(utilization: 1, capWatts: 450)
        #expect(relative < 0.95)
        let finished = try #require(capped.job("a")?.finished)
        #expect(close(finished - Fixture.start, 3600 / relative, relative: 1e-9))
        let s = capped.report().capSavings
        // Saved GPU energy: 8 GPUs × (700 W × 1 h − the capped power × the longer run).
        let expected = 8 * (700 * 3600 - h100.power(utilization: 1, capWatts: 450) * 3600 / relative)
        #expect(close(s.central, expected, relative: 1e-9))
        #expect(s.low < s.central && s.central < s.high)
        #expect(free.report().capSavings == CapSavings())
        #expect(close(capped.report().gpuWork, 8 * 3600, relative: 1e-9))
        #expect(capped.report().itEnergyPerGPUHour != nil)
    }

    @Test func runsStayDeterministic() {
        let a = run(cap: 400, utilization: 0.8).report(), b = run(cap: 400, utilization: 0.8).report()
        #expect(a == b)
    }
}
