import Foundation
import WattSupport

/// Load a series, choose a model by backtest, forecast, and describe it in text: the logic of
/// `watt forecast`, kept here so it is tested with the library.
public struct ForecastSummary: Sendable {
    public var name: String
    public var series: TimeSeries
    public var selection: ModelSelector.Selection
    public var forecast: Forecast
    public var backtest: Backtest

    /// Fits by `ModelSelector` on `series` and forecasts `horizon` seconds ahead.
    public init(name: String, series: TimeSeries, horizon: Double, selector: ModelSelector = ModelSelector())
        throws(ForecastError) {
        self.name = name
        self.series = series
        backtest = selector.backtest
        selection = try selector.select(series)
        forecast = selection.model.forecast(horizon: horizon)
    }

    /// The report: the series, the backtest set-up and table, the chosen model, the forecast
    /// points with 80 % and 95 % intervals, and the lowest and highest points ahead.
    public var text: String {
        let report = selection.report
        var out = ""
        out += "series: \(name): \(series.count) points every \(durationLabel(series.step)), \(series.gapCount) gaps, "
        out += "\(Self.time(series.start)) to \(Self.time(series.end)) UTC\n"
        out += "backtest: \(report.originTimes.count) origins from \(report.originTimes.first.map(Self.time) ?? "-") "
        out += "to \(report.originTimes.last.map(Self.time) ?? "-"), \(durationLabel(report.trainingWindow)) training window, "
        out += report.refitEvery == 1 ? "refit at every origin\n\n" : "refit every \(report.refitEvery) origins\n\n"
        out += report.markdown()
        out += "\nchosen: \(selection.chosen) (lowest mean \(selection.criterion == .mae ? "MAE" : "MAPE") over "
        out += report.horizons.map(durationLabel).joined(separator: ", ") + ")\n\n"
        out += "forecast from \(Self.time(forecast.origin)) UTC\n"
        out += "time (UTC)        forecast   80 % interval        95 % interval\n"
        let lower80 = forecast.lower(level: 0.8), upper80 = forecast.upper(level: 0.8)
        let lower95 = forecast.lower(level: 0.95), upper95 = forecast.upper(level: 0.95)
        for i in 0..<forecast.count {
            out += Self.time(forecast.time(at: i))
            out += String(format: "  %9.2f   [%7.2f, %7.2f]   [%7.2f, %7.2f]\n", forecast.values[i], lower80[i], upper80[i],
                          lower95[i], upper95[i])
        }
        let window = forecast.next(Double(forecast.count) * forecast.step)
        if let tMin = forecast.argmin(over: window), let vMin = forecast.min(over: window),
           let tMax = forecast.argmax(over: window), let vMax = forecast.max(over: window) {
            out += String(format: "lowest: %@ (%.2f); highest: %@ (%.2f); mean %.2f\n", Self.time(tMin), vMin, Self.time(tMax), vMax,
                          forecast.mean(over: window) ?? .nan)
        }
        return out
    }

    /// `YYYY-MM-DD HH:MM` in UTC.
    public static func time(_ t: Double) -> String {
        let days = Int((t / 86_400).rounded(.down))
        let seconds = Int((t - Double(days) * 86_400).rounded())
        let (y, m, d) = civil(days)
        return String(format: "%04d-%02d-%02d %02d:%02d", y, m, d, seconds / 3600, seconds % 3600 / 60)
    }

    /// The date of a day number since 1970-01-01 (the shared calendar).
    static func civil(_ days: Int) -> (Int, Int, Int) {
        let c = CivilCalendar.civil(fromDays: days)
        return (c.year, c.month, c.day)
    }
}
