import Testing
@testable import WattEnergy

/// Carbon timing for one job of a running cluster: slack (deadline margin, wait allowance),
/// interruptible plans with their checkpoint, a flat forecast, and room.
@Suite struct JobTimingTests {
    static let step = 1800.0

    static func forecast(_ values: [Double], sigma: Double = 0) -> ShiftForecast {
        ShiftForecast(start: 0, step: step, values: values, sigmas: [Double](repeating: sigma, count: values.count))
    }

    /// Dirty for two hours, clean for two, dirty again (g/J-like units: the plan only compares).
    static let dip: [Double] = [400, 400, 400, 400, 100, 100, 100, 100, 400, 400, 400, 400, 400, 400, 400, 400]

    /// A running interruptible job, 1 h done and 2 h left, may wait 3 h in all (share 100 %):
    /// checkpointed now, resumed in the clean hours; the checkpoint's overhead is charged at
    /// the intensity where it resumes, and the plan ends before the deadline with its margin.
    @Test func aRunningInterruptibleJobIsCheckpointedAndResumedInTheCleanHours() {
        let timing = JobTiming(budget: 12 * 3600, share: 1)
        let job = JobTiming.Job(remaining: 7200, runTime: 3600, submitted: -3600, deadline: 12 * 3600, running: true,
                                interruptible: true, checkpointOverhead: 60, power: 1000)
        let plan = timing.plan(job, forecast: Self.forecast(Self.dip), now: 0)
        #expect(plan.shifted)
        #expect(plan.start == 4 * Self.step)
        #expect(plan.interruptions == 1)
        #expect(plan.end <= plan.latestEnd && plan.end < 12 * 3600)
        #expect(plan.latestEnd == 5 * 3600)                               // submitted + 3 h + 3 h allowance
        // 4 steps at 400 against 4 at 100, less the checkpoint's 60 s at full power at 100.
        let expected = 1000 * Self.step * 4 * 300 - 1000 * 60 * 100
        #expect(abs(plan.saving - expected) <= 1e-6 * expected)
        #expect(abs(plan.relativeSaving - expected / (1000 * Self.step * 4 * 400)) < 1e-9)   // about 75 %
        // A checkpoint dearer than the whole saving: the job keeps running.
        var heavy = job
        heavy.checkpointOverhead = 40_000
        heavy.deadline = nil
        let kept = timing.plan(heavy, forecast: Self.forecast(Self.dip), now: 0)
        #expect(kept.start == nil)
        #expect(kept.saving == 0)
    }

    /// A flat forecast plans nothing, however much slack the job has and whatever its error.
    @Test func aFlatForecastNeverBecomesAShift() {
        let timing = JobTiming(budget: 24 * 3600, share: 10)
        for running in [false, true] {
            let job = JobTiming.Job(remaining: 3600, submitted: 0, running: running, interruptible: true, power: 1000)
            for sigma in [0.0, 20.0] {
                let plan = timing.plan(job, forecast: Self.forecast([Double](repeating: 300, count: 32), sigma: sigma), now: 0)
                #expect(plan.start == nil && !plan.shifted && plan.saving == 0 && plan.relativeSaving == 0)
            }
        }
    }

    /// The same dip, but the job's slack does not allow the wait: its deadline (less 10 % of
    /// its remaining time and 30 min) or its wait allowance (share of its length, or budget).
    @Test func aJobWithoutTheSlackIsNotShifted() {
        let queued = JobTiming.Job(remaining: 7200, submitted: 0, deadline: 3 * 3600, power: 1000)
        let f = Self.forecast(Self.dip)
        let byDeadline = JobTiming(budget: 12 * 3600, share: 1).plan(queued, forecast: f, now: 0)
        #expect(byDeadline.start == nil && !byDeadline.shifted)
        #expect(byDeadline.latestEnd == 3 * 3600 - 720 - 1800)
        #expect(byDeadline.reason.contains("slack"))
        var free = queued
        free.deadline = nil
        #expect(JobTiming(budget: 12 * 3600, share: 0.1).plan(free, forecast: f, now: 0).start == nil)    // 12 min allowance
        #expect(JobTiming(budget: 600, share: 1).plan(free, forecast: f, now: 0).start == nil)            // 10 min budget
        // With the slack, the same job waits for the dip.
        #expect(JobTiming(budget: 12 * 3600, share: 1).plan(free, forecast: f, now: 0).start == 4 * Self.step)
        // The allowance counts from submission: submitted 2 h ago, its 2 h allowance is spent.
        var old = free
        old.submitted = -2 * 3600
        #expect(JobTiming(budget: 12 * 3600, share: 1).plan(old, forecast: f, now: 0).start == nil)
    }

    /// Steps where the pool has no room are never planned: the job waits for the next free
    /// clean step or runs now.
    @Test func aPlanNeverUsesStepsWithoutRoom() {
        let job = JobTiming.Job(remaining: 3600, submitted: 0, power: 1000)
        let f = Self.forecast(Self.dip)
        let timing = JobTiming(budget: 12 * 3600, share: 10)
        var blocked = [Bool](repeating: false, count: Self.dip.count)
        #expect(timing.plan(job, forecast: f, now: 0, blocked: blocked).start == 4 * Self.step)
        blocked[4] = true; blocked[5] = true
        #expect(timing.plan(job, forecast: f, now: 0, blocked: blocked).start == 6 * Self.step)
        blocked[6] = true; blocked[7] = true
        #expect(timing.plan(job, forecast: f, now: 0, blocked: blocked).start == nil)
    }
}
