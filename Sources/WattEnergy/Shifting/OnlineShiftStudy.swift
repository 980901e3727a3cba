import Foundation

/// How a job's start (or, interruptible, its steps) is decided.
public enum ShiftProcedure: String, Sendable, CaseIterable, Codable {
    /// Once, on the forecast issued when the job is submitted (Let's Wait Awhile's forecast
    /// runs): the plan is kept whatever later forecasts say.
    case submission
    /// At every step of the window, on a fresh forecast from that step (how Watt's control
    /// loop, which evaluates its policies every tick, would shift): run now when the plan for
    /// what is left of the job runs now, or when the deadline forces it.
    case online
}

/// A job of the online procedure on the series' grid: its window `[first, limit)` in step
/// indices, its work in steps, its default start.
private struct OnlineJob { var first: Int; var limit: Int; var steps: Int; var defaultStart: Int; var interruptible: Bool }

/// What the online procedure has decided for a job so far.
private struct OnlineState { var remaining: Int; var segments: [ShiftPlan.Segment] = []; var failed = false; var done = false }

extension ShiftStudy {
    /// The online procedure (`ShiftProcedure.online`) over several job sets that share one
    /// forecast source, for each rule in `confidences`; returns the outcomes
    /// `[confidence][job set]`.
    ///
    /// At each grid step `t` that lies in some job's window (`[earliest start, deadline)`),
    /// the source is asked once for the forecast from `t` to the furthest deadline of all the
    /// jobs' windows that contain `t` (the same request whatever the decisions, so every rule
    /// sees the same forecasts). For each job still waiting or running at `t`:
    ///
    /// - not interruptible, `confidence` 0 (the lowest forecast): start at `t` when `t` is the
    ///   best start of what is left of the window under the forecast (`ShiftPlanner`'s
    ///   contiguous rule, earliest on ties), or when a later start would miss the deadline;
    /// - interruptible, `confidence` 0: run in step `t` when it is among the `r` lowest steps of
    ///   the rest of the window (`r` the steps of work left; earliest on ties), or when the
    ///   window left equals the work left;
    /// - `confidence` above 0, or any rule while the job's default start is still ahead and
    ///   the job has not begun (a nightly job's nominal time): run now when
    ///   `ShiftPlanner(confidence:)`, planning what is left of the job over the rest of the
    ///   window, runs it now. Its default (kept unless a move saves more than `confidence`
    ///   standard deviations, or anything at all with `confidence` 0) is that default start
    ///   while it is ahead, else running now. So a flat forecast never moves a job.
    ///
    /// With a forecast that does not change as time passes (the oracle, the noisy copy) this is
    /// the same plan as at submission; it differs where later forecasts know more. A forecast
    /// the source cannot give (or one with a gap in a job's window, or too short) runs the job
    /// now and counts it in `failed`. Runs are whole grid steps; emissions and baselines as in
    /// `run`.
    public func runOnline(_ jobSets: [[StudyJob]], source: inout some CarbonForecastSource, confidences: [Double],
                          baselines: [[Double]]) -> [[StudyOutcome]] {
        precondition(baselines.count == jobSets.count && zip(jobSets, baselines).allSatisfy { $0.count == $1.count })
        let t0 = truth.start, step = truth.step
        let specs: [[OnlineJob]] = jobSets.map { jobs in
            jobs.map { job in
                let r = job.request
                let steps = max(1, Int((r.work / step - 1e-9).rounded(.up)))
                return OnlineJob(first: Int(((r.earliestStart - t0) / step - 1e-9).rounded(.up)),
                           limit: Int(((r.deadline - t0) / step + 1e-9).rounded(.down)), steps: steps,
                           defaultStart: Int(((r.defaultStart - t0) / step + 1e-9).rounded(.down)),
                           interruptible: r.interruptible)
            }
        }
        // Steps in time order; `reach[t]`: the furthest deadline of the windows that contain t.
        let all = specs.flatMap { $0 }
        guard let tMin = all.map(\.first).min(), let tMax = all.map(\.limit).max(), tMax > tMin else {
            return confidences.map { _ in jobSets.map { _ in StudyOutcome() } }
        }
        var reach = [Int](repeating: Int.min, count: tMax - tMin)
        for job in all where job.limit > job.first {
            for t in max(tMin, job.first)..<job.limit { reach[t - tMin] = max(reach[t - tMin], job.limit) }
        }
        // Per rule and job set: the jobs' states and the ones arrived and not done.
        var states = confidences.map { _ in specs.map { $0.map { OnlineState(remaining: $0.steps) } } }
        let order = specs.map { jobs in jobs.indices.sorted { jobs[$0].first < jobs[$1].first } }
        var nextArrival = confidences.map { _ in specs.map { _ in 0 } }
        var active = confidences.map { _ in specs.map { _ in [Int]() } }
        let planner = ShiftPlanner()
        let rules = confidences.map { ShiftPlanner(confidence: $0) }

        func runStep(_ state: inout OnlineState, _ t: Int, steps: Int = 1) {
            let a = truth.time(at: t), b = truth.time(at: t + steps)
            if let last = state.segments.last, abs(last.end - a) < 1e-6 { state.segments[state.segments.count - 1].end = b }
            else { state.segments.append(.init(start: a, end: b)) }
            state.remaining -= steps
            if state.remaining <= 0 { state.done = true }
        }

        for t in tMin..<tMax {
            let furthest = reach[t - tMin]
            var forecast: ShiftForecast?
            if furthest > t {
                forecast = try? source.forecast(from: truth.time(at: t), steps: furthest - t)
                if let f = forecast, abs(f.start - truth.time(at: t)) > 1e-3 { forecast = nil }
            }
            for (c, confidence) in confidences.enumerated() {
                for s in specs.indices {
                    while nextArrival[c][s] < order[s].count, specs[s][order[s][nextArrival[c][s]]].first <= t {
                        let j = order[s][nextArrival[c][s]], job = specs[s][j]
                        nextArrival[c][s] += 1
                        if job.limit - job.first < job.steps {
                            // No room in the window: the job runs at its default (as `run` does
                            // with a plan the planner refuses).
                            states[c][s][j].segments = [.init(start: truth.time(at: job.defaultStart),
                                                              end: truth.time(at: job.defaultStart + job.steps))]
                            states[c][s][j].failed = true
                            states[c][s][j].done = true
                        } else {
                            active[c][s].append(j)
                        }
                    }
                    guard !active[c][s].isEmpty else { continue }
                    for j in active[c][s] {
                        let job = specs[s][j]
                        var state = states[c][s][j]
                        let window = job.limit - t
                        if window <= state.remaining {
                            // The deadline forces it.
                            runStep(&state, t, steps: job.interruptible ? 1 : state.remaining)
                        } else if let f = forecast, f.count >= window, f.values[0..<window].allSatisfy(\.isFinite) {
                            let d = state.remaining
                            var now: Bool
                            if job.interruptible && d > 1 {
                                let v0 = f.values[0]
                                var lower = 0
                                for k in 1..<window where f.values[k] < v0 { lower += 1; if lower >= d { break } }
                                now = lower < d
                            } else {
                                now = planner.cheapestStart(f.values, 0, window, d)?.first == 0
                            }
                            // The default not passed: the job's own start (a nightly job's
                            // nominal time) until it has passed or the job has begun, then now.
                            let defaultAhead = state.segments.isEmpty && job.defaultStart >= t && job.defaultStart + d <= job.limit
                            // While the default is ahead the planner decides by either rule: a
                            // step is taken over the default only when it is forecast lower (a
                            // flat forecast keeps the default; its earliest tie is not a saving).
                            if defaultAhead || (confidence > 0 && !now) {
                                let request = ShiftRequest(work: Double(d) * step, earliestStart: f.start, deadline: truth.time(at: job.limit),
                                                           defaultStart: defaultAhead ? truth.time(at: job.defaultStart) : nil,
                                                           interruptible: job.interruptible)
                                let cut = ShiftForecast(start: f.start, step: f.step, values: Array(f.values[0..<window]),
                                                        sigmas: Array(f.sigmas[0..<window]))
                                if let plan = try? rules[c].plan(request, forecast: cut) { now = abs(plan.start - f.start) < 1e-6 }
                                else { now = true; state.failed = true }
                            }
                            if now { runStep(&state, t, steps: job.interruptible ? 1 : d) }
                        } else {
                            state.failed = true
                            runStep(&state, t, steps: job.interruptible ? 1 : state.remaining)
                        }
                        states[c][s][j] = state
                    }
                    active[c][s].removeAll { states[c][s][$0].done }
                }
            }
        }
        return confidences.indices.map { c in
            specs.indices.map { s in
                var outcome = StudyOutcome()
                for (j, job) in specs[s].enumerated() {
                    let state = states[c][s][j]
                    outcome.jobs += 1
                    outcome.baselineGrams += baselines[s][j]
                    let defaultRun = [ShiftPlan.Segment(start: truth.time(at: job.defaultStart),
                                                        end: truth.time(at: job.defaultStart + job.steps))]
                    // A job never reached (its window outside the steps swept) runs at its default.
                    let segments = state.segments.isEmpty ? defaultRun : state.segments
                    if state.failed || state.segments.isEmpty {
                        outcome.failed += 1
                        if outcome.firstFailure == nil { outcome.firstFailure = "no usable forecast from \(source.name) for a job's window" }
                    }
                    if segments == defaultRun { outcome.declined += 1 } else { outcome.shifted += 1 }
                    outcome.interruptions += max(0, segments.count - 1)
                    let e = emissions(segments)
                    outcome.grams += e.grams
                    outcome.joulesWithoutIntensity += e.unknownJoules
                }
                return outcome
            }
        }
    }
}
