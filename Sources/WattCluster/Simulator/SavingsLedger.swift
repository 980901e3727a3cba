import Foundation
import WattEnergy

/// The grid over one tick, to price energy a mechanism saved or moved: the PUE at the tick's
/// start (facility power uses it for the whole tick), and the carbon intensity and price
/// integrated over the tick as the run's accounting integrates them (a stretch with no known
/// intensity or price counts in neither).
public struct TickRates: Sendable, Equatable {
    public var time: Double
    public var pue: Double
    /// Grams per joule of facility energy over the tick (nothing over stretches with no intensity).
    public var gramsPerJoule: Double
    /// The share of the tick with a known intensity, 0…1.
    public var intensityKnown: Double
    /// Currency per joule of facility energy over the tick (nothing over stretches with no price).
    public var costPerJoule: Double
}

/// What one mechanism saved in a run, J, g and currency, measured tick by tick inside the run
/// against a counterfactual in the same run (positive: saved; negative: it cost). The IT energy
/// is priced at the tick it happened in: facility energy = IT × the tick's PUE, carbon at the
/// grid's average intensity then, cost at the price then.
public struct MechanismSavings: Sendable, Equatable {
    public var itEnergy = 0.0
    public var facilityEnergy = 0.0
    public var grams = 0.0
    public var cost = 0.0
    /// Facility energy saved over stretches with a known intensity, J: the weight of `intensity`.
    public var facilityEnergyWithIntensity = 0.0
    /// The same, in absolute value tick by tick: how much savings and costs cancel.
    public var grossEnergyWithIntensity = 0.0

    public init() {}

    /// The grid's average intensity at the times the savings happened, weighted by the energy
    /// saved, g/J: carbon saved / energy saved. Nil when nothing was saved, or when savings and
    /// costs nearly cancel (net under half the gross), where the ratio means nothing.
    public var intensity: Double? {
        let net = facilityEnergyWithIntensity
        guard net != 0, abs(net) >= 0.5 * grossEnergyWithIntensity, net.isFinite, grams.isFinite else { return nil }
        return grams / net
    }

    mutating func add(itJoules e: Double, _ r: TickRates) {
        let facility = e * r.pue
        itEnergy += e
        facilityEnergy += facility
        grams += facility * r.gramsPerJoule
        cost += facility * r.costPerJoule
        facilityEnergyWithIntensity += facility * r.intensityKnown
        grossEnergyWithIntensity += abs(facility * r.intensityKnown)
    }
}

/// Energy moved in time: the above-idle IT energy of deferred jobs' work, priced where it would
/// have run (as long earlier as the job spent deferred) and where it ran.
public struct ShiftedEnergy: Sendable, Equatable {
    /// Facility energy, its carbon and cost on one side of the move.
    public struct Side: Sendable, Equatable {
        public var facilityEnergy = 0.0
        public var grams = 0.0
        public var cost = 0.0
        public var facilityEnergyWithIntensity = 0.0
        public init() {}
        /// Average intensity of the energy on this side, g/J (nil when none).
        public var intensity: Double? {
            facilityEnergyWithIntensity > 0 && grams.isFinite ? grams / facilityEnergyWithIntensity : nil
        }
        mutating func add(itJoules e: Double, _ r: TickRates) {
            let facility = e * r.pue
            facilityEnergy += facility
            grams += facility * r.gramsPerJoule
            cost += facility * r.costPerJoule
            facilityEnergyWithIntensity += facility * r.intensityKnown
        }
    }

    /// IT energy moved, J.
    public var itEnergy = 0.0
    /// At the times the work would have run, and at the times it ran.
    public var from = Side()
    public var to = Side()
    /// Deferred jobs that did work after their deferral.
    public var jobs = 0
    public init() {}

    /// What the move saved: the IT energy is the same; facility energy, carbon and cost differ
    /// by the PUE, intensity and price at the two times.
    public var savings: MechanismSavings {
        var s = MechanismSavings()
        s.facilityEnergy = from.facilityEnergy - to.facilityEnergy
        s.grams = from.grams - to.grams
        s.cost = from.cost - to.cost
        s.facilityEnergyWithIntensity = from.facilityEnergyWithIntensity - to.facilityEnergyWithIntensity
        return s
    }
}

/// What each mechanism saved in a run, measured inside it tick by tick (docs/control.md, "The
/// report"). Each figure is exact for its own counterfactual; the change against a baseline
/// run also holds what these cannot see (queueing, placement, work not done), which the
/// report shows as the residual.
public struct SavingsLedger: Sendable, Equatable {
    /// GPU caps other than the pool's configured cap (set by policies): the GPU energy the
    /// work capped jobs did would have taken at the configured cap minus what it took, as
    /// `CapSavings` counts it (GPU energy, cap model). `capsLow`/`capsHigh`: the cap model's
    /// band, the half-widths at both caps added (their errors are not assumed to cancel).
    public var caps = MechanismSavings()
    public var capsLow = 0.0
    public var capsHigh = 0.0
    /// Suspended nodes: what an idle node draws minus what the node drew, over the time it
    /// was suspended. Suspending and waking draw idle power in the simulator: nothing beside
    /// idling (the wait for a waking node is queueing, outside this).
    public var suspension = MechanismSavings()
    /// Node-seconds spent suspended (after suspending).
    public var suspendedSeconds = 0.0
    /// Jobs running in another pool than the one they were submitted to: the above-idle
    /// energy of their work in the pool they came from (at its configured cap) minus in the
    /// pool they ran in (at its configured cap; caps are counted apart).
    public var moves = MechanismSavings()
    /// Jobs that ran in another pool than the one they were submitted to.
    public var jobsMoved = 0
    /// Deferred jobs' work, moved in time.
    public var shifting = ShiftedEnergy()
    public init() {}
}

extension Simulator {
    /// The grid over [t0, t0 + dt).
    func tickRates(from t0: Double, dt: Double) -> TickRates {
        let pue = cluster.pue.pue(outdoorTemperature: cluster.outdoorTemperature.value(at: t0))
        let intensity = cluster.grid.carbonIntensity.integral(from: t0, to: t0 + dt)
        let price = cluster.grid.price.integral(from: t0, to: t0 + dt)
        return TickRates(time: t0, pue: pue, gramsPerJoule: intensity.sum / dt,
                         intensityKnown: max(0, min(1, intensity.known / dt)), costPerJoule: price.sum / dt)
    }

    /// The grid over the tick that started at `t` (recorded, or computed for an instant
    /// between ticks).
    func rates(at t: Double) -> TickRates {
        let k = Int(((t - cluster.start) / cluster.tick).rounded())
        if k >= 0, k < ratesByTick.count, ratesByTick[k].time == t { return ratesByTick[k] }
        return tickRates(from: t, dt: cluster.tick)
    }

    /// Adds a job's work over `runTime` on a node of `pool` at `cap` to the ledger: policy
    /// caps, moves between pools and shifts in time.
    func accountSavings(_ j: Int, _ pool: PoolRecord, poolIndex p: Int, cap: Double?, speed s: Double, added: Double,
                        runTime: Double, at t0: Double, _ r: TickRates) {
        let configured = pool.definition.gpuCap
        if cap != configured, jobs[j].spec.gpus > 0, let gpu = pool.gpuModel {
            accountPolicyCap(j, gpu, cap: cap, configured: configured, runTime: runTime, r)
        }
        if p != jobs[j].origin {
            let origin = pools[jobs[j].origin]
            let work = s * runTime
            let there = speed(j, origin, cap: origin.definition.gpuCap)
            let here = speed(j, pool, cap: configured)
            if there > 0, here > 0 {
                let saved = work * (addedPower(j, origin, cap: origin.definition.gpuCap) / there - addedPower(j, pool, cap: configured) / here)
                ledger.moves.add(itJoules: saved, r)
            }
        }
        if jobs[j].deferredTime > 0 {
            let e = added * runTime
            ledger.shifting.itEnergy += e
            ledger.shifting.to.add(itJoules: e, r)
            ledger.shifting.from.add(itJoules: e, rates(at: t0 - jobs[j].deferredTime))
        }
    }

    /// A capped job's GPUs over `runTime` at `cap` against the pool's configured cap: the GPU
    /// energy the same work takes at the configured cap (its run time scales by the two caps'
    /// relative throughputs) minus what it took.
    func accountPolicyCap(_ j: Int, _ gpu: DevicePowerModel, cap: Double?, configured: Double?, runTime: Double, _ r: TickRates) {
        let u = jobs[j].spec.utilization, gpus = Double(jobs[j].spec.gpus)
        let draw = gpu.uncappedPower(utilization: u)
        let relative = gpu.relativeThroughput(utilization: u, capWatts: cap)
        let relativeConfigured = gpu.relativeThroughput(utilization: u, capWatts: configured)
        guard relativeConfigured > 0 else { return }
        let saved = gpus * (gpu.power(utilization: u, capWatts: configured) * relative / relativeConfigured
                            - gpu.power(utilization: u, capWatts: cap)) * runTime
        // Energy per work is known to ± the band times the uncapped energy of the work, at each cap.
        let uncappedEnergy = gpus * draw * relative * runTime
        func band(_ c: Double?) -> Double {
            c == nil ? 0 : gpu.response.energyBandHalfWidth(capW: gpu.effectiveCap(c), drawW: draw, maxW: gpu.maxWatts)
        }
        let half = uncappedEnergy * (band(cap) + band(configured))
        ledger.caps.add(itJoules: saved, r)
        ledger.capsLow += saved - half
        ledger.capsHigh += saved + half
    }

    /// A suspended node over a tick: an idle node's energy minus what it drew.
    func accountSuspension(idleEnergy: Double, drawn: Double, suspendedFor: Double, _ r: TickRates) {
        let saved = idleEnergy - drawn
        if saved != 0 { ledger.suspension.add(itJoules: saved, r) }
        ledger.suspendedSeconds += suspendedFor
    }

    func beginDeferral(_ j: Int) {
        if jobs[j].deferredSince == nil { jobs[j].deferredSince = now }
    }

    /// Ends a deferral (released, or put on hold): the time spent deferred moves the job's work.
    func endDeferral(_ j: Int) {
        if let since = jobs[j].deferredSince {
            jobs[j].deferredTime += now - since
            jobs[j].deferredSince = nil
        }
    }

    /// The ledger with the jobs counted.
    func savingsLedger() -> SavingsLedger {
        var l = ledger
        l.jobsMoved = jobs.indices.filter { jobs[$0].pool != jobs[$0].origin && jobs[$0].started != nil }.count
        l.shifting.jobs = jobs.filter { $0.deferredTime > 0 && ($0.state == .running || $0.state == .done) }.count
        return l
    }
}

extension MechanismSavings {
    /// Two mechanisms' savings together.
    public static func + (a: MechanismSavings, b: MechanismSavings) -> MechanismSavings {
        var s = MechanismSavings()
        s.itEnergy = a.itEnergy + b.itEnergy
        s.facilityEnergy = a.facilityEnergy + b.facilityEnergy
        s.grams = a.grams + b.grams
        s.cost = a.cost + b.cost
        s.facilityEnergyWithIntensity = a.facilityEnergyWithIntensity + b.facilityEnergyWithIntensity
        s.grossEnergyWithIntensity = a.grossEnergyWithIntensity + b.grossEnergyWithIntensity
        return s
    }
}

extension RateModel {
    /// ∫ rate dt over [a, b) where the rate is known, and how long it is known, s: the
    /// integral `Accounting.account` takes of a constant power over the model's step series,
    /// without building one (the simulator takes it every tick, allocation-free).
    func integral(from a: Double, to b: Double) -> (sum: Double, known: Double) {
        var sum = 0.0, known = 0.0, t = a
        while t < b {
            var next = min(b, nextChange(after: t))
            if !(next > t) { next = b }
            if let v = value(at: t) {
                sum += v * (next - t)
                known += next - t
            }
            t = next
        }
        return (sum, known)
    }

    /// The first instant after `t` where the rate may change.
    func nextChange(after t: Double) -> Double {
        switch self {
        case .constant:
            return .infinity
        case .series(let s):
            if t < s.start { return s.start }
            guard let i = s.index(at: t) else { return .infinity }
            return i + 1 < s.times.count ? s.times[i + 1] : s.end
        case .timeOfUse(let steps):
            guard let first = steps.first else { return .infinity }
            let day = (t / 86_400).rounded(.down) * 86_400
            for step in steps where day + step.secondOfDay > t { return day + step.secondOfDay }
            return day + 86_400 + first.secondOfDay
        }
    }
}
