import Foundation

/// Synthetic job traces with the shapes published GPU-cluster studies report (docs/cluster.md
/// says which are taken from the studies and which numbers are assumptions):
///
/// - arrivals: a non-homogeneous Poisson process with a diurnal cycle and quieter weekends,
///   drawn by thinning (Lewis and Shedler);
/// - durations: log-normal per job class, heavy-tailed, clamped at a class maximum;
/// - GPUs: skewed to 1, with some 2-, 4- and 8-GPU jobs;
/// - a mix of flexible, preemptible batch training and inflexible inference and interactive
///   work; users drawn from a Zipf law (a few heavy users).
///
/// The same parameters (seed included) give the same trace, bit for bit.
public struct TraceGenerator: Sendable {
    /// A kind of job and how its attributes are drawn.
    public struct JobClass: Sendable, Equatable {
        public var name: String
        /// Share of the jobs (relative weight).
        public var share: Double
        /// GPU counts and their relative weights.
        public var gpus: [GPUWeight]
        /// Median run time at full speed, s, and the log-normal shape σ.
        public var medianDuration: Double
        public var sigma: Double
        /// Run times are clamped to [60 s, maxDuration].
        public var maxDuration: Double
        /// GPU utilization is uniform in this range.
        public var utilization: ClosedRange<Double>
        public var flexible: Bool
        /// Chance that a job of the class is preemptible.
        public var preemptibleShare: Double
        /// Priority, uniform in this range.
        public var priority: ClosedRange<Int>
        /// Chance of a deadline; it is `submit + slack × duration + deadlineMargin`, slack
        /// uniform in `deadlineSlack`.
        public var deadlineShare: Double
        public var deadlineSlack: ClosedRange<Double>
        public var deadlineMargin: Double
        /// Pools and their relative weights; empty = the cluster's default pool.
        public var pools: [PoolWeight]

        public init(name: String, share: Double, gpus: [GPUWeight], medianDuration: Double, sigma: Double,
                    maxDuration: Double, utilization: ClosedRange<Double>, flexible: Bool, preemptibleShare: Double,
                    priority: ClosedRange<Int>, deadlineShare: Double = 0, deadlineSlack: ClosedRange<Double> = 2...4,
                    deadlineMargin: Double = 6 * 3600, pools: [PoolWeight] = []) {
            self.name = name
            self.share = share
            self.gpus = gpus
            self.medianDuration = medianDuration
            self.sigma = sigma
            self.maxDuration = maxDuration
            self.utilization = utilization
            self.flexible = flexible
            self.preemptibleShare = preemptibleShare
            self.priority = priority
            self.deadlineShare = deadlineShare
            self.deadlineSlack = deadlineSlack
            self.deadlineMargin = deadlineMargin
            self.pools = pools
        }

        /// Expected GPUs × clamped duration, GPU·s.
        var expectedGPUSeconds: Double {
            let total = gpus.reduce(0) { $0 + $1.weight }
            let meanGPUs = gpus.reduce(0) { $0 + Double($1.gpus) * $1.weight } / total
            return max(meanGPUs, 0.1) * TraceGenerator.clampedLogNormalMean(median: medianDuration, sigma: sigma, max: maxDuration)
        }
    }

    public struct GPUWeight: Sendable, Equatable {
        public var gpus: Int
        public var weight: Double
        public init(_ gpus: Int, _ weight: Double) { self.gpus = gpus; self.weight = weight }
    }

    public struct PoolWeight: Sendable, Equatable {
        public var pool: String
        public var weight: Double
        public init(_ pool: String, _ weight: Double) { self.pool = pool; self.weight = weight }
    }

    public var seed: UInt64
    /// The instant submit offsets count from (the cluster's `start`), s since epoch; it
    /// places the diurnal and weekly cycles.
    public var start: Double
    /// Length of the trace, s.
    public var duration: Double
    /// The GPUs the offered load is relative to.
    public var gpuCapacity: Int
    /// Mean GPU demand as a share of `gpuCapacity` (in reference-GPU time): arrivals are
    /// scaled so that rate × E[GPUs × duration] = load × capacity.
    public var offeredLoad: Double
    /// Relative amplitude of the daily cycle of arrivals (0 = flat).
    public var diurnalAmplitude: Double
    /// Hour of the day (UTC) with the most submissions.
    public var peakHour: Double
    /// Arrival rate on Saturdays and Sundays relative to weekdays.
    public var weekendFactor: Double
    public var users: Int
    /// Zipf exponent of user activity.
    public var userSkew: Double
    /// CPU cores per GPU of a GPU job (at least 1 core).
    public var cpusPerGPU: Int
    public var classes: [JobClass]

    public init(seed: UInt64 = 1, start: Double, duration: Double = 7 * 86_400, gpuCapacity: Int = 1000,
                offeredLoad: Double = 0.6, diurnalAmplitude: Double = 0.5, peakHour: Double = 14,
                weekendFactor: Double = 0.6, users: Int = 60, userSkew: Double = 1.1, cpusPerGPU: Int = 8,
                classes: [JobClass] = TraceGenerator.defaultClasses) {
        self.seed = seed
        self.start = start
        self.duration = duration
        self.gpuCapacity = gpuCapacity
        self.offeredLoad = offeredLoad
        self.diurnalAmplitude = diurnalAmplitude
        self.peakHour = peakHour
        self.weekendFactor = weekendFactor
        self.users = users
        self.userSkew = userSkew
        self.cpusPerGPU = cpusPerGPU
        self.classes = classes
    }

    /// The default mix (shapes from the PAI and Philly studies; numbers are assumptions, see
    /// docs/cluster.md): training is flexible and preemptible, runs long and uses more GPUs;
    /// inference and interactive jobs are inflexible, short, mostly on one GPU, and keep their
    /// GPUs less busy.
    public static let defaultClasses: [JobClass] = [
        JobClass(name: "training", share: 0.55,
                 gpus: [GPUWeight(1, 0.55), GPUWeight(2, 0.15), GPUWeight(4, 0.15), GPUWeight(8, 0.15)],
                 medianDuration: 1.5 * 3600, sigma: 1.5, maxDuration: 3 * 86_400, utilization: 0.6...1.0,
                 flexible: true, preemptibleShare: 0.9, priority: 1...3, deadlineShare: 0.3, deadlineSlack: 2...6,
                 pools: [PoolWeight("batch", 0.6), PoolWeight("default", 0.4)]),
        JobClass(name: "inference", share: 0.25,
                 gpus: [GPUWeight(1, 0.85), GPUWeight(2, 0.10), GPUWeight(4, 0.05)],
                 medianDuration: 30 * 60, sigma: 1.2, maxDuration: 86_400, utilization: 0.2...0.6,
                 flexible: false, preemptibleShare: 0, priority: 5...7, pools: [PoolWeight("default", 1)]),
        JobClass(name: "interactive", share: 0.20,
                 gpus: [GPUWeight(1, 0.9), GPUWeight(2, 0.1)],
                 medianDuration: 45 * 60, sigma: 1.0, maxDuration: 12 * 3600, utilization: 0.05...0.4,
                 flexible: false, preemptibleShare: 0, priority: 4...6, pools: [PoolWeight("default", 1)]),
    ]

    /// Mean arrivals per second over whole weeks.
    public var meanArrivalRate: Double {
        let totalShare = classes.reduce(0) { $0 + $1.share }
        let gpuSeconds = classes.reduce(0) { $0 + $1.share / totalShare * $1.expectedGPUSeconds }
        return offeredLoad * Double(gpuCapacity) / gpuSeconds
    }

    /// Arrival rate at an instant relative to the mean (its mean over a week is 1).
    public func relativeRate(at t: Double) -> Double {
        let hour = (t.truncatingRemainder(dividingBy: 86_400) + 86_400).truncatingRemainder(dividingBy: 86_400) / 3600
        let day = Int(((t / 86_400).rounded(.down)).truncatingRemainder(dividingBy: 7) + 7) % 7
        // 1970-01-01 was a Thursday: day 2 and 3 after it are Saturday and Sunday.
        let weekend = day == 2 || day == 3
        let shape = (1 + diurnalAmplitude * cos(2 * Double.pi * (hour - peakHour) / 24)) * (weekend ? weekendFactor : 1)
        return shape / ((5 + 2 * weekendFactor) / 7)
    }

    /// The trace, in submission order; ids `j000001`, `j000002`, …
    public func generate() -> [JobSpec] {
        var arrivals = SeededRandom(seed: seed, stream: 1)
        var attributes = SeededRandom(seed: seed, stream: 2)
        let rate = meanArrivalRate
        let maxRelative = (1 + diurnalAmplitude) * max(1, weekendFactor) / ((5 + 2 * weekendFactor) / 7)
        let lambdaMax = rate * maxRelative
        let classWeights = classes.map(\.share)
        let userWeights = (1...max(1, users)).map { 1 / pow(Double($0), userSkew) }
        var jobs: [JobSpec] = []
        guard rate > 0, rate.isFinite, lambdaMax > 0 else { return [] }
        var t = 0.0
        while true {
            t += arrivals.exponential(rate: lambdaMax)
            guard t < duration else { break }
            guard arrivals.uniform() * maxRelative < relativeRate(at: start + t) else { continue }
            let c = classes[attributes.pick(weights: classWeights)]
            let gpus = c.gpus[attributes.pick(weights: c.gpus.map(\.weight))].gpus
            let rawDuration = attributes.logNormal(median: c.medianDuration, sigma: c.sigma)
            let runTime = min(max(60, rawDuration), c.maxDuration).rounded()
            let lo = c.utilization.lowerBound, hi = c.utilization.upperBound
            let utilization = max(0.01, ((lo + (hi - lo) * attributes.uniform()) * 100).rounded() / 100)
            let preemptible = attributes.uniform() < c.preemptibleShare
            let priority = c.priority.lowerBound + Int(attributes.uniform() * Double(c.priority.count))
            let submit = t.rounded()
            var deadline: Double?
            if attributes.uniform() < c.deadlineShare {
                let slack = c.deadlineSlack.lowerBound + (c.deadlineSlack.upperBound - c.deadlineSlack.lowerBound) * attributes.uniform()
                deadline = (submit + slack * runTime + c.deadlineMargin).rounded()
            }
            let pool = c.pools.isEmpty ? nil : c.pools[attributes.pick(weights: c.pools.map(\.weight))].pool
            let user = attributes.pick(weights: userWeights) + 1
            let id = "j" + String(jobs.count + 1).leftPadded(6)
            jobs.append(JobSpec(id: id, submit: submit, user: "u" + String(user).leftPadded(2), pool: pool, gpus: gpus,
                                cpus: max(1, gpus * cpusPerGPU), duration: runTime, utilization: utilization,
                                flexible: c.flexible, preemptible: preemptible, deadline: deadline, priority: priority))
        }
        return jobs
    }

    /// The trace as CSV (`JobTrace` format) with a comment header that records the
    /// parameters, so a file can be regenerated and checked.
    public func csv() -> String {
        func pct(_ v: Double) -> String { ClusterText.number((v * 1000).rounded() / 10) + " %" }
        let total = classes.reduce(0) { $0 + $1.share }
        var lines = [
            "Synthetic job trace generated by WattCluster.TraceGenerator (docs/cluster.md: shapes from the",
            "Alibaba PAI 2020 and Microsoft Philly studies; the numbers are assumptions, not fits).",
            "seed \(seed), start \(ClusterText.instant(start)), \(ClusterText.number(duration / 86_400)) days, \(gpuCapacity) GPUs, offered load \(pct(offeredLoad)),",
            "diurnal amplitude \(pct(diurnalAmplitude)) peaking at \(ClusterText.number(peakHour)):00 UTC, weekends × \(ClusterText.number(weekendFactor)), \(users) users (Zipf \(ClusterText.number(userSkew))), \(cpusPerGPU) CPUs per GPU.",
        ]
        for c in classes {
            let gpuText = c.gpus.map { "\($0.gpus): \(ClusterText.number($0.weight))" }.joined(separator: ", ")
            lines.append("\(c.name): \(pct(c.share / total)) of jobs, \(c.flexible ? "flexible" : "inflexible"), GPUs {\(gpuText)}, median \(ClusterText.number(c.medianDuration)) s, sigma \(ClusterText.number(c.sigma)), max \(ClusterText.number(c.maxDuration)) s.")
        }
        lines.append("Times are seconds after the cluster's start; durations at full speed on an uncapped reference GPU.")
        return JobTrace.csv(generate(), comment: lines.joined(separator: "\n"))
    }

    /// E[min(X, max)] for X log-normal with the given median and σ, X ≥ 60 s ignored.
    static func clampedLogNormalMean(median: Double, sigma: Double, max c: Double) -> Double {
        guard sigma > 0 else { return min(median, c) }
        let mu = log(median)
        func phi(_ x: Double) -> Double { 0.5 * erfc(-x / 1.4142135623730951) }
        let lnc = log(c)
        return exp(mu + sigma * sigma / 2) * phi((lnc - mu - sigma * sigma) / sigma) + c * (1 - phi((lnc - mu) / sigma))
    }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
