import Foundation

/// Carbon timing for one job of a running cluster, decided now and again at every tick on the
/// newest forecast (receding horizon): should the job wait (a queued job: start later; a
/// running interruptible one: checkpoint now, resume later) or run now?
///
/// The window. A job may end no later than
/// - its deadline less a margin (`deadlineMargin` of its remaining time, plus `deadlineSlack`
///   and one checkpoint), since run times are estimates and a released job may queue;
/// - its submission plus its length plus its wait allowance: `min(budget, share × length)`,
///   where length = time run so far + remaining time. The allowance is counted from the
///   submission, so however often a job is planned, held and planned again, its completion is
///   delayed by at most the allowance in all (queueing included). `share` weighs the delay
///   against the job's length: a 20-minute job may wait minutes, a day-long one hours, which is
///   what bounds the slowdown (completion time over length) each shift adds.
/// Only the first `horizon` of the window is planned; a job longer than that must do in it the
/// work that lets it still finish in time running continuously afterwards.
///
/// The decision. `ShiftPlanner` plans the job's work on the forecast at `step` resolution: the
/// lowest-carbon start, or for an interruptible job the lowest-carbon steps with each resume
/// charged its checkpoint overhead (at full power); the plan is kept only when its expected
/// saving over running now exceeds `confidence` times the saving's standard deviation under
/// the forecast's errors. On a flat forecast no plan saves anything: nothing moves.
public struct JobTiming: Sendable, Equatable {
    /// The longest a job's completion may be delayed in all, s.
    public var budget: Double
    /// ... and at most this share of its length.
    public var share: Double
    /// The saving must exceed this many standard deviations (ShiftPlanner's `confidence`).
    public var confidence: Double
    /// Planning resolution, s (a multiple of the forecast's step, rounded).
    public var step: Double
    /// The longest look-ahead, s.
    public var horizon: Double
    /// Margin before a deadline: this share of the remaining time, plus `deadlineSlack` s.
    public var deadlineMargin: Double
    public var deadlineSlack: Double

    public init(budget: Double = 6 * 3600, share: Double = 0.25, confidence: Double = 1, step: Double = 1800,
                horizon: Double = 48 * 3600, deadlineMargin: Double = 0.1, deadlineSlack: Double = 1800) {
        self.budget = budget; self.share = share; self.confidence = confidence; self.step = step
        self.horizon = horizon; self.deadlineMargin = deadlineMargin; self.deadlineSlack = deadlineSlack
    }

    /// The bounds every setting must keep; the problems of these settings (empty when valid).
    public func problems() -> [String] {
        var p: [String] = []
        if !(budget >= 0 && budget <= 30 * 86_400) { p.append("the wait budget must be between 0 s and 30 days") }
        if !(share >= 0 && share <= 10) { p.append("the wait share must be between 0 and 10 (1000 %)") }
        if !(confidence >= 0 && confidence <= 10) { p.append("the confidence must be between 0 and 10 standard deviations") }
        if !(step >= 60 && step <= 86_400) { p.append("the planning step must be between 1 min and 1 day") }
        if !(horizon >= step && horizon <= 14 * 86_400) { p.append("the horizon must be between one step and 14 days") }
        if !(deadlineMargin >= 0 && deadlineMargin <= 1) { p.append("the deadline margin must be between 0 and 100 %") }
        if !(deadlineSlack >= 0 && deadlineSlack <= 86_400) { p.append("the deadline slack must be between 0 s and 1 day") }
        return p
    }

    /// What the plan needs to know of a job now (SI units, instants in s since the epoch).
    public struct Job: Sendable, Equatable {
        /// Time to finish at its current speed, s.
        public var remaining: Double
        /// Time it has run so far, s (0 if never).
        public var runTime: Double
        public var submitted: Double
        public var deadline: Double?
        /// Whether it runs now (holding it means a checkpoint now).
        public var running: Bool
        /// Whether it may be checkpointed and resumed.
        public var interruptible: Bool
        /// Extra run time a checkpoint and resume cost, s.
        public var checkpointOverhead: Double
        /// Its power, W (energy to finish / remaining time); 0 when unknown: the decision
        /// does not depend on it (savings and uncertainties scale together), the savings are then 0.
        public var power: Double

        public init(remaining: Double, runTime: Double = 0, submitted: Double, deadline: Double? = nil, running: Bool = false,
                    interruptible: Bool = false, checkpointOverhead: Double = 0, power: Double = 0) {
            self.remaining = remaining; self.runTime = runTime; self.submitted = submitted; self.deadline = deadline
            self.running = running; self.interruptible = interruptible; self.checkpointOverhead = checkpointOverhead
            self.power = power
        }
    }

    /// A job's plan now.
    public struct Plan: Sendable, Equatable {
        /// When the job should start (queued) or resume (running: checkpointed now), if later
        /// than now; nil when it should run now.
        public var start: Double?
        /// The planned end (running now when not shifted), s since epoch.
        public var end: Double
        /// Expected carbon saved against running now (forecast unit × J: grams for an
        /// intensity in g/J), overheads counted; 0 when not shifted.
        public var saving: Double
        /// `saving` less `confidence` standard deviations of it.
        public var savingLow: Double
        /// How much later the job is planned to end than running now, s.
        public var delay: Double
        /// Pauses in the planned run (a running job held now counts one).
        public var interruptions: Int
        /// Whether the plan moves work in time (now or later in the plan).
        public var shifted: Bool
        /// The latest end its deadline and wait allowance leave, s since epoch.
        public var latestEnd: Double
        /// Why, in a few words.
        public var reason: String
        /// `saving` over the carbon of the planned work run now (0 when not shifted): how
        /// much the wait is worth relative to the job, whatever its size.
        public var relativeSaving: Double = 0
    }

    /// The latest the job may end (see the type), s since epoch.
    public func latestEnd(_ job: Job) -> Double {
        let length = job.runTime + job.remaining
        var end = job.submitted + length + min(budget, share * length)
        if let deadline = job.deadline {
            end = min(end, deadline - deadlineMargin * job.remaining - deadlineSlack - job.checkpointOverhead)
        }
        return end
    }

    /// The plan for `job` at `now` on `forecast` (a planning forecast from now: `forecast(...)`).
    /// `blocked[k]`: planning step `k` has no room for the job (its cluster is expected full).
    public func plan(_ job: Job, forecast f: ShiftForecast, now: Double, blocked: [Bool] = []) -> Plan {
        let latest = latestEnd(job)
        func runNow(_ why: String) -> Plan {
            Plan(start: nil, end: now + job.remaining, saving: 0, savingLow: 0, delay: 0, interruptions: 0, shifted: false,
                 latestEnd: latest, reason: why)
        }
        guard job.remaining.isFinite, job.remaining > 0, job.power.isFinite, job.power >= 0,
              job.checkpointOverhead.isFinite, job.checkpointOverhead >= 0 else { return runNow("the job's remaining time is unknown") }
        let slack = latest - now - job.remaining
        guard slack >= f.step else {
            return runNow("no slack left in its wait allowance or before its deadline")
        }
        // Plan the part of the window the forecast covers: work that the rest of the window
        // could not absorb must be done in it.
        let end = min(latest, now + horizon, f.end)
        let work = min(job.remaining, max(f.step, job.remaining - (latest - end)))
        guard end - now >= work + f.step else { return runNow("the forecast does not reach far enough") }
        let request = ShiftRequest(work: work, earliestStart: now, deadline: end, defaultStart: now,
                                   interruptible: job.interruptible, checkpointOverhead: job.checkpointOverhead,
                                   power: job.power > 0 ? job.power : 1, running: job.running, blocked: blocked)
        guard let plan = try? ShiftPlanner(confidence: confidence).plan(request, forecast: f) else {
            return runNow("the forecast has gaps in the window")
        }
        guard plan.decision == .shifted else { return runNow(plan.reason) }
        let scale = job.power > 0 ? 1.0 : 0.0
        let defaultEnd = now + Double(Int((work / f.step - 1e-9).rounded(.up))) * f.step
        let startsLater = plan.start > now + 1e-6
        return Plan(start: startsLater ? plan.start : nil, end: plan.end + (job.remaining - work),
                    saving: plan.expectedSaving * scale, savingLow: (plan.expectedSaving - confidence * plan.uncertainty) * scale,
                    delay: max(0, plan.end - defaultEnd), interruptions: plan.interruptions + (job.running && startsLater ? 1 : 0),
                    shifted: true, latestEnd: latest, reason: plan.reason,
                    relativeSaving: plan.defaultCost > 0 ? plan.expectedSaving / plan.defaultCost : 0)
    }

    /// A planning forecast from `now`: step `k` covers `[now + k × step, now + (k + 1) × step)`
    /// and is the mean of the intervals in it, where the interval starting now has the current
    /// value `current` (known: no error) and the one starting at `forecast.time(at: i)` the
    /// forecast's point `i` (a grid value stamped `t` is the average over `[t, t + step)`). A
    /// step's standard deviation is the mean of its intervals' (errors of neighbouring
    /// intervals move together), each from the forecast's calibrated interval at `level`
    /// (half its width over the normal quantile). Nil when the forecast is empty.
    public func forecast(_ forecast: Forecast, current: Double, now: Double, level: Double = 0.8) -> ShiftForecast? {
        guard forecast.count > 0, current.isFinite else { return nil }
        let z = Forecast.z(level)
        var values = [current], sigmas = [0.0]
        for i in 0..<forecast.count where forecast.time(at: i) < now + horizon + forecast.step {
            let b = forecast.bounds(i, level: level)
            values.append(forecast.values[i])
            sigmas.append(b.lower.isFinite && b.upper.isFinite ? max(0, b.upper - b.lower) / (2 * z) : .nan)
        }
        return Self.aggregate(start: now, step: forecast.step, values: values, sigmas: sigmas, to: step)
    }

    /// A pinned path (a test's exact forecast): `values[k]` from `start + k × every` on, the
    /// last holding; no error.
    public func forecast(pinnedFrom start: Double, every: Double, values: [Double], now: Double, fineStep: Double) -> ShiftForecast? {
        guard !values.isEmpty, every > 0, fineStep > 0 else { return nil }
        let n = Int((horizon / fineStep).rounded(.up)) + 1
        let fine = (0..<n).map { i -> Double in
            let k = Int(((now + Double(i) * fineStep - start) / every + 1e-9).rounded(.down))
            return values[max(0, min(values.count - 1, k))]
        }
        return Self.aggregate(start: now, step: fineStep, values: fine, sigmas: [Double](repeating: 0, count: n), to: step)
    }

    /// Fine steps averaged into steps of about `coarse` s (a whole number of fine steps); a
    /// step's standard deviation is the mean of its fine steps'.
    public static func aggregate(start: Double, step fine: Double, values: [Double], sigmas: [Double], to coarse: Double) -> ShiftForecast? {
        let m = max(1, Int((coarse / fine).rounded()))
        let count = values.count / m
        guard count > 0 else { return nil }
        var v: [Double] = [], s: [Double] = []
        v.reserveCapacity(count); s.reserveCapacity(count)
        for k in 0..<count {
            let r = (k * m)..<((k + 1) * m)
            v.append(values[r].reduce(0, +) / Double(m))
            s.append(sigmas[r].reduce(0, +) / Double(m))
        }
        return ShiftForecast(start: start, step: fine * Double(m), values: v, sigmas: s)
    }
}
