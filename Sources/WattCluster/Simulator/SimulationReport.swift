import Foundation
import WattEnergy

/// What a run cost and did, from the start to `end`.
public struct SimulationReport: Sendable, Equatable, CustomStringConvertible {
    public var cluster: String
    public var start: Double
    public var end: Double
    /// IT energy, J (exact sum of the ticks).
    public var itEnergy: Double
    /// Facility energy, J.
    public var facilityEnergy: Double
    /// Carbon and cost of the facility energy: `Accounting.account` over the facility power
    /// trace with the grid's intensity and price.
    public var accounting: AccountingReport
    public var currency: String
    public var jobsInTrace: Int
    public var jobsSubmitted: Int
    public var jobsDone: Int
    public var jobsRunning: Int
    public var jobsQueued: Int
    public var jobsDeferred: Int
    public var jobsHeld: Int
    /// Done jobs that finished after their deadline.
    public var deadlinesMissed: Int
    /// Checkpoint-and-requeue events (preempt, or move of a running job).
    public var preemptions: Int
    /// Mean wait from submission to first start over jobs that started, s.
    public var meanWait: Double
    /// GPU-seconds allocated to jobs / GPU-seconds available over the run.
    public var gpuAllocation: Double
    /// Alerts raised.
    public var alerts: Int
    /// GPU work done, GPU-seconds at full speed on the reference GPU (a job's `duration` is
    /// this per GPU).
    public var gpuWork: Double = 0
    /// What GPU caps did to the work done (`CapSavings`).
    public var capSavings = CapSavings()
    /// What each mechanism saved, measured inside the run (`SavingsLedger`).
    public var savings = SavingsLedger()

    /// IT energy per GPU-hour of work done, J (nil when no GPU work was done).
    public var itEnergyPerGPUHour: Double? { gpuWork > 0 ? itEnergy / (gpuWork / 3600) : nil }
    public var carbonGrams: Double { accounting.grams }
    public var cost: Double { accounting.cost }

    public var description: String {
        func f(_ v: Double, _ digits: Int = 1) -> String {
            let p = pow(10.0, Double(digits))
            return ClusterText.number((v * p).rounded() / p)
        }
        let days = (end - start) / 86_400
        return """
        cluster \(cluster): \(f(days, 2)) days from \(ClusterText.instant(start))
        energy: IT \(f(SI.toKWh(itEnergy))) kWh, facility \(f(SI.toKWh(facilityEnergy))) kWh
        carbon: \(f(carbonGrams / 1000)) kg CO2e (\(AccountingReport.method))
        cost: \(f(cost, 2)) \(currency)
        jobs: \(jobsInTrace) in trace, \(jobsSubmitted) submitted, \(jobsDone) done, \(jobsRunning) running, \(jobsQueued) queued, \(jobsDeferred) deferred, \(jobsHeld) held
        deadlines missed: \(deadlinesMissed), preemptions: \(preemptions), mean wait: \(f(meanWait / 60)) min, GPU allocation: \(f(gpuAllocation * 100)) %
        work: \(f(gpuWork / 3600)) GPU-h, IT energy per GPU-h of work: \(itEnergyPerGPUHour.map { f(SI.toKWh($0), 3) + " kWh" } ?? "-")
        GPU caps saved \(f(SI.toKWh(capSavings.central))) kWh of GPU energy for the work done (cap model band \(f(SI.toKWh(capSavings.low))) to \(f(SI.toKWh(capSavings.high))) kWh)
        measured in the run: caps other than the configured ones saved \(f(SI.toKWh(savings.caps.itEnergy))) kWh, suspension \(f(SI.toKWh(savings.suspension.itEnergy))) kWh, moves between pools \(f(SI.toKWh(savings.moves.itEnergy))) kWh; deferrals moved \(f(SI.toKWh(savings.shifting.itEnergy))) kWh in time, saving \(f(savings.shifting.savings.grams / 1000)) kg CO2e
        """
    }
}

/// The GPU energy that capped jobs' work would have taken uncapped minus what it took under
/// the caps, J: `central` from the devices' cap response, `low` and `high` with its energy
/// per work moved by the response's band (`CapResponse.energyBand`: the leave-one-GPU-out
/// error, docs/hardware.md). The node's other power over the longer run time is not in it
/// (it is in the IT energy).
public struct CapSavings: Sendable, Equatable {
    public var central = 0.0
    public var low = 0.0
    public var high = 0.0
    public init(central: Double = 0, low: Double = 0, high: Double = 0) {
        self.central = central
        self.low = low
        self.high = high
    }
}

extension Simulator {
    /// The run so far. Carbon and cost come from `Accounting.account` over the facility
    /// power trace (a step function per tick: `maxGap: 0`, `.holdLast`), with the grid's
    /// carbon intensity and price as step series; energy with no intensity or price known
    /// is reported apart (`accounting.joulesWithoutIntensity`).
    public func report() -> SimulationReport {
        let samples = facilityPowerSamples()
        let intensity = cluster.grid.carbonIntensity.stepSeries(from: cluster.start, to: now)
        let price = cluster.grid.price.stepSeries(from: cluster.start, to: now)
        var accounting = Accounting.account(samples, intensity: intensity, price: price, maxGap: 0, gapPolicy: .holdLast)
        // Every tick is a "gap" of a zero-gap integration; they are not missing data.
        accounting.gaps = []
        var counts: [JobState: Int] = [:]
        var missed = 0, preemptions = 0, waited = 0.0, startedCount = 0
        for job in jobs {
            counts[job.state, default: 0] += 1
            if job.state == .done, let d = job.spec.deadline, let f = job.finished, f > cluster.start + d { missed += 1 }
            preemptions += job.preemptions
            if let s = job.started { waited += s - job.submitted; startedCount += 1 }
        }
        let capacity = Double(pools.reduce(0) { $0 + $1.gpus * $1.nodes.count }) * (now - cluster.start)
        return SimulationReport(
            cluster: cluster.name, start: cluster.start, end: now, itEnergy: itEnergy, facilityEnergy: facilityEnergy,
            accounting: accounting, currency: cluster.grid.currency, jobsInTrace: pending.count, jobsSubmitted: jobs.count,
            jobsDone: counts[.done] ?? 0, jobsRunning: counts[.running] ?? 0, jobsQueued: counts[.queued] ?? 0,
            jobsDeferred: counts[.deferred] ?? 0, jobsHeld: counts[.held] ?? 0, deadlinesMissed: missed,
            preemptions: preemptions, meanWait: startedCount > 0 ? waited / Double(startedCount) : 0,
            gpuAllocation: capacity > 0 ? gpuSecondsAllocated / capacity : 0, alerts: alerts.count,
            gpuWork: gpuWork, capSavings: capSavings, savings: savingsLedger())
    }
}
