import Foundation

/// The forecaster's calibration report (`watt forecast --calibration FILES`): for each series,
/// the loop's forecaster replayed (`ForecastReplay`) from the first point with `history` of
/// data behind it to the end, scored every hour against the baselines, with interval
/// coverage, negative lower bounds, the models used and the nightly-job test. The tables in
/// docs/forecasting.md are its Markdown output.
public enum ForecastCalibration {
    public struct Entry: Sendable, Codable, Equatable {
        public var name: String
        public var points: Int
        public var step: Double
        public var report: ReplayReport
    }

    /// Replays each series with `settings` (origins every `every` seconds).
    public static func run(_ series: [(name: String, series: TimeSeries)], metric: String, settings: ForecastSettings,
                           every: Double = 3600, nightly: ForecastReplay.NightlyJob? = ForecastReplay.NightlyJob()) -> [Entry] {
        series.map { item in
            let replay = ForecastReplay(metric: metric, settings: settings, every: every, nightly: nightly)
            let report = replay.run(item.series, from: item.series.start + settings.history)
            return Entry(name: item.name, points: item.series.count, step: item.series.step, report: report)
        }
    }

    /// Markdown tables: accuracy against the baselines, intervals, models used, nightly job.
    public static func markdown(_ entries: [Entry], settings: ForecastSettings) -> String {
        guard let first = entries.first?.report else { return "" }
        let pct = Int((first.level * 100).rounded())
        var out = "### Accuracy: MAPE % / MAE per horizon (origins every \(durationLabel(first.every)))\n\n"
        out += "| series | origins | horizon | watt | persistence | 24h-persistence | seasonal-naive(7d) |\n"
        out += "|---|---:|---:|---:|---:|---:|---:|\n"
        for e in entries {
            let r = e.report
            for (h, horizon) in r.horizons.enumerated() {
                out += "| \(e.name) | \(r.scores[0][h].count) | \(durationLabel(horizon)) | "
                out += r.scores.map { "\(ReplayReport.fixed($0[h].mape)) / \(ReplayReport.fixed($0[h].mae))" }.joined(separator: " | ")
                out += " |\n"
            }
        }
        out += "\n### Intervals: coverage of the \(pct) % interval; lower bounds below zero (before truncation → after)\n\n"
        out += "| series | " + first.horizons.map { "\(durationLabel($0)) coverage" }.joined(separator: " | ") + " | "
        out += first.horizons.map { "\(durationLabel($0)) negative lower" }.joined(separator: " | ") + " |\n"
        out += "|---|" + Array(repeating: "---:|", count: 2 * first.horizons.count).joined() + "\n"
        for e in entries {
            let w = e.report.scores[0]
            out += "| \(e.name) | " + w.map { ReplayReport.percent($0.coverage) }.joined(separator: " | ") + " | "
            out += w.map { "\(ReplayReport.percent($0.negativeLowerRaw)) → \(ReplayReport.percent($0.negativeLower))" }
                .joined(separator: " | ") + " |\n"
        }
        out += "\n### Models and training windows the daily reselection chose (share of scored origins)\n\n"
        out += "| series | models |\n|---|---|\n"
        for e in entries {
            let total = Swift.max(1, e.report.chosen.reduce(0) { $0 + $1.origins })
            out += "| \(e.name) | " + e.report.chosen.map { "\($0.model) \(ReplayReport.percent(Double($0.origins) / Double(total)))" }
                .joined(separator: ", ") + " |\n"
        }
        if let job = first.nightlyJob {
            out += "\n### Nightly job: \(durationLabel(job.duration)) due at \(String(format: "%02d:00", Int(job.hour))) UTC, "
            out += "carbon saved against the nominal start (%)\n\n"
            out += "| series | slack | days | oracle | 24h-persistence | watt argmin | watt decision | days moved |\n"
            out += "|---|---:|---:|---:|---:|---:|---:|---:|\n"
            for e in entries {
                for n in e.report.nightly {
                    out += "| \(e.name) | ±\(durationLabel(n.slack)) | \(n.days) | "
                    out += n.savings.dropFirst().map { ReplayReport.fixed($0) }.joined(separator: " | ") + " | \(n.shiftedDays) |\n"
                }
            }
        }
        return out
    }

    /// One CSV table: a row per series, model and horizon (`kind` accuracy: `seconds` is the
    /// horizon), then per series, slack and strategy (`kind` nightly: `seconds` is the slack,
    /// `count` the days); empty fields where a column does not apply.
    public static func csv(_ entries: [Entry]) -> String {
        func f(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "" }
        var out = "series,kind,model,seconds,mae,mape,coverage,negative_lower_raw,negative_lower,count,saving_percent,days_moved\n"
        for e in entries {
            let r = e.report
            for (m, model) in r.models.enumerated() {
                for (h, horizon) in r.horizons.enumerated() {
                    let s = r.scores[m][h]
                    out += "\(e.name),accuracy,\(model),\(Int(horizon)),\(f(s.mae)),\(f(s.mape)),\(f(s.coverage)),"
                    out += "\(f(s.negativeLowerRaw)),\(f(s.negativeLower)),\(s.count),,\n"
                }
            }
            for n in r.nightly {
                for (k, strategy) in ReplayReport.Nightly.strategies.enumerated().dropFirst() {
                    out += "\(e.name),nightly,\(strategy),\(Int(n.slack)),,,,,,\(n.days),\(f(n.savings[k])),\(n.shiftedDays)\n"
                }
            }
        }
        return out
    }
}
