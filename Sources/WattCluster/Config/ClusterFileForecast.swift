import WattEnergy
import Yams

extension ClusterFileLoader {
    /// `forecast:` — per telemetry path, the settings `forecast(PATH, ...)` uses instead of the
    /// defaults (`ForecastSettings`; `watt forecast --show-settings` prints them). Durations are
    /// plain numbers of seconds, as elsewhere in the file:
    ///
    /// ```yaml
    /// forecast:
    ///   grid.carbon_intensity:
    ///     horizons_s: [3600, 43200]      # choose on the horizons the policies ask for
    ///     windows_s: [604800, 1209600]
    ///     models: [ensemble]
    /// ```
    mutating func forecastSettings(_ node: Yams.Node) -> [String: ForecastSettings]? {
        guard let metrics = fields(node, "forecast", allowed: ForecastSettings.knownMetrics) else { return nil }
        var out: [String: ForecastSettings] = [:]
        for metric in metrics.keys {
            let path = "forecast.\(metric)"
            guard let value = metrics[metric], let f = fields(value, path, allowed: [
                "history_s", "windows_s", "origins", "horizons_s", "models", "criterion", "interval_level",
                "shift_confidence", "reselect_every_s", "calibration_span_s", "calibration_origins", "non_negative",
            ]) else { continue }
            var s = ForecastSettings.defaults(for: metric)
            func seconds(_ key: String) -> [Double]? {
                guard let n = f[key], let items = list(n, "\(path).\(key)") else { return nil }
                let values = items.enumerated().compactMap { number($1, "\(path).\(key)[\($0)]", of: "seconds", .positive) }
                return values.count == items.count ? values : nil
            }
            if let n = f["history_s"], let v = number(n, "\(path).history_s", of: "seconds", .positive) { s.history = v }
            if let v = seconds("windows_s") { s.trainingWindows = v }
            if let v = seconds("horizons_s") { s.horizons = v }
            if let n = f["origins"], let v = integer(n, "\(path).origins", minimum: 1) { s.origins = v }
            if let n = f["calibration_origins"], let v = integer(n, "\(path).calibration_origins", minimum: 1) { s.calibrationOrigins = v }
            if let n = f["reselect_every_s"], let v = number(n, "\(path).reselect_every_s", of: "seconds", .positive) { s.reselectEvery = v }
            if let n = f["calibration_span_s"], let v = number(n, "\(path).calibration_span_s", of: "seconds", .positive) {
                s.calibrationSpan = v
            }
            if let n = f["interval_level"], let v = number(n, "\(path).interval_level", of: nil, .unit) { s.intervalLevel = v }
            if let n = f["shift_confidence"], let v = number(n, "\(path).shift_confidence", of: nil, .unit) { s.shiftConfidence = v }
            if let n = f["models"], let items = list(n, "\(path).models") {
                var names: [String] = []
                for (i, item) in items.enumerated() {
                    guard let name = string(item, "\(path).models[\(i)]") else { continue }
                    if let known = ForecastSettings.modelName(name) {
                        names.append(known)
                    } else {
                        error("\(path).models[\(i)]", item, ClusterNames.unknown("model", name, among: ForecastSettings.modelNames))
                    }
                }
                if names.count == items.count { s.models = names }
            }
            if let n = f["criterion"], let c = string(n, "\(path).criterion") {
                if let criterion = Criterion(rawValue: c) { s.criterion = criterion } else {
                    error("\(path).criterion", n, "must be `mae` or `mape`, found `\(c)`")
                }
            }
            if let n = f["non_negative"] {
                switch n.scalar?.string.lowercased() {
                case "true"?: s.nonNegative = true
                case "false"?: s.nonNegative = false
                default: error("\(path).non_negative", n, "must be `true` or `false`, found \(found(n))")
                }
            }
            // Bounds the settings' own check knows (windows, horizons, levels...).
            for problem in s.problems() { error(path, value, problem) }
            out[metric] = s
        }
        return out
    }
}
