import Foundation
import Testing
import WattEnergy
@testable import WattCluster

/// Each mechanism of `SavingsLedger` on a small case whose answer is known in closed form.
@Suite struct SavingsLedgerTests {
    let pue = 1.25
    let h100 = DevicePowerModel(profile: Fixture.h100)

    /// Grams of carbon of `it` joules of IT energy at `gPerKWh` and the fixture's PUE.
    func grams(_ it: Double, _ gPerKWh: Double) -> Double { it * pue * gPerKWh / 3.6e6 }

    /// A grid at 400 g/kWh for the first hour, then 100 g/kWh; a flat 0.2 EUR/kWh.
    var steppedGrid: GridDefinition {
        let series = try! StepSeries(times: [Fixture.start, Fixture.start + 3600],
                                     values: [SI.gramsPerKWh(400), SI.gramsPerKWh(100)], lastDuration: 30 * 86_400)
        return GridDefinition(region: "DE", carbonIntensity: .series(series), price: .constant(SI.perKWh(0.2)), currency: "EUR")
    }

    @Test func aNodeSuspendedForHoursSavesIdleMinusSuspendedPowerOverThem() throws {
        let behavior = NodeBehavior(suspendedPower: 50, suspendSeconds: 60, wakeSeconds: 300)
        let cluster = Fixture.cluster([("default", "dgx-h100-like", 2)], pue: .constant(pue), nodes: behavior)
        let sim = Fixture.simulator(cluster, jobs: [])
        let baseline = Fixture.simulator(cluster, jobs: [])
        #expect(sim.apply([Action(.suspend, targets: ["default-002"])]).first?.status == .applied)
        sim.advance(by: 3 * 3600)
        let idle = NodePowerModel(profile: Fixture.node("dgx-h100-like")).power(gpuUtilization: 0, cpuUtilization: 0)
        // Suspending takes 60 s at idle power: 3 h less 60 s at standby.
        let expected = (idle - 50) * (3 * 3600 - 60)
        let ledger = sim.report().savings
        #expect(close(ledger.suspension.itEnergy, expected, relative: 1e-12))
        #expect(close(ledger.suspendedSeconds, 3 * 3600 - 60))
        #expect(close(ledger.suspension.grams, grams(expected, 300), relative: 1e-9))
        #expect(close(ledger.suspension.cost, expected * pue * 0.2 / 3.6e6, relative: 1e-9))
        #expect(close(try #require(ledger.suspension.intensity), SI.gramsPerKWh(300), relative: 1e-9))
        // Nothing else changed: the baseline's energy minus the run's is exactly the suspension's.
        baseline.advance(by: 3 * 3600)
        #expect(close(baseline.itEnergy - sim.itEnergy, ledger.suspension.itEnergy, relative: 1e-9))
        #expect(ledger.caps == MechanismSavings() && ledger.moves == MechanismSavings() && ledger.shifting == ShiftedEnergy())

        // Waking draws idle power: no saving, no cost, while it wakes and after.
        _ = sim.apply([Action(.wake, targets: ["default-002"])])
        sim.advance(by: 3600)
        #expect(close(sim.report().savings.suspension.itEnergy, expected, relative: 1e-12))
    }

    @Test func aJobDeferredFromA400To100HourShiftsItsEnergyBy300() throws {
        let cluster = Fixture.cluster([("default", "dgx-h100-like", 1)], pue: .constant(pue), grid: steppedGrid)
        let job = Fixture.job("a", at: 300, gpus: 1, duration: 1800, cpus: 0)
        let sim = Fixture.simulator(cluster, jobs: [job])
        sim.placesArrivalsImmediately = false
        sim.step()
        #expect(sim.job("a")?.state == .queued)
        // Deferred at 5 min until the clean hour: it runs 1:00-1:30 instead of 0:05-0:35.
        #expect(sim.apply([Action(.deferUntil(Fixture.start + 3600), targets: ["a"])]).first?.status == .applied)
        sim.advance(by: 3 * 3600)
        #expect(sim.job("a")?.started == Fixture.start + 3600)
        let shift = sim.report().savings.shifting
        let moved = (h100.maxWatts - h100.idleWatts) * 1800
        #expect(close(shift.itEnergy, moved, relative: 1e-12))
        #expect(shift.jobs == 1)
        #expect(close(try #require(shift.from.intensity), SI.gramsPerKWh(400), relative: 1e-9))
        #expect(close(try #require(shift.to.intensity), SI.gramsPerKWh(100), relative: 1e-9))
        #expect(close(shift.savings.grams, grams(moved, 300), relative: 1e-9))
        // The same energy at the same PUE and price: no energy or cost moved.
        #expect(abs(shift.savings.facilityEnergy) < 1e-6 && abs(shift.savings.cost) < 1e-9)
        #expect(shift.savings.itEnergy == 0)
    }

    @Test func aJobNotDeferredShiftsNothing() {
        let cluster = Fixture.cluster([("default", "dgx-h100-like", 1)], pue: .constant(pue), grid: steppedGrid)
        let sim = Fixture.simulator(cluster, jobs: [Fixture.job("a", at: 300, gpus: 1, duration: 1800, cpus: 0)])
        sim.advance(by: 3 * 3600)
        #expect(sim.report().savings == SavingsLedger())
    }

    @Test func aPolicyCapSavesAgainstTheConfiguredCap() throws {
        // Configured 450 W; a policy caps the node at 300 W before the job starts.
        let cluster = Fixture.cluster([("default", "dgx-h100-like", 1)], pue: .constant(pue), gpuCap: 450)
        let sim = Fixture.simulator(cluster, jobs: [Fixture.job("a", at: 300, gpus: 8, duration: 3600, cpus: 0)])
        #expect(sim.apply([Action(.cap(watts: 300), targets: ["default-001"])]).first?.status == .applied)
        sim.advance(by: 4 * 3600)
        let rel300 = h100.relativeThroughput(utilization: 1, capWatts: 300)
        let rel450 = h100.relativeThroughput(utilization: 1, capWatts: 450)
        // The work of one 8-GPU hour at full speed, at 450 W and at 300 W.
        let expected = 8 * 3600 * (h100.power(utilization: 1, capWatts: 450) / rel450 - h100.power(utilization: 1, capWatts: 300) / rel300)
        let ledger = sim.report().savings
        #expect(expected > 0)
        #expect(close(ledger.caps.itEnergy, expected, relative: 1e-9))
        #expect(ledger.capsLow < ledger.caps.itEnergy && ledger.caps.itEnergy < ledger.capsHigh)
        #expect(close(ledger.caps.grams, grams(expected, 300), relative: 1e-9))

        // The configured cap alone is the baseline's: nothing attributed to policies.
        let configured = Fixture.simulator(cluster, jobs: [Fixture.job("a", at: 300, gpus: 8, duration: 3600, cpus: 0)])
        configured.advance(by: 4 * 3600)
        #expect(configured.report().savings.caps == MechanismSavings())
        #expect(configured.report().capSavings.central > 0)
    }

    @Test func onAnUncappedPoolPolicyCapsAreWhatCapSavingsCounts() {
        let cluster = Fixture.cluster([("default", "dgx-h100-like", 1)], pue: .constant(pue))
        let sim = Fixture.simulator(cluster, jobs: [Fixture.job("a", at: 300, gpus: 8, duration: 3600)])
        _ = sim.apply([Action(.cap(watts: 400), targets: ["default-001"])])
        sim.advance(by: 4 * 3600)
        let report = sim.report()
        #expect(close(report.savings.caps.itEnergy, report.capSavings.central, relative: 1e-9))
        #expect(close(report.savings.capsLow, report.capSavings.low, relative: 1e-9))
        #expect(close(report.savings.capsHigh, report.capSavings.high, relative: 1e-9))
    }

    @Test func aJobMovedToACappedPoolSavesItsWorksEnergyThere() throws {
        var cluster = Fixture.cluster([("default", "dgx-h100-like", 1)], pue: .constant(pue))
        cluster.pools.append(PoolDefinition(name: "efficient", node: Fixture.node("hgx-h200-like"), count: 1, gpuCap: 450))
        let sim = Fixture.simulator(cluster, jobs: [Fixture.job("a", at: 300, gpus: 8, duration: 3600, cpus: 0)])
        sim.placesArrivalsImmediately = false
        sim.step()
        #expect(sim.apply([Action(.move(to: .pool("efficient")), targets: ["a"])]).first?.status == .applied)
        sim.advance(by: 4 * 3600)
        #expect(sim.job("a")?.state == .done)
        let h200 = DevicePowerModel(profile: try HardwareCatalog.builtIn.device(named: "h200-sxm-141gb"))
        // One 8-GPU hour of work: above idle on an uncapped H100, and on an H200 at 450 W.
        let rel = h200.relativeThroughput(utilization: 1, capWatts: 450)
        let expected = 8 * 3600 * ((h100.maxWatts - h100.idleWatts)
                                   - (h200.power(utilization: 1, capWatts: 450) - h200.power(utilization: 0, capWatts: 450)) / rel)
        let ledger = sim.report().savings
        #expect(expected > 0)
        #expect(close(ledger.moves.itEnergy, expected, relative: 1e-9))
        #expect(ledger.jobsMoved == 1)
        // The efficient pool's cap is configured, not a policy's.
        #expect(ledger.caps == MechanismSavings())
    }

    @Test func ratesOverATickIntegrateAsTheAccountingDoes() throws {
        // A series with a gap (NaN) and an end, a tariff with its daily wrap, odd spans that
        // cross their steps.
        let series = try StepSeries(times: [0, 900, 1800, 2700], values: [SI.gramsPerKWh(300), .nan, SI.gramsPerKWh(120), SI.gramsPerKWh(80)],
                                    lastDuration: 900)
        let tariff: [TimeOfUseStep] = [TimeOfUseStep(secondOfDay: 7 * 3600, rate: SI.perKWh(0.26)),
                                       TimeOfUseStep(secondOfDay: 20 * 3600, rate: SI.perKWh(0.14))]
        for model in [RateModel.series(series), .timeOfUse(tariff), .constant(SI.gramsPerKWh(250))] {
            let spans: [(Double, Double)] = [(-500, 400), (600, 2000), (850, 3700), (3000, 9000), (23_400, 26_100), (71_640, 111_600)]
            for (a, b) in spans {
                let unit = Accounting.account([PowerSample(time: a, watts: 1), PowerSample(time: b, watts: 1)],
                                              intensity: model.stepSeries(from: a, to: b), maxGap: .infinity)
                let integral = model.integral(from: a, to: b)
                #expect(close(integral.sum, unit.grams, relative: 1e-12), "\(model) over \(a)–\(b)")
                #expect(close(integral.known, b - a - unit.joulesWithoutIntensity, relative: 1e-12), "\(model) over \(a)–\(b)")
            }
        }
    }

    @Test func ledgersStayDeterministic() {
        func run() -> SimulationReport {
            let cluster = Fixture.cluster([("default", "dgx-h100-like", 3)], pue: .constant(pue), grid: steppedGrid)
            let sim = Fixture.simulator(cluster, jobs: Fixture.syntheticJobs(gpus: 24, days: 0.5))
            sim.placesArrivalsImmediately = false
            var deferred: Set<String> = []
            for k in 0..<144 {
                let world = sim.snapshot()
                // Each flexible job deferred once, half an hour.
                let queued = world.jobs.filter { $0.state == .queued && $0.flexible && !deferred.contains($0.id) }.prefix(2).map(\.id)
                deferred.formUnion(queued)
                var actions: [Action] = []
                if !queued.isEmpty { actions.append(Action(.deferFor(1800), targets: Array(queued))) }
                if k % 12 == 0 { actions.append(Action(.cap(watts: k % 24 == 0 ? 350 : 600), targets: ["default-001"])) }
                _ = sim.apply(actions)
                sim.step()
            }
            return sim.report()
        }
        let a = run(), b = run()
        #expect(a == b)
        #expect(a.savings.shifting.itEnergy > 0)
        #expect(a.savings.caps.itEnergy != 0)
    }
}
