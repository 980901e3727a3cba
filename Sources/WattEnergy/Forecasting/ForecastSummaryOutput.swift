import Foundation

/// The renderings of a `ForecastSummary`: text (for people), JSON (strict: non-finite
/// numbers are null) and CSV (the forecast points).
extension ForecastSummary {
    /// The report: the series and settings, the model and window choice, the calibration,
    /// the forecast points with intervals, the shift decision and, with a hold-out, the
    /// replayed loop's scores against the baselines.
    public var text: String {
        var out = ""
        out += "series: \(name): \(series.count) points every \(durationLabel(series.step)), \(series.gapCount) gaps, "
        out += "\(Self.time(series.start)) to \(Self.time(series.end)) UTC\n"
        if let holdout {
            out += "held out: the last \(durationLabel(holdout)) (after \(Self.time(training.end)) UTC)\n"
        }
        out += "settings (\(metric)): " + settingsLine + "\n"
        if let report = forecaster.report {
            out += "backtest: \(report.originTimes.count) origins from \(report.originTimes.first.map(Self.time) ?? "-") "
            out += "to \(report.originTimes.last.map(Self.time) ?? "-"), \(durationLabel(report.trainingWindow)) training window, "
            out += "refit at every origin\n\n"
            var shown = report
            for (m, w) in forecaster.comparisonWindows.enumerated() where m < shown.models.count && abs(w - report.trainingWindow) > 1e-9 {
                shown.models[m] += " (\(durationLabel(w)) window)"
            }
            out += shown.markdown(coverage: false)
            if report.models.count == 1 {
                out += "\nmodel: \(forecaster.chosen) (the only candidate)\n"
            } else {
                out += "\nchosen: \(forecaster.chosen) (lowest mean \(settings.criterion == .mae ? "MAE" : "MAPE") over "
                out += report.horizons.map(durationLabel).joined(separator: ", ") + ")\n"
            }
        }
        if forecaster.windowScores.count > 1 {
            out += "training window: \(durationLabel(forecaster.window)) (mean \(settings.criterion.rawValue.uppercased()): "
            out += forecaster.windowScores.map { "\(durationLabel($0.window)) \(Self.number($0.score))" }.joined(separator: ", ") + ")\n"
        }
        out += calibrationLine + "\n"
        if beyondSelection {
            out += "note: forecasting \(durationLabel(horizon)) ahead, beyond the horizons the model was chosen and calibrated on "
            out += "(up to \(durationLabel(forecaster.selectionHorizon))): intervals further out are extrapolated\n"
        }
        let level = settings.intervalLevel
        let pct = Int((level * 100).rounded())
        out += "\nforecast from \(Self.time(forecast.origin)) UTC\n"
        out += "time (UTC)        forecast   \(pct) % interval        95 % interval" + (holdout != nil ? "        actual" : "") + "\n"
        for i in 0..<forecast.count {
            let a = forecast.bounds(i, level: level), b = forecast.bounds(i, level: 0.95)
            out += Self.time(forecast.time(at: i))
            out += String(format: "  %9.2f   [%7.2f, %7.2f]   [%7.2f, %7.2f]", forecast.values[i], a.lower, a.upper, b.lower, b.upper)
            if holdout != nil { out += actual(at: forecast.time(at: i)).map { String(format: "   %9.2f", $0) } ?? "           -" }
            out += "\n"
        }
        let window = forecast.next(Double(forecast.count) * forecast.step)
        if let tMin = forecast.argmin(over: window), let vMin = forecast.min(over: window),
           let tMax = forecast.argmax(over: window), let vMax = forecast.max(over: window) {
            out += String(format: "lowest: %@ (%.2f); highest: %@ (%.2f); mean %.2f\n", Self.time(tMin), vMin, Self.time(tMax), vMax,
                          forecast.mean(over: window) ?? .nan)
        }
        if let d = decision { out += decisionLine(d) + "\n" }
        if let replay { out += "\n" + replay.text }
        return out
    }

    var settingsLine: String {
        "history \(durationLabel(settings.history)); windows \(settings.trainingWindows.map(durationLabel).joined(separator: ", ")); "
            + "\(settings.origins) origins; horizons \(settings.horizons.map(durationLabel).joined(separator: ", ")); "
            + "models \(settings.models.joined(separator: ", ")); \(Int((settings.intervalLevel * 100).rounded())) % intervals; "
            + "reselect every \(durationLabel(settings.reselectEvery))" + (settings.nonNegative ? "; non-negative" : "")
    }

    var calibrationLine: String {
        let level = settings.intervalLevel
        let pct = Int((level * 100).rounded())
        guard let c = forecaster.calibration else {
            return "intervals: the model's own (too little history to calibrate on out-of-sample errors)"
        }
        let widths = settings.horizons.map { h -> String in
            let k = Swift.max(1, Int((h / series.step).rounded()))
            let o = c.offsets(step: k, level: level)
            return "\(durationLabel(h)) [\(Self.number(o.lower)), +\(Self.number(o.upper))]"
        }
        return "intervals: \(pct) % from the model's out-of-sample errors over the last \(durationLabel(settings.calibrationSpan)) "
            + "(\(c.errors.first?.count ?? 0) forecasts), calibrated to \(durationLabel(Double(c.steps) * series.step)): "
            + widths.joined(separator: ", ")
    }

    func decisionLine(_ d: ShiftDecision) -> String {
        let pct = Int((settings.shiftConfidence * 100).rounded())
        if let start = d.start {
            return "decision: start at \(Self.time(start)) UTC: saves \(Self.number(d.saving)) against starting now (\(Self.number(d.referenceValue))), "
                + "at least \(Self.number(d.savingLow)) with \(pct) % confidence"
        }
        return "decision: none: the lowest point (\(Self.time(d.best)), \(Self.number(d.bestValue))) is not below starting now "
            + "(\(Self.number(d.referenceValue))) by more than its uncertainty (saving \(Self.number(d.saving)), "
            + "at least \(Self.number(d.savingLow)) with \(pct) % confidence)"
    }

    static func number(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "-" : (v > 0 ? "inf" : "-inf") }
        return String(format: "%.2f", v)
    }

    // MARK: JSON

    struct JSONReport: Codable {
        struct Series: Codable { var name: String; var points: Int; var step: Double; var gaps: Int; var start: String; var end: String }
        struct ModelScore: Codable { var model: String; var horizon: Double; var mae: Double?; var mape: Double? }
        struct WindowScore: Codable { var window: Double; var score: Double? }
        struct Selection: Codable {
            var origins: [String]; var scores: [ModelScore]; var chosen: String; var window: Double; var windows: [WindowScore]
        }
        struct Band: Codable { var horizon: Double; var lower: Double?; var upper: Double? }
        struct Calibration: Codable { var level: Double; var forecasts: Int; var calibratedTo: Double; var offsets: [Band] }
        struct Point: Codable {
            var time: String; var value: Double?; var lower: Double?; var upper: Double?
            var lower95: Double?; var upper95: Double?; var actual: Double?
        }
        struct Decision: Codable {
            var informative: Bool; var start: String?; var best: String; var bestValue: Double?; var now: Double?
            var saving: Double?; var savingLow: Double?
        }
        var series: Series
        var metric: String
        var settings: ForecastSettings
        var holdout: Double?
        var selection: Selection?
        var calibration: Calibration?
        var model: String
        var origin: String
        var horizon: Double
        var beyondSelection: Bool
        var forecast: [Point]
        var decision: Decision?
        var replay: ReplayReport?
    }

    /// The report as strict JSON (sorted keys; durations in seconds, times ISO 8601 UTC;
    /// unknown or non-finite numbers null).
    public func json() throws -> String {
        func f(_ v: Double) -> Double? { v.isFinite ? v : nil }
        let level = settings.intervalLevel
        var selection: JSONReport.Selection?
        if let r = forecaster.report {
            var scores: [JSONReport.ModelScore] = []
            for (m, name) in r.models.enumerated() {
                for (h, horizon) in r.horizons.enumerated() {
                    scores.append(.init(model: name, horizon: horizon, mae: f(r.scores[m][h].mae), mape: f(r.scores[m][h].mape)))
                }
            }
            selection = .init(origins: r.originTimes.map(Self.isoTime), scores: scores, chosen: forecaster.chosen,
                              window: forecaster.window, windows: forecaster.windowScores.map { .init(window: $0.window, score: f($0.score)) })
        }
        let calibration = forecaster.calibration.map { c in
            JSONReport.Calibration(level: level, forecasts: c.errors.first?.count ?? 0, calibratedTo: Double(c.steps) * series.step,
                                   offsets: settings.horizons.map { h in
                                       let o = c.offsets(step: Swift.max(1, Int((h / series.step).rounded())), level: level)
                                       return .init(horizon: h, lower: f(o.lower), upper: f(o.upper))
                                   })
        }
        let points = (0..<forecast.count).map { i -> JSONReport.Point in
            let a = forecast.bounds(i, level: level), b = forecast.bounds(i, level: 0.95)
            return .init(time: Self.isoTime(forecast.time(at: i)), value: f(forecast.values[i]), lower: f(a.lower), upper: f(a.upper),
                         lower95: f(b.lower), upper95: f(b.upper), actual: actual(at: forecast.time(at: i)).flatMap(f))
        }
        let decision = self.decision.map { d in
            JSONReport.Decision(informative: d.informative, start: d.start.map(Self.isoTime), best: Self.isoTime(d.best),
                                bestValue: f(d.bestValue), now: f(d.referenceValue), saving: f(d.saving), savingLow: f(d.savingLow))
        }
        let report = JSONReport(
            series: .init(name: name, points: series.count, step: series.step, gaps: series.gapCount,
                          start: Self.isoTime(series.start), end: Self.isoTime(series.end)),
            metric: metric, settings: settings, holdout: holdout, selection: selection, calibration: calibration,
            model: forecaster.chosen, origin: Self.isoTime(forecast.origin), horizon: horizon, beyondSelection: beyondSelection,
            forecast: points, decision: decision, replay: replay)
        return try Self.encode(report)
    }

    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    // MARK: CSV

    /// The forecast points: `time,forecast,lower,upper,lower_95,upper_95` (the first interval
    /// at the settings' level), and `actual` with a hold-out; empty fields for unknown values.
    public func csv() -> String {
        func f(_ v: Double?) -> String { v.map { $0.isFinite ? String(format: "%.4f", $0) : "" } ?? "" }
        let pct = Int((settings.intervalLevel * 100).rounded())
        var out = "time,forecast,lower_\(pct),upper_\(pct),lower_95,upper_95" + (holdout != nil ? ",actual" : "") + "\n"
        for i in 0..<forecast.count {
            let a = forecast.bounds(i, level: settings.intervalLevel), b = forecast.bounds(i, level: 0.95)
            out += [Self.isoTime(forecast.time(at: i)), f(forecast.values[i]), f(a.lower), f(a.upper), f(b.lower), f(b.upper)]
                .joined(separator: ",")
            if holdout != nil { out += "," + f(actual(at: forecast.time(at: i))) }
            out += "\n"
        }
        return out
    }
}

extension ReplayReport {
    /// The scores as text: a Markdown table (MAPE % / MAE per horizon), the interval coverage
    /// and negative lower bounds, the models used and the nightly-job savings.
    public var text: String {
        let pct = Int((level * 100).rounded())
        var out = "replay: the loop's forecaster from \(ForecastSummary.time(start)) to \(ForecastSummary.time(end)) UTC, "
        out += "scored every \(durationLabel(every))" + (skippedOrigins > 0 ? " (\(skippedOrigins) origins without a forecast)" : "") + "\n\n"
        out += markdown
        out += "\ncoverage of the \(pct) % interval: "
        out += zip(horizons, scores[0]).map { "\(durationLabel($0)) \(Self.percent($1.coverage))" }.joined(separator: ", ") + "\n"
        out += "lower bounds below zero: "
        out += zip(horizons, scores[0]).map { "\(durationLabel($0)) \(Self.percent($1.negativeLower)) (before truncation \(Self.percent($1.negativeLowerRaw)))" }
            .joined(separator: ", ") + "\n"
        let total = chosen.reduce(0) { $0 + $1.origins }
        out += "models used: " + chosen.map { "\($0.model) \(Self.percent(Double($0.origins) / Double(Swift.max(total, 1))))" }
            .joined(separator: ", ") + "\n"
        if !nightly.isEmpty { out += "\n" + nightlyMarkdown }
        return out
    }

    /// One row per model: `MAPE % / MAE` per horizon.
    public var markdown: String {
        var out = "| model | " + horizons.map { "\(durationLabel($0)) MAPE % / MAE" }.joined(separator: " | ") + " |\n"
        out += "|---|" + horizons.map { _ in "---:|" }.joined() + "\n"
        for (m, name) in models.enumerated() {
            out += "| \(name) | " + scores[m].map { "\(Self.fixed($0.mape)) / \(Self.fixed($0.mae))" }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    /// The nightly-job savings, percent against the nominal start, one row per slack.
    public var nightlyMarkdown: String {
        let job = nightlyJob.map { "\(durationLabel($0.duration)) job due at \(String(format: "%02d:%02d", Int($0.hour), Int(($0.hour * 60).truncatingRemainder(dividingBy: 60)))) UTC" } ?? "nightly job"
        var out = "nightly \(job), carbon saved against the nominal start (%):\n\n"
        out += "| slack | days | oracle | 24h-persistence | watt argmin | watt decision | days moved |\n|---|---:|---:|---:|---:|---:|---:|\n"
        for n in nightly {
            out += "| ±\(durationLabel(n.slack)) | \(n.days) | " + n.savings.dropFirst().map { Self.fixed($0) }.joined(separator: " | ")
            out += " | \(n.shiftedDays) |\n"
        }
        return out
    }

    static func fixed(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "-" }
    static func percent(_ v: Double?) -> String { v.map { String(format: "%.0f %%", $0 * 100) } ?? "-" }
}
