import Foundation
import Testing
import WattEnergy
@testable import WattCluster

/// The physics and the scheduling of the simulator, against closed forms.
@Suite struct SimulatorModelTests {
    @Test func nodePowerIsTheNodePowerModel() {
        // Eight 1-GPU jobs at 60 % fill every GPU and every core: the node model at u = 0.6.
        for cap in [nil, 400.0] {
            let jobs = (1...8).map { Fixture.job("j\($0)", gpus: 1, duration: 36_000, utilization: 0.6, cpus: 16) }
            let sim = Fixture.simulator(Fixture.cluster([("default", "dgx-h100-like", 1)], gpuCap: cap), jobs: jobs)
            let node = sim.snapshot().nodes[0]
            let model = NodePowerModel(profile: Fixture.node("dgx-h100-like"))
            #expect(close(node.power!, model.power(gpuUtilization: 0.6, cpuUtilization: 1, gpuCapWatts: cap)))
            #expect(close(node.utilization, 0.6))
            #expect(node.gpusFree == 0 && node.cpusFree == 0 && node.state == .on)
        }
        // An idle node is the profile's idle power; a suspended one its standby power.
        let sim = Fixture.simulator(jobs: [])
        #expect(sim.snapshot().nodes[0].power == Fixture.node("dgx-h100-like").idleW)
    }

    @Test func jobsRunAtTheSpeedOfTheirCappedGPUs() throws {
        // Uncapped, an hour of work takes an hour; at 350 W (half of 700 W) the H100 keeps
        // 0.7648 of its throughput at full load (the zeus-pooled knot at cap ratio 0.5), so it
        // takes 3600 / 0.7648 s.
        let full = Fixture.simulator(jobs: [Fixture.job("a", gpus: 8, duration: 3600)])
        full.advance(by: 7200)
        #expect(full.job("a")?.finished == Fixture.start + 3600)
        let capped = Fixture.simulator(Fixture.cluster(gpuCap: 350), jobs: [Fixture.job("a", gpus: 8, duration: 3600)])
        #expect(capped.snapshot().job("a")!.remainingTime == 3600 / 0.7648)
        capped.advance(by: 7200)
        let finished = try #require(capped.job("a")?.finished)
        #expect(close(finished - Fixture.start, 3600 / 0.7648, relative: 1e-9))
        // Less power for longer: less energy for the same work at this cap.
        #expect(capped.itEnergy < full.itEnergy)
    }

    @Test func poolsRunAtTheirGPUsPeakRelativeToTheReference() throws {
        let sim = Fixture.simulator(Fixture.cluster([("default", "dgx-h100-like", 1), ("efficient", "l40s-4gpu", 1)]),
                                    jobs: [Fixture.job("a", gpus: 1, duration: 1000, pool: "efficient")])
        // Built in code, a pool's speed is what it is given (1); files derive it from peak FLOPS.
        sim.advance(by: 3000)
        #expect(sim.job("a")?.finished == Fixture.start + 1000)
        let file = try ClusterDefinition.load(path: Fixture.path("examples/clusters/small.yaml"))
        #expect(close(file.pools[1].speed, 362.05 / 989.5))
    }

    @Test func suspendAndWakeTakeTimeAndEnergy() {
        let sim = Fixture.simulator(Fixture.cluster([("default", "dgx-h100-like", 1)]), jobs: [Fixture.job("late", at: 600, gpus: 1, duration: 600)])
        let idle = Fixture.node("dgx-h100-like").idleW
        _ = sim.apply([.suspend(nodes: ["default-001"])])
        #expect(sim.snapshot().node("default-001")?.power == idle)      // still suspending
        sim.step()
        // 60 s of suspending at idle power, then 240 s at 50 W.
        #expect(sim.powerTrace[0].itPower * 300 == idle * 60 + 50 * 240)
        #expect(sim.snapshot().node("default-001")?.power == 50)
        sim.step(); sim.step()
        // The job arrived at 600 s and waits: a suspended node runs nothing.
        #expect(sim.snapshot().job("late")?.state == .queued)
        _ = sim.apply([.wake(nodes: ["default-001"])])
        #expect(sim.snapshot().node("default-001")?.state == .waking)
        #expect(sim.snapshot().node("default-001")?.power == idle)
        sim.step()
        #expect(sim.snapshot().node("default-001")?.state == .on)     // up after 300 s, job placed
        #expect(sim.snapshot().job("late")?.started == Fixture.start + 1200)
        #expect(sim.powerTrace[3].itPower == idle)
    }

    @Test func fifoByPriorityWithEASYBackfill() {
        // One 8-GPU node. `a` (4 GPUs, 2 h) runs; `big` (8 GPUs) waits and reserves the node
        // for when `a` ends; `short` (2 GPUs, 30 min) backfills because it ends before that;
        // `long` (2 GPUs, 3 h) would delay `big`, so it waits although 2 GPUs are free.
        let sim = Fixture.simulator(Fixture.cluster([("default", "dgx-h100-like", 1)]), jobs: [
            Fixture.job("a", gpus: 4, duration: 7200),
            Fixture.job("big", at: 10, gpus: 8, duration: 3600),
            Fixture.job("long", at: 20, gpus: 2, duration: 3 * 3600),
            Fixture.job("short", at: 30, gpus: 2, duration: 1800),
        ])
        sim.step()
        var w = sim.snapshot()
        #expect(w.job("a")?.state == .running)
        #expect(w.job("big")?.state == .queued)
        #expect(w.job("short")?.state == .running)
        #expect(w.job("long")?.state == .queued)
        sim.run(until: Fixture.start + 7200)
        w = sim.snapshot()
        #expect(w.job("big")?.state == .running && w.job("big")?.started == Fixture.start + 7200)
        #expect(w.job("long")?.state == .queued)
        // Higher priority first, whatever the order of submission.
        let p = Fixture.simulator(Fixture.cluster([("default", "dgx-h100-like", 1)]), jobs: [
            Fixture.job("first", gpus: 8, duration: 600),
            Fixture.job("low", at: 1, gpus: 8, duration: 600, priority: 1),
            Fixture.job("high", at: 2, gpus: 8, duration: 600, priority: 5),
        ])
        p.run(until: Fixture.start + 600)
        #expect(p.snapshot().job("high")?.state == .running)
        #expect(p.snapshot().job("low")?.state == .queued)
    }

    @Test func jobsAreSubmittedAtTheFirstTickAfterTheirTime() {
        let sim = Fixture.simulator(jobs: [Fixture.job("a", at: 1, gpus: 1, duration: 100)])
        #expect(sim.snapshot().jobs.isEmpty)
        #expect(sim.apply([.preempt(jobs: ["a"])])[0].detail == "job `a` is not submitted yet (it is submitted at 2020-01-06T00:00:01Z)")
        sim.step()
        let a = sim.snapshot().job("a")!
        #expect(a.state == .running && a.submitted == Fixture.start + 1 && a.started == Fixture.start + 300)
    }

    @Test func doneJobsStayVisibleForTheRetention() {
        let sim = Fixture.simulator(Fixture.cluster(jobs: JobBehavior(doneRetention: 600)), jobs: [Fixture.job("a", duration: 100)])
        sim.step()
        #expect(sim.snapshot().job("a")?.state == .done)
        #expect(sim.snapshot().job("a")?.finished == Fixture.start + 100)
        sim.step(); sim.step()
        #expect(sim.snapshot().job("a") == nil)
        #expect(sim.job("a")?.state == .done)
    }

    @Test func remainingEnergyIsTimeTimesTheJobsPower() {
        let sim = Fixture.simulator(jobs: [Fixture.job("a", gpus: 4, duration: 3600, utilization: 0.5, cpus: 32)])
        let a = sim.snapshot().job("a")!
        let h100 = DevicePowerModel(profile: Fixture.h100)
        let node = Fixture.node("dgx-h100-like")
        let added = 4 * (h100.power(utilization: 0.5) - h100.power(utilization: 0)) + 32.0 / 128 * 2 * (350 - 87.5)
        #expect(a.remainingTime == 3600)
        #expect(close(a.remainingEnergy, 3600 * (added + 0.5 * node.idleW)))
    }

    @Test func siteGridAndPUEFollowTheModels() throws {
        var cluster = Fixture.cluster(pue: .temperatureLinear(base: 1.1, threshold: 15, perDegree: 0.02, max: 1.5))
        cluster.outdoorTemperature = .diurnal(mean: 14, dailyAmplitude: 6, annualAmplitude: 0, peakHour: 15)
        let sim = Fixture.simulator(cluster, jobs: [])
        sim.run(until: Fixture.start + 15 * 3600)
        let w = sim.snapshot()
        #expect(close(w.site.outdoorTemperature!, 20))
        #expect(close(w.site.pue, 1.2))
        #expect(close(w.site.facilityPower, w.site.itPower * 1.2))
        #expect(w.site.powerCap == 100_000)
        #expect(w.grid.region == "DE" && w.grid.currency == "EUR")
        #expect(w.grid.carbonIntensity == SI.gramsPerKWh(300))
        #expect(w.pools.map(\.name) == ["default"] && w.pools[0].gpus == 16 && w.pools[0].gpusFree == 16)
    }

    @Test func demoClusterMapsOntoThe2020Series() throws {
        let cluster = try ClusterDefinition.load(path: Fixture.path("examples/clusters/demo.yaml"))
        let sim = try Simulator(cluster: cluster, jobs: [])
        let w = sim.snapshot()
        #expect(ClusterText.instant(w.now) == "2020-06-01T00:00:00Z")
        let rows = try GridCarbonCSV.samples(path: Fixture.path("examples/data/grid/ger_ci_2020.csv"))
        let row = try #require(rows.first { $0.time == w.now })
        #expect(w.grid.carbonIntensity == row.value / SI.joulesPerKWh)
        #expect(w.grid.price == SI.perKWh(0.14))
        sim.run(until: cluster.start + 7 * 3600)
        #expect(sim.snapshot().grid.price == SI.perKWh(0.26))
        #expect(cluster.gpuCount == 1000)
        #expect(w.nodes.count == 125 && w.nodes.allSatisfy { $0.state == .idle })
        #expect(w.nodes.filter { $0.pool == "efficient" }.allSatisfy { $0.powerCap == 450 })
    }
}
