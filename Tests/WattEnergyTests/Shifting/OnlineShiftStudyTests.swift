import Foundation
import Testing
@testable import WattEnergy

/// Watt's forecaster in the Let's Wait Awhile study (`LoopForecastSource`) and the online
/// procedure (`ShiftStudy.runOnline`).
@Suite struct OnlineShiftStudyTests {
    /// 14 days on a 30-minute grid: a daily cycle, a slow drift and noise (deterministic).
    static func synthetic(days: Int = 14) -> TimeSeries {
        var rng = LCG(state: 11)
        let n = days * 48
        let values = (0..<n).map { i -> Double in
            let phase = 2 * Double.pi * Double(i % 48) / 48
            let noise = Double(rng.next() % 1000) / 1000 - 0.5
            return 300 + 80 * sin(phase) + 20 * sin(Double(i) / 150) + 15 * noise
        }
        return TimeSeries(start: 0, step: 1800, values: values)
    }

    /// The same series with every value from index `from` on changed.
    static func changed(_ s: TimeSeries, from: Int) -> TimeSeries {
        var values = s.values
        for i in from..<values.count { values[i] = 900 - values[i] }
        return TimeSeries(start: s.start, step: s.step, values: values)
    }

    /// A forecast from `t` and the plan made on it use only the steps before `t`: changing
    /// every later value changes neither.
    @Test func wattSourceUsesOnlyThePast() throws {
        let truth = Self.synthetic()
        let m = 10 * 48 + 6
        let start = truth.time(at: m)
        var a = LoopForecastSource(series: truth), b = LoopForecastSource(series: Self.changed(truth, from: m))
        let fa = try a.forecast(from: start, steps: 20), fb = try b.forecast(from: start, steps: 20)
        #expect(fa == fb)
        #expect(fa.count == 20 && fa.start == start && fa.values.allSatisfy(\.isFinite) && fa.sigmas.allSatisfy { $0 > 0 })
        // The loop chose a model on the history (not persistence for lack of data).
        #expect(a.chosen.keys.contains { $0.hasPrefix("ensemble") }, "\(a.chosen)")
        let request = ShiftRequest(work: 3600, earliestStart: start, deadline: start + 10 * 3600)
        let planner = ShiftPlanner(confidence: 0)
        #expect(try planner.plan(request, forecast: fa) == planner.plan(request, forecast: fb))
        // Data once seen cannot be unseen: an earlier forecast is refused, not answered.
        #expect(throws: ForecastError.self) { try a.forecast(from: truth.time(at: m - 2), steps: 4) }
    }

    /// Online decisions made before step `m` do not depend on the values from `m` on: nightly
    /// jobs whose windows end before `m` run at the same steps whatever comes after (each job
    /// is its own job set, so its outcome is its own; both runs are accounted on the same truth).
    @Test func onlineDecisionsUseOnlyThePast() throws {
        let truth = Self.synthetic()
        let m = 12 * 48 + 2
        let jobs = (9..<13).map { day -> StudyJob in
            let nominal = truth.time(at: day * 48 + 2)
            let request = ShiftRequest(work: 1800, earliestStart: nominal - 4 * 3600, deadline: nominal + 4.5 * 3600, defaultStart: nominal)
            return StudyJob(request: request, forecastStart: request.earliestStart, forecastSteps: 17, baseline: nil)
        }
        let study = try ShiftStudy(truth: truth)
        let sets = jobs.map { [$0] }
        let baselines = sets.map { study.baselineGrams($0) }
        var a = LoopForecastSource(series: truth), b = LoopForecastSource(series: Self.changed(truth, from: m))
        let oa = study.runOnline(sets, source: &a, confidences: [0], baselines: baselines)[0]
        let ob = study.runOnline(sets, source: &b, confidences: [0], baselines: baselines)[0]
        let before = jobs.indices.filter { truth.time(at: m) >= jobs[$0].request.deadline }
        #expect(before.count == 3)
        for j in before { #expect(oa[j] == ob[j], "job \(j)") }
        #expect(before.contains { oa[$0].shifted == 1 }, "the test should move some job")
        #expect(oa.allSatisfy { $0.failed == 0 } && ob.allSatisfy { $0.failed == 0 })
    }

    /// With a forecast that does not change as time passes (the oracle, the noisy copy) the
    /// online procedure makes the plan made at submission: the same emissions, job for job.
    @Test func onlineEqualsSubmissionForFixedForecasts() throws {
        let truth = Self.synthetic()
        let study = try ShiftStudy(truth: truth)
        var rng = LCG(state: 5)
        let jobs = (3..<13).flatMap { day -> [StudyJob] in
            let t = truth.time(at: day * 48 + 20)
            return [false, true].map { interruptible in
                let request = ShiftRequest(work: 4 * 3600, earliestStart: t, deadline: t + 14 * 3600, interruptible: interruptible)
                return StudyJob(request: request, forecastStart: t, forecastSteps: 28, baseline: nil)
            }
        }
        let baselines = study.baselineGrams(jobs)
        let sources: [any CarbonForecastSource] = [OracleForecastSource(series: truth),
                                                   NoisyOracleForecastSource(series: truth, sigma: 15, using: &rng)]
        for var source in sources {
            var again = source
            let forecasts = study.forecasts(for: jobs, from: &source)
            let once = study.run(jobs, forecasts: forecasts, baselines: baselines, planner: ShiftPlanner(confidence: 0))
            let online = LetsWaitAwhileTables.online(study, [jobs], &again, [0], [baselines])[0][0]
            #expect(abs(once.grams - online.grams) < 1e-9 * once.grams, "\(source.name)")
            #expect(once.shifted == online.shifted && online.failed == 0 && online.shifted > 0)
        }
    }

    /// Nightly jobs (30 minutes, default 01:00, ±`shift` steps) on the given days of `truth`.
    static func nightly(_ truth: TimeSeries, days: Range<Int>, shift: Int = 8) -> [StudyJob] {
        days.map { day in
            let nominal = truth.time(at: day * 48 + 2)
            let request = ShiftRequest(work: 1800, earliestStart: nominal - Double(shift) * 1800,
                                       deadline: nominal + Double(shift + 1) * 1800, defaultStart: nominal)
            return StudyJob(request: request, forecastStart: request.earliestStart, forecastSteps: 2 * shift + 1, baseline: nil)
        }
    }

    /// The outcome of `jobs` with `source`, decided at submission and online, by `confidence`.
    /// `source` makes a fresh source per procedure (a loop source that has seen data cannot
    /// unsee it, and its copies share what it has seen).
    static func outcomes(_ study: ShiftStudy, _ jobs: [StudyJob], _ source: () -> any CarbonForecastSource,
                         confidence: Double) -> (submission: StudyOutcome, online: StudyOutcome) {
        let baselines = study.baselineGrams(jobs)
        var once = source(), again = source()
        let forecasts = study.forecasts(for: jobs, from: &once)
        let submission = study.run(jobs, forecasts: forecasts, baselines: baselines, planner: ShiftPlanner(confidence: confidence))
        let online = LetsWaitAwhileTables.online(study, [jobs], &again, [confidence], [baselines])[0][0]
        return (submission, online)
    }

    /// A perfectly periodic series (one daily cycle, lowest at 03:00, no noise): Watt's
    /// forecaster, fed only the past, learns the day and saves what the oracle saves, job for
    /// job, at submission and online; 24-hour persistence does too (yesterday is today).
    @Test func periodicSeriesWattReachesTheOracle() throws {
        let values = (0..<(24 * 48)).map { i in 300 - 100 * cos(2 * Double.pi * Double(i % 48 - 6) / 48) }
        let truth = TimeSeries(start: 0, step: 1800, values: values)
        let study = try ShiftStudy(truth: truth)
        let jobs = Self.nightly(truth, days: 16..<23)
        let oracle = Self.outcomes(study, jobs, { OracleForecastSource(series: truth) }, confidence: 0)
        #expect(oracle.submission.savingPercent > 5 && oracle.submission.shifted == jobs.count)
        let sources: [() -> any CarbonForecastSource] = [{ LoopForecastSource(series: truth) }, { ModelForecastSource.persistence(series: truth) }]
        for make in sources {
            let source = make()
            let got = Self.outcomes(study, jobs, make, confidence: 0)
            for o in [got.submission, got.online] {
                #expect(abs(o.grams - oracle.submission.grams) <= 1e-9 * oracle.submission.grams, "\(source.name)")
                #expect(o.failed == 0 && o.shifted == jobs.count, "\(source.name)")
            }
        }
    }

    /// A constant series: nothing to gain, and no rule moves a job (a flat forecast's earliest
    /// step is not a saving), whatever the source and whenever it decides.
    @Test func constantSeriesShiftsNothing() throws {
        let truth = TimeSeries(start: 0, step: 1800, values: [Double](repeating: 250, count: 20 * 48))
        let study = try ShiftStudy(truth: truth)
        let jobs = Self.nightly(truth, days: 15..<19, shift: 4)
        let sources: [() -> any CarbonForecastSource] = [{ OracleForecastSource(series: truth) },
                                                         { ModelForecastSource.persistence(series: truth) }, { LoopForecastSource(series: truth) }]
        for make in sources {
            let source = make()
            for confidence in [0.0, 1] {
                let got = Self.outcomes(study, jobs, make, confidence: confidence)
                for o in [got.submission, got.online] {
                    #expect(o.shifted == 0 && o.declined == jobs.count && o.failed == 0, "\(source.name) \(confidence)")
                    #expect(abs(o.savingPercent) < 1e-9)
                }
            }
        }
    }
}

