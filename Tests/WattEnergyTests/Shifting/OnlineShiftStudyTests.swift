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
}
