import Foundation
import WattSupport

/// The two workloads of Let's Wait Awhile (Wiesner, Behnke, Scheinert, Gontarska, Thamsen:
/// "Let's Wait Awhile: How Temporal Workload Shifting Can Reduce Carbon Emissions in the
/// Cloud", Middleware 2021, doi 10.1145/3464298.3493399), as their simulator defines them
/// (repository dos-group/lets-wait-awhile, simulate.py and strategy.py at commit 6f58b9e).
/// All times are UTC on the 30-minute grid of the 2020 series; docs/carbon.md has the details
/// and where this differs from their code.
public enum LetsWaitAwhile {
    public static let step = 1800.0
    /// 2020-01-01 00:00 UTC.
    public static let yearStart = Double(CivilCalendar.daysFromCivil(year: 2020, month: 1, day: 1)) * 86_400

    /// How faithfully to follow their code where it departs from its own description.
    public enum Definitions: String, Sendable, CaseIterable {
        /// As their code runs: an ad-hoc job's window ends one step after its deadline (their
        /// forecast slice includes its end), the baseline may also start one step late (the
        /// same slice with no extra time, the lower-carbon of the two starts), and a job that
        /// would end on a Friday after 17:00 gets Saturday 09:00 as its deadline.
        case code
        /// As described: windows end at the deadline, the baseline runs at submission, and
        /// Friday evening's next workday is Monday.
        case corrected
    }

    // MARK: Scenario I

    /// Scenario I: a 30-minute job every night at 01:00 of 2020 (365 nights from 1 January),
    /// which may run in any step from `shiftSteps` steps before to `shiftSteps` after 01:00
    /// (±2/±4/±6/±8 h are 4/8/12/16 steps). The baseline runs at 01:00. The forecast covers
    /// the window from its first step (the job is issued there, as in their simulator).
    public static func nightlyJobs(shiftSteps: Int, days: Int = 365) -> [StudyJob] {
        (0..<days).map { day in
            let nominal = yearStart + Double(day) * 86_400 + 3600
            let earliest = nominal - Double(shiftSteps) * step
            let request = ShiftRequest(work: step, earliestStart: earliest, deadline: nominal + Double(shiftSteps + 1) * step,
                                       defaultStart: nominal)
            return StudyJob(request: request, forecastStart: earliest, forecastSteps: 2 * shiftSteps + 1, baseline: nil)
        }
    }

    // MARK: Scenario II

    /// One ad-hoc job: submitted at `arrival`, running `work` seconds.
    public struct AdHocJob: Sendable, Equatable {
        public var arrival: Double
        public var work: Double
    }

    /// Scenario II's machine-learning jobs, drawn as their `generate_batch_jobs` draws them
    /// (its distributions; their NumPy stream with seed 0 is not reproduced): `count` jobs
    /// spread over the workdays (Monday to Friday) of 2020, each on a day chosen uniformly
    /// (a multinomial with equal weights); within a day, start times drawn uniformly from
    /// 09:00, 09:30, ..., 16:30 and sorted; durations drawn uniformly from 4 h, 4.5 h, ...,
    /// 89.5 h (their `range(240, 5400, 30)` minutes), assigned in arrival order.
    public static func machineLearningJobs(count: Int = 3387, using rng: inout some RandomNumberGenerator) -> [AdHocJob] {
        let firstDay = Int(yearStart / 86_400)
        let workdays = (0..<366).filter { weekday(days: firstDay + $0) <= 4 }
        var perDay = [Int](repeating: 0, count: workdays.count)
        for _ in 0..<count { perDay[Int.random(in: 0..<workdays.count, using: &rng)] += 1 }
        var arrivals: [Double] = []
        for (k, day) in workdays.enumerated() {
            let starts = (0..<perDay[k]).map { _ in 18 + Int.random(in: 0..<16, using: &rng) }.sorted()
            arrivals += starts.map { yearStart + Double(day) * 86_400 + Double($0) * step }
        }
        return arrivals.map { AdHocJob(arrival: $0, work: Double(8 + Int.random(in: 0..<172, using: &rng)) * step) }
    }

    /// The Next-Workday deadline (their `_forecast_steps`, "next_workday"), from the time the
    /// job would finish if started at submission: on a Saturday, Monday 09:00; on a Sunday or
    /// after 17:00, the next day's 09:00 (with `.code`, Friday evening gives Saturday); before
    /// 09:00, 09:00 that day; otherwise the finish time itself (no shift).
    public static func nextWorkdayDeadline(finish: Double, definitions: Definitions) -> Double {
        let days = Int((finish / 86_400).rounded(.down))
        let hours = (finish - Double(days) * 86_400) / 3600
        let nine = Double(days) * 86_400 + 9 * 3600
        let day = weekday(days: days)
        if day == 5 { return nine + 2 * 86_400 }
        if day == 6 || hours > 17 {
            if definitions == .corrected && day == 4 { return nine + 3 * 86_400 }
            return nine + 86_400
        }
        if hours < 9 { return nine }
        return finish
    }

    /// Scenario II's jobs for the planner: each may wait until its Next-Workday deadline.
    public static func adHocStudyJobs(_ jobs: [AdHocJob], interruptible: Bool, definitions: Definitions) -> [StudyJob] {
        let extra = definitions == .code ? step : 0
        return jobs.map { job in
            let deadline = nextWorkdayDeadline(finish: job.arrival + job.work, definitions: definitions)
            let request = ShiftRequest(work: job.work, earliestStart: job.arrival, deadline: deadline + extra,
                                       interruptible: interruptible)
            let baseline = definitions == .code
                ? ShiftRequest(work: job.work, earliestStart: job.arrival, deadline: job.arrival + job.work + extra) : nil
            return StudyJob(request: request, forecastStart: job.arrival,
                            forecastSteps: Int(((request.deadline - job.arrival) / step).rounded()), baseline: baseline)
        }
    }

    /// Monday = 0 ... Sunday = 6, for days since 1970-01-01 (a Thursday).
    static func weekday(days: Int) -> Int { ((days % 7) + 7 + 3) % 7 }

    // MARK: Published figures

    /// Scenario I, perfect forecast, percent of emissions avoided at ±2/±4/±6/±8 h (the paper).
    public static let paperNightly: [String: [Double]] = ["DE": [2.5, 3.6, 7.2, 13.4], "GB": [6.5, 8.4, 8.9, 10.2]]
    /// Scenario II, Next Workday, percent avoided: (non-interruptible, interruptible) with the
    /// perfect forecast and with 5 % error (the paper).
    public static let paperAdHoc: [String: (oracle: [Double], noisy: [Double])] = [
        "DE": ([5.93, 8.16], [5.91, 7.93]), "GB": ([6.57, 9.23], [6.56, 9.03]), "FR": ([4.79, 6.22], [4.77, 5.92]),
    ]
}
