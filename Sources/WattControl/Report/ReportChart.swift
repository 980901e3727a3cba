import Foundation

/// A self-contained SVG of a run: facility power with and without the policies against the
/// site's cap, the grid's carbon intensity, and when each rule acted. No scripts, no fonts
/// beyond the generic families, so it opens in any browser.
public enum ReportChart {
    public struct Series {
        public var times: [Double]
        public var values: [Double]
        public init(times: [Double], values: [Double]) { self.times = times; self.values = values }
    }

    public static func svg(policies: Series, baseline: Series, cap: Double, carbon: Series,
                           firings: [String: [Double]], flaps: [String: [Double]] = [:], title: String) -> String {
        func label(_ rule: String) -> String {
            let n = flaps[rule]?.count ?? 0
            return n == 0 ? rule : "\(rule) (\(n) flap\(n == 1 ? "" : "s"))"
        }
        let longestRule = Double(firings.keys.map { label($0).count }.max() ?? 0)
        let width = 1000.0, left = max(70.0, longestRule * 7 + 16), right = 20.0
        let powerTop = 60.0, powerHeight = 260.0
        let carbonTop = powerTop + powerHeight + 40, carbonHeight = 120.0
        let rulesTop = carbonTop + carbonHeight + 30
        let ruleNames = firings.keys.sorted()
        let height = rulesTop + Double(max(1, ruleNames.count)) * 18 + 30
        let allTimes = policies.times + baseline.times
        let t0 = allTimes.min() ?? 0, t1 = max((allTimes.max() ?? 1), t0 + 1)
        func x(_ t: Double) -> Double { left + (t - t0) / (t1 - t0) * (width - left - right) }
        let pMax = max(cap, (policies.values + baseline.values).max() ?? 1) * 1.05
        func yPower(_ w: Double) -> Double { powerTop + powerHeight - w / pMax * powerHeight }
        let cValues = carbon.values.filter(\.isFinite)
        let cMax = max(1e-12, (cValues.max() ?? 1) * 1.05)
        func yCarbon(_ v: Double) -> Double { carbonTop + carbonHeight - v / cMax * carbonHeight }
        func path(_ s: Series, _ y: (Double) -> Double) -> String {
            var d = ""
            var pen = false
            for (t, v) in zip(s.times, s.values) {
                guard v.isFinite else { pen = false; continue }
                d += (pen ? "L" : "M") + String(format: "%.1f,%.1f ", x(t), y(v))
                pen = true
            }
            return d
        }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(left)" y="22" font-size="15" font-weight="bold">\(esc(title))</text>

        """
        // Power panel.
        out += "<text x=\"\(left)\" y=\"\(powerTop - 6)\">facility power (kW)</text>\n"
        for i in 0...4 {
            let w = pMax * Double(i) / 4
            let y = yPower(w)
            out += String(format: "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", left, width - right, y, y)
            out += String(format: "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#666\">%.0f</text>\n", left - 6, y + 4, w / 1000)
        }
        out += "<path d=\"\(path(baseline, yPower))\" fill=\"none\" stroke=\"#999\" stroke-width=\"1.2\"/>\n"
        out += "<path d=\"\(path(policies, yPower))\" fill=\"none\" stroke=\"#1f6fd1\" stroke-width=\"1.5\"/>\n"
        out += String(format: "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" stroke-dasharray=\"6 4\"/>\n",
                      left, width - right, yPower(cap), yPower(cap))
        let legendY = 40.0
        out += "<text x=\"\(left + 150)\" y=\"\(legendY)\" fill=\"#1f6fd1\">━ with policies</text>"
        out += "<text x=\"\(left + 270)\" y=\"\(legendY)\" fill=\"#999\">━ baseline</text>"
        out += "<text x=\"\(left + 360)\" y=\"\(legendY)\" fill=\"#d62728\">╍ site power cap</text>\n"
        // Carbon panel.
        out += "<text x=\"\(left)\" y=\"\(carbonTop - 6)\">grid carbon intensity (g/kWh)</text>\n"
        for i in 0...2 {
            let v = cMax * Double(i) / 2
            let y = yCarbon(v)
            out += String(format: "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>", left, width - right, y, y)
            out += String(format: "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#666\">%.0f</text>\n", left - 6, y + 4, v * 3.6e6)
        }
        out += "<path d=\"\(path(carbon, yCarbon))\" fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"1.5\"/>\n"
        // Rule firings.
        out += "<text x=\"\(left)\" y=\"\(rulesTop - 8)\">when each rule acted"
            + (flaps.isEmpty ? "" : " (red below: it undid an action within 1 h, a flap)") + "</text>\n"
        let colors = ["#1f6fd1", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
        for (i, rule) in ruleNames.enumerated() {
            let y = rulesTop + Double(i) * 18
            out += String(format: "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#333\">%@</text>", left - 6, y + 10, esc(label(rule)))
            for t in firings[rule] ?? [] {
                out += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"1.5\" height=\"12\" fill=\"%@\"/>", x(t), y, colors[i % colors.count])
            }
            for t in flaps[rule] ?? [] {
                out += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"2\" height=\"4\" fill=\"#b00\"/>", x(t), y + 12.5)
            }
            out += "\n"
        }
        // Time axis: days.
        var day = (t0 / 86_400).rounded(.up) * 86_400
        while day <= t1 {
            out += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#ddd\"/>", x(day), x(day), powerTop, carbonTop + carbonHeight)
            let date = Date(timeIntervalSince1970: day)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let c = calendar.dateComponents([.month, .day], from: date)
            out += String(format: "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#666\">%02d-%02d</text>\n",
                          x(day), carbonTop + carbonHeight + 14, c.month ?? 0, c.day ?? 0)
            day += 86_400
        }
        return out + "</svg>\n"
    }
}
