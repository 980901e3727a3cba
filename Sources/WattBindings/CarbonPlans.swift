import WattCluster
import WattEnergy
import WattLanguage

/// The carbon plans of one binding: `carbon_plan(job, ...)` and the `shift` verb read them.
/// Per tick, one planning forecast of `grid.carbon_intensity` (the loop's forecaster over
/// `timing.horizon`, the path a test pinned, or the series itself in an oracle run) and at
/// most one plan per job and settings for conditions; nothing is planned for jobs no policy
/// asks about.
///
/// Room. Moving work into the clean hours fills them: released together, held jobs queue,
/// and everything behind them waits (the first version of this pack doubled the p95 wait
/// that way). So a plan only puts a job in a step where its pool is expected to have room:
/// the step's expected busy GPUs (the larger of what runs or queues now and is still there
/// then, and the pool's mean at that time of day over the days seen so far), plus the GPUs
/// of the jobs held for that step, plus the job's own, must stay within `headroom` of the
/// pool's GPUs. The `shift` verb plans its targets one after the other, each seeing the holds
/// of the ones before (a condition's `carbon_plan` sees those of earlier ticks only).
public final class CarbonPlans: @unchecked Sendable {
    public static let metric = "grid.carbon_intensity"
    /// The settings a plan uses unless the policy gives its wait budget and share.
    public var timing = JobTiming()
    /// The share of a pool's GPUs plans may fill (whole-node jobs leave some free anyway).
    public var headroom = 1.0
    /// The true intensity at an instant (g/J), for an oracle run: plans then read it instead
    /// of the forecaster, with no error (the bound of what timing can save).
    public var oracle: (@Sendable (Double) -> Double?)?
    /// Plans made since the binding was made (the cost the loop pays; tests read it).
    public private(set) var planned = 0

    let models: TelemetryModels
    private var tick = -Double.infinity
    private var planning: ShiftForecast??
    private var plans: [Key: JobTiming.Plan] = [:]
    /// The jobs of the tick's snapshot by id, and the pools' GPUs.
    private var jobs: [String: World.Job] = [:]
    private var poolGPUs: [String: Double] = [:]
    /// Busy GPUs per pool by day (the last `profileDays`) and time of day (one bucket per
    /// planning step of the day): sums and counts.
    private var profile: [String: [Int: (sum: [Double], count: [Double])]] = [:]
    /// How many past days the expected load looks back on (it takes their busiest).
    public var profileDays = 7
    /// Jobs held by `shift`, by id: where and when they are planned to run.
    private var holds: [String: Hold] = [:]
    /// Holds planned this tick: they shape this tick's later plans; `holds` keeps only those
    /// the scheduler applied (`applied`), so a run resumed from its journal, which replays the
    /// applied actions, holds the same room as one never interrupted.
    private var tickHolds: [String: Hold] = [:]
    /// Per pool, this tick: GPUs busy with what runs or queues now, the time-of-day mean, and
    /// the holds, per planning step from now.
    private var load: [String: Load] = [:]
    /// The step where each queued job starts in its pool's load.
    private var placed: [String: Int] = [:]

    /// The last `value(of:...)` call of this tick, and where a `job` record's fields are.
    private var lastCall: (job: Record, budget: Double?, share: Double?, value: Value)?
    private var jobFields: (schema: RecordSchema, indices: [Int?])?

    private struct Key: Hashable { var id: String; var budget: Double; var share: Double }
    private struct Hold { var pool: String; var gpus: Double; var start: Double; var end: Double }
    private struct Load { var known: [Double]; var typical: [Double]; var held: [Double] }

    public init(models: TelemetryModels) { self.models = models }

    /// A new tick: its jobs, the pools' load, and an empty cache.
    func begin(_ world: World) {
        tick = world.now
        planning = nil
        plans.removeAll(keepingCapacity: true)
        load.removeAll(keepingCapacity: true)
        placed.removeAll(keepingCapacity: true)
        tickHolds.removeAll(keepingCapacity: true)
        lastCall = nil
        jobs = Dictionary(world.jobs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        poolGPUs = Dictionary(world.pools.map { ($0.name, Double($0.gpus)) }, uniquingKeysWith: { first, _ in first })
        // A hold ends when its job is no longer held (released, running, done) or its run is over.
        holds = holds.filter { id, hold in jobs[id]?.state == .deferred && hold.end > tick }
        guard tick.isFinite else { return }
        var busy: [String: Double] = [:]
        for job in world.jobs where job.state == .running { busy[job.pool, default: 0] += Double(job.gpus) }
        let b = bucket(tick), day = Int((tick / 86_400).rounded(.down))
        for pool in world.pools {
            var days = profile[pool.name] ?? [:]
            var p = days[day] ?? (Array(repeating: 0, count: buckets), Array(repeating: 0, count: buckets))
            p.sum[b] += busy[pool.name] ?? 0
            p.count[b] += 1
            days[day] = p
            if days.count > profileDays { days = days.filter { $0.key > day - profileDays } }
            profile[pool.name] = days
        }
    }

    private var buckets: Int { max(1, Int((86_400 / timing.step).rounded())) }
    private func bucket(_ t: Double) -> Int {
        let day = t - (t / 86_400).rounded(.down) * 86_400
        return min(buckets - 1, max(0, Int(day / 86_400 * Double(buckets))))
    }

    /// The job's state in this tick's snapshot.
    func state(of id: String) -> JobState? { jobs[id]?.state }

    /// The plan of a job of this tick's snapshot, by id, as a condition sees it (cached per
    /// tick); nil for an unknown id or without a forecast.
    public func plan(id: String, budget: Double? = nil, share: Double? = nil) -> JobTiming.Plan? {
        guard let job = jobs[id] else { return nil }
        return plan(id: id, job: Self.facts(job), budget: budget, share: share)
    }

    func plan(id: String, job: JobTiming.Job, budget: Double?, share: Double?) -> JobTiming.Plan? {
        guard let settings = settings(budget, share) else { return nil }
        let key = Key(id: id, budget: settings.budget, share: settings.share)
        if let cached = plans[key] { return cached }
        guard let p = fresh(id: id, job: job, settings: settings) else { return nil }
        plans[key] = p
        return p
    }

    /// The plan the `shift` verb carries out for a target, made on the holds so far (not
    /// cached), and recorded as a hold when it holds the job.
    func planToShift(id: String, budget: Double?, share: Double?) -> JobTiming.Plan? {
        guard let world = jobs[id], let settings = settings(budget, share),
              let p = fresh(id: id, job: Self.facts(world), settings: settings) else { return nil }
        if let start = p.start { hold(world, from: start) }
        return p
    }

    private func settings(_ budget: Double?, _ share: Double?) -> JobTiming? {
        guard tick.isFinite else { return nil }
        var settings = timing
        if let budget { settings.budget = budget }
        if let share { settings.share = share }
        return settings.problems().isEmpty ? settings : nil
    }

    private func fresh(id: String, job: JobTiming.Job, settings: JobTiming) -> JobTiming.Plan? {
        guard let f = forecast() else { return nil }
        planned += 1
        return settings.plan(job, forecast: f, now: tick, blocked: blocked(id, count: f.count, step: f.step))
    }

    // MARK: Room

    /// The planning steps where the job's pool has no room for it.
    private func blocked(_ id: String, count: Int, step: Double) -> [Bool] {
        guard let job = jobs[id], job.gpus > 0, let capacity = poolGPUs[job.pool], capacity > 0 else { return [] }
        let gpus = Double(job.gpus)
        let l = pool(job.pool, count: count, step: step)
        let limit = headroom * capacity
        let own = ownRange(job, step: step, count: count)
        let held = tickHolds[id] ?? holds[id]
        return (0..<count).map { i in
            var busy = max(l.known[i] - (own.contains(i) ? gpus : 0), l.typical[i]) + l.held[i]
            if let held, overlaps(held, i, step) { busy -= held.gpus }
            return busy + gpus > limit + 1e-9
        }
    }

    /// How many steps a job running or queued now covers when it runs.
    private func ownSteps(_ job: World.Job, step: Double, count: Int) -> Int {
        guard job.state == .running || job.state == .queued, job.remainingTime.isFinite else { return 0 }
        return min(count, Int((job.remainingTime / step).rounded(.up)))
    }

    /// The steps a job running or queued now occupies in its pool's load.
    private func ownRange(_ job: World.Job, step: Double, count: Int) -> Range<Int> {
        let d = ownSteps(job, step: step, count: count)
        let k = job.state == .queued ? min(count, placed[job.id] ?? 0) : 0
        return k..<min(count, k + d)
    }

    private func overlaps(_ hold: Hold, _ i: Int, _ step: Double) -> Bool {
        let a = tick + Double(i) * step
        return hold.start < a + step && hold.end > a
    }

    /// The pool's load this tick (made once, then updated by holds). What runs now occupies
    /// its GPUs until it ends; what queues is placed after it, first come first served, at
    /// the first step with room for it (a backlog keeps a full pool full until it clears).
    private func pool(_ name: String, count: Int, step: Double) -> Load {
        if let l = load[name], l.known.count == count { return l }
        var known = [Double](repeating: 0, count: count), typical = known, held = known
        let capacity = poolGPUs[name] ?? 0
        let members = jobs.values.filter { $0.pool == name }.sorted { ($0.submitted, $0.id) < ($1.submitted, $1.id) }
        for job in members where job.state == .running {
            for i in 0..<ownSteps(job, step: step, count: count) { known[i] += Double(job.gpus) }
        }
        for job in members where job.state == .queued {
            let g = Double(job.gpus), d = ownSteps(job, step: step, count: count)
            guard d > 0 else { continue }
            let k = (0..<count).first { known[$0] + g <= capacity + 1e-9 } ?? count
            placed[job.id] = k
            for i in k..<min(count, k + d) { known[i] += g }
        }
        // The busiest of the past days at each time of day: arrivals are not known ahead, and
        // underestimating them costs far more (a held job released into a full pool delays
        // everything behind it) than overestimating (a shift not taken).
        for p in (profile[name] ?? [:]).values {
            for i in 0..<count {
                let b = bucket(tick + (Double(i) + 0.5) * step)
                if p.count[b] > 0 { typical[i] = max(typical[i], p.sum[b] / p.count[b]) }
            }
        }
        for hold in holds.values where hold.pool == name {
            for i in 0..<count where overlaps(hold, i, step) { held[i] += hold.gpus }
        }
        let l = Load(known: known, typical: typical, held: held)
        load[name] = l
        return l
    }

    /// Records a job held until `start`: it runs from then, not now.
    private func hold(_ job: World.Job, from start: Double) {
        let h = Hold(pool: job.pool, gpus: Double(job.gpus), start: start, end: start + job.remainingTime + job.checkpointOverhead)
        if let f = planning ?? nil, var l = load[job.pool] {
            for i in ownRange(job, step: f.step, count: l.known.count) { l.known[i] -= Double(job.gpus) }
            if let old = tickHolds[job.id] ?? holds[job.id] { for i in l.held.indices where overlaps(old, i, f.step) { l.held[i] -= old.gpus } }
            for i in l.held.indices where overlaps(h, i, f.step) { l.held[i] += h.gpus }
            load[job.pool] = l
        }
        tickHolds[job.id] = h
    }

    /// What the scheduler did this tick: a job held until a time (`defer until`, `preempt
    /// until`, whichever rule asked) holds its pool's room from then until it should end.
    public func applied(_ results: [ActionResult]) {
        for result in results where result.status == .applied {
            guard let id = result.target, let job = jobs[id] else { continue }
            switch result.action.kind {
            case .deferUntil(let start), .preemptUntil(let start):
                holds[id] = Hold(pool: job.pool, gpus: Double(job.gpus), start: start,
                                 end: start + job.remainingTime + job.checkpointOverhead)
            default:
                break
            }
        }
    }

    // MARK: Forecast

    /// The tick's planning forecast (computed once).
    func forecast() -> ShiftForecast? {
        if let planning { return planning }
        let now = tick
        var f: ShiftForecast?
        if let oracle {
            let n = Int((timing.horizon / models.step).rounded(.up)) + 1
            let values = (0..<n).map { oracle(now + Double($0) * models.step) ?? .nan }
            f = JobTiming.aggregate(start: now, step: models.step, values: values, sigmas: [Double](repeating: 0, count: n),
                                    to: timing.step)
        } else if let pin = models.pinnedPaths[Self.metric] {
            f = timing.forecast(pinnedFrom: pin.start, every: pin.every, values: pin.values, now: now, fineStep: models.step)
        } else if let path = models.path(Self.metric, horizon: timing.horizon) {
            let last = models.store[Self.metric]?.lastFinite
            let current = last.flatMap { abs($0.time - now) < 1e-6 ? $0.value : nil } ?? path.values.first ?? .nan
            f = timing.forecast(path, current: current, now: now)
        }
        planning = .some(f)
        return f
    }

    // MARK: Jobs

    /// What a plan needs of a job: its remaining time and power, the time it ran, its window.
    static func facts(_ job: World.Job) -> JobTiming.Job {
        JobTiming.Job(remaining: job.remainingTime, runTime: job.runTime, submitted: job.submitted, deadline: job.deadline,
                      running: job.state == .running, interruptible: job.preemptible,
                      checkpointOverhead: job.checkpointOverhead,
                      power: job.remainingTime > 0 && job.remainingEnergy > 0 ? job.remainingEnergy / job.remainingTime : 0)
    }

    /// The fields `carbon_plan(job)` reads from a `job` record, in this order.
    static let factFields = ["id", "remaining", "submitted", "energy", "state", "preemptible", "run_time", "deadline",
                             "checkpoint_overhead"]

    /// The same from a `job` record (the fields `carbon_plan(job)` reads), with the record's
    /// field indices in `factFields` order; nil without an id, a remaining time or a
    /// submission time.
    static func facts(_ record: Record, indices: [Int?]) -> (id: String, job: JobTiming.Job)? {
        func field(_ k: Int) -> Value? { indices[k].map { record.fields[$0] } }
        func number(_ k: Int) -> Double? {
            switch field(k) { case .number(let v)?, .instant(let v)?: return v; default: return nil }
        }
        guard case .string(let id)? = field(0), let remaining = number(1), let submitted = number(2) else { return nil }
        let energy = number(3) ?? 0
        let running: Bool = { if case .string("running")? = field(4) { true } else { false } }()
        let preemptible: Bool = { if case .bool(true)? = field(5) { true } else { false } }()
        return (id, JobTiming.Job(remaining: remaining, runTime: number(6) ?? 0, submitted: submitted,
                                  deadline: number(7), running: running, interruptible: preemptible,
                                  checkpointOverhead: number(8) ?? 0,
                                  power: remaining > 0 && energy > 0 ? energy / remaining : 0))
    }

    /// `carbon_plan(job[, budget, share])` as a value: `record` builds it from the plan.
    /// A condition usually reads two fields of the same plan (`present(carbon_plan(job).start)
    /// and carbon_plan(job).relative_saving >= ...`): the evaluation hands the same record for
    /// the same row, so the last call's value is reused without looking anything up.
    func value(of job: Record, budget: Double?, share: Double?, record: (JobTiming.Plan) -> Value) -> Value {
        if let last = lastCall, last.job === job, last.budget == budget, last.share == share { return last.value }
        if jobFields?.schema !== job.schema {
            jobFields = (job.schema, Self.factFields.map { job.schema.fieldIndex($0) })
        }
        let value: Value
        if let facts = Self.facts(job, indices: jobFields!.indices),
           let p = plan(id: facts.id, job: facts.job, budget: budget, share: share) {
            value = record(p)
        } else {
            value = .missing
        }
        lastCall = (job, budget, share, value)
        return value
    }
}
