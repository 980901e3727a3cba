import Foundation

/// One job of a study: what to plan, the forecast it is planned on (issued at
/// `forecastStart`, `forecastSteps` long), and its baseline: the request's default run, or,
/// when `baseline` is set, that request planned on the real values (Let's Wait Awhile's
/// ad-hoc baseline, see `LetsWaitAwhile.Definitions.code`).
public struct StudyJob: Sendable, Equatable {
    public var request: ShiftRequest
    public var forecastStart: Double
    public var forecastSteps: Int
    public var baseline: ShiftRequest?

    public init(request: ShiftRequest, forecastStart: Double, forecastSteps: Int, baseline: ShiftRequest?) {
        self.request = request; self.forecastStart = forecastStart; self.forecastSteps = forecastSteps; self.baseline = baseline
    }
}

/// The emissions of a set of jobs as planned, beside their baseline.
public struct StudyOutcome: Sendable, Equatable {
    /// Grams of CO2e of the planned runs and of the baseline runs (Watt's accounting).
    public var grams = 0.0
    public var baselineGrams = 0.0
    public var jobs = 0
    public var shifted = 0, declined = 0, required = 0
    /// Jobs the planner refused (run at their default instead), with the first reason.
    public var failed = 0
    public var firstFailure: String?
    public var interruptions = 0
    /// Energy that fell outside the intensity series (never counted as zero emissions).
    public var joulesWithoutIntensity = 0.0

    /// Percent of the baseline's emissions avoided.
    public var savingPercent: Double { baselineGrams > 0 ? (1 - grams / baselineGrams) * 100 : 0 }
}

/// Runs planned jobs against a real carbon-intensity series and accounts their emissions with
/// `Accounting.account` (the integration the cluster simulator's report uses): each run is a
/// power trace at `power` watts from its start to its end, integrated against the series as
/// a step function (each value holds for its step).
public struct ShiftStudy: Sendable {
    /// The real series, in its own unit (gCO2/kWh for the grid files), on a regular grid.
    public let truth: TimeSeries
    /// The same in g/J, as a step series for the accounting.
    public let intensity: StepSeries
    public let power: Double
    /// Running sums over the grid steps of a `power` run's grams and unknown joules.
    private let stepGrams: [Double]
    private let stepUnknown: [Double]

    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// `truth` in gCO2/kWh (`gramsPerKWh` false: already g/J).
    public init(truth: TimeSeries, gramsPerKWh: Bool = true, power: Double = 1000) throws(Failure) {
        guard !truth.isEmpty else { throw Failure(message: "the carbon series is empty") }
        self.truth = truth
        self.power = power
        let values = truth.values.map { gramsPerKWh ? SI.gramsPerKWh($0) : $0 }
        do {
            intensity = try StepSeries(times: truth.values.indices.map(truth.time(at:)), values: values, lastDuration: truth.step)
        } catch {
            throw Failure(message: "the carbon series: \(error)")
        }
        var grams = [0.0], unknown = [0.0]
        for i in truth.values.indices {
            let t = truth.time(at: i)
            let r = Accounting.account([PowerSample(time: t, watts: power), PowerSample(time: t + truth.step, watts: power)],
                                       intensity: intensity)
            grams.append(grams[i] + r.grams)
            unknown.append(unknown[i] + r.joulesWithoutIntensity)
        }
        stepGrams = grams
        stepUnknown = unknown
    }

    /// Grams of CO2e of runs at `power` over `segments`, and the joules with no known intensity.
    /// A segment on the series' grid is the sum of its steps' integrals (precomputed once with
    /// `Accounting.account` per step; the integral is additive over disjoint intervals); any
    /// other segment is integrated by `Accounting.account` directly.
    public func emissions(_ segments: [ShiftPlan.Segment]) -> (grams: Double, unknownJoules: Double) {
        var grams = 0.0, unknown = 0.0
        for s in segments where s.end > s.start {
            let a = (s.start - truth.start) / truth.step, b = (s.end - truth.start) / truth.step
            let i = Int(a.rounded()), j = Int(b.rounded())
            if abs(a - Double(i)) * truth.step < 1e-6, abs(b - Double(j)) * truth.step < 1e-6, i >= 0, j <= truth.count {
                grams += stepGrams[j] - stepGrams[i]
                unknown += stepUnknown[j] - stepUnknown[i]
                continue
            }
            let report = Accounting.account([PowerSample(time: s.start, watts: power), PowerSample(time: s.end, watts: power)],
                                            intensity: intensity)
            grams += report.grams
            unknown += report.joulesWithoutIntensity
        }
        return (grams, unknown)
    }

    /// The forecasts the jobs need, computed once per issue time in time order (so a model
    /// source refits on its own schedule), each as long as the longest request.
    public func forecasts(for jobs: [StudyJob], from source: inout some CarbonForecastSource)
        -> [Double: Result<ShiftForecast, ForecastError>] {
        var longest: [Double: Int] = [:]
        for job in jobs { longest[job.forecastStart] = max(longest[job.forecastStart] ?? 0, job.forecastSteps) }
        var out: [Double: Result<ShiftForecast, ForecastError>] = [:]
        for start in longest.keys.sorted() {
            do { out[start] = .success(try source.forecast(from: start, steps: longest[start]!)) } catch {
                out[start] = .failure(error)
            }
        }
        return out
    }

    /// The baseline emissions of each job (see `StudyJob.baseline`).
    public func baselineGrams(_ jobs: [StudyJob]) -> [Double] {
        let planner = ShiftPlanner(confidence: 0)
        var oracle = OracleForecastSource(series: truth)
        return jobs.map { job in
            let request = job.baseline ?? job.request
            let segments: [ShiftPlan.Segment]
            if job.baseline != nil, let f = try? oracle.forecast(from: request.earliestStart,
                                                                  steps: Int(((request.deadline - request.earliestStart) / truth.step).rounded(.up))),
               let plan = try? planner.plan(request, forecast: f) {
                segments = plan.segments
            } else {
                segments = [.init(start: request.defaultStart, end: request.defaultStart + request.work)]
            }
            return emissions(segments).grams
        }
    }

    /// Plans every job on its forecast and accounts the runs. A job the planner refuses runs
    /// at its default start and is counted in `failed`.
    public func run(_ jobs: [StudyJob], forecasts: [Double: Result<ShiftForecast, ForecastError>], baselines: [Double],
                    planner: ShiftPlanner) -> StudyOutcome {
        precondition(baselines.count == jobs.count)
        var outcome = StudyOutcome()
        for (job, baseline) in zip(jobs, baselines) {
            outcome.jobs += 1
            outcome.baselineGrams += baseline
            var segments = [ShiftPlan.Segment(start: job.request.defaultStart, end: job.request.defaultStart + job.request.work)]
            do {
                guard let result = forecasts[job.forecastStart] else { throw Failure(message: "no forecast from \(job.forecastStart)") }
                var f = try result.get()
                if f.count > job.forecastSteps {
                    f = ShiftForecast(start: f.start, step: f.step, values: Array(f.values.prefix(job.forecastSteps)),
                                      sigmas: Array(f.sigmas.prefix(job.forecastSteps)))
                }
                let plan = try planner.plan(job.request, forecast: f)
                segments = plan.segments
                outcome.interruptions += plan.interruptions
                switch plan.decision {
                case .shifted: outcome.shifted += 1
                case .declined: outcome.declined += 1
                case .required: outcome.required += 1
                }
            } catch {
                outcome.failed += 1
                if outcome.firstFailure == nil { outcome.firstFailure = "\(error)" }
            }
            let e = emissions(segments)
            outcome.grams += e.grams
            outcome.joulesWithoutIntensity += e.unknownJoules
        }
        return outcome
    }
}
