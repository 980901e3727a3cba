import WattCluster
import WattEnergy
import WattLanguage

/// The carbon plans of one binding: `carbon_plan(job, ...)` and the `shift` verb read them.
/// Per tick, one planning forecast of `grid.carbon_intensity` (the loop's forecaster over
/// `timing.horizon`, or the path a test pinned) and at most one plan per job and settings: a
/// rule's condition and the `shift` it proposes share them, and nothing is planned for jobs no
/// policy asks about.
public final class CarbonPlans: @unchecked Sendable {
    public static let metric = "grid.carbon_intensity"
    /// The settings a plan uses unless the policy gives its wait budget and share.
    public var timing = JobTiming()
    let models: TelemetryModels
    private var tick = -Double.infinity
    private var planning: ShiftForecast??
    private var plans: [Key: JobTiming.Plan] = [:]
    /// The jobs of the tick's snapshot by id (for the `shift` verb's targets).
    private var jobs: [String: World.Job] = [:]
    /// Plans made since the binding was made (the cost the loop pays; tests read it).
    public private(set) var planned = 0

    private struct Key: Hashable { var id: String; var budget: Double; var share: Double }

    public init(models: TelemetryModels) { self.models = models }

    /// A new tick: its jobs, and an empty cache.
    func begin(_ world: World) {
        tick = world.now
        planning = nil
        plans.removeAll(keepingCapacity: true)
        jobs = Dictionary(world.jobs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The plan of a job of this tick's snapshot, by id; nil for an unknown id or without a forecast.
    public func plan(id: String, budget: Double? = nil, share: Double? = nil) -> JobTiming.Plan? {
        guard let job = jobs[id] else { return nil }
        return plan(id: id, job: Self.facts(job), budget: budget, share: share)
    }

    /// The job's state in this tick's snapshot.
    func state(of id: String) -> JobState? { jobs[id]?.state }

    func plan(id: String, job: JobTiming.Job, budget: Double?, share: Double?) -> JobTiming.Plan? {
        guard tick.isFinite else { return nil }
        var settings = timing
        if let budget { settings.budget = budget }
        if let share { settings.share = share }
        guard settings.problems().isEmpty else { return nil }
        let key = Key(id: id, budget: settings.budget, share: settings.share)
        if let cached = plans[key] { return cached }
        guard let f = forecast() else { return nil }
        let plan = settings.plan(job, forecast: f, now: tick)
        planned += 1
        plans[key] = plan
        return plan
    }

    /// The tick's planning forecast (computed once).
    func forecast() -> ShiftForecast? {
        if let planning { return planning }
        let now = tick
        var f: ShiftForecast?
        if let pin = models.pinnedPaths[Self.metric] {
            f = timing.forecast(pinnedFrom: pin.start, every: pin.every, values: pin.values, now: now, fineStep: models.step)
        } else if let path = models.path(Self.metric, horizon: timing.horizon) {
            let last = models.store[Self.metric]?.lastFinite
            let current = last.flatMap { abs($0.time - now) < 1e-6 ? $0.value : nil } ?? path.values.first ?? .nan
            f = timing.forecast(path, current: current, now: now)
        }
        planning = .some(f)
        return f
    }

    /// What a plan needs of a job: its remaining time and power, the time it ran, its window.
    static func facts(_ job: World.Job) -> JobTiming.Job {
        JobTiming.Job(remaining: job.remainingTime, runTime: job.runTime, submitted: job.submitted, deadline: job.deadline,
                      running: job.state == .running, interruptible: job.preemptible,
                      checkpointOverhead: job.checkpointOverhead,
                      power: job.remainingTime > 0 && job.remainingEnergy > 0 ? job.remainingEnergy / job.remainingTime : 0)
    }

    /// The same from a `job` record (the fields `carbon_plan(job)` reads).
    static func facts(_ record: Record) -> JobTiming.Job? {
        func number(_ name: String) -> Double? {
            switch record[name] { case .number(let v)?, .instant(let v)?: return v; default: return nil }
        }
        guard let remaining = number("remaining"), let submitted = number("submitted") else { return nil }
        let energy = number("energy") ?? 0
        let running: Bool = { if case .string("running")? = record["state"] { true } else { false } }()
        let preemptible: Bool = { if case .bool(true)? = record["preemptible"] { true } else { false } }()
        return JobTiming.Job(remaining: remaining, runTime: number("run_time") ?? 0, submitted: submitted,
                             deadline: number("deadline"), running: running, interruptible: preemptible,
                             checkpointOverhead: number("checkpoint_overhead") ?? 0,
                             power: remaining > 0 && energy > 0 ? energy / remaining : 0)
    }
}
