import WattSupport
import WattEnergy

/// Formatting for messages: numbers, instants, lists.
enum ClusterText {
    /// Shortest decimal text: `0.25`, `700`, `1e-05`.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    /// `2020-06-01T12:00:00Z` (fractions of a second are dropped).
    static func instant(_ t: Double) -> String {
        // Beyond about ±8 million years the calendar means nothing (and Int64 would trap).
        guard t.isFinite, abs(t) < 2.5e14 else { return number(t) + " s" }
        let seconds = Int64(t.rounded(.down))
        var days = seconds / 86_400
        var rest = seconds % 86_400
        if rest < 0 { rest += 86_400; days -= 1 }
        let (y, m, d) = civil(fromDays: days)
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rest / 3600, 2)):\(pad(rest % 3600 / 60, 2)):\(pad(rest % 60, 2))Z"
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// (year, month, day) of a day count since 1970-01-01 (H. Hinnant's algorithm).
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let (y, m, d) = CivilCalendar.civil(fromDays: Int(z0))
        return (Int64(y), Int64(m), Int64(d))
    }

    /// Seconds since epoch of `YYYY-MM-DD[ T]HH:MM[:SS][Z]`, or of a plain number.
    static func parseInstant(_ text: String) -> Double? {
        let t = text.trimmingWhitespace()
        if let v = Double(t), v.isFinite { return v }
        return InstantText.parse(t)
    }

    /// `1 GPU`, `8 GPUs`.
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// `a, b and c`.
    static func list(_ items: [String], conjunction: String = "and") -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " \(conjunction) " + items.last!
        }
    }

    /// Up to `limit` ids in backticks, then how many more.
    static func ids(_ ids: [String], limit: Int = 5) -> String {
        let shown = ids.prefix(limit).map { "`\($0)`" }.joined(separator: ", ")
        return ids.count > limit ? shown + " and \(ids.count - limit) more" : shown
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s.removeLast() }
        return String(s)
    }
}

/// Did-you-mean suggestions for ids, names and fields (the same rule as the hardware
/// catalog's: edit distance at most 1 for short names, a third of the length otherwise, or
/// a candidate containing the name, or that the name starts with).
enum ClusterNames {
    static func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
        let n = Array(name.lowercased())
        let limit = max(1, n.count / 3)
        var best: (distance: Int, name: String)?
        for candidate in candidates {
            let c = Array(candidate.lowercased())
            // A length difference beyond the limit cannot be a typo; skip the table.
            if abs(c.count - n.count) > limit, best != nil { continue }
            let d = editDistance(n, c)
            if best == nil || d < best!.distance { best = (d, candidate) }
        }
        guard let best else { return nil }
        if best.distance <= limit { return best.name }
        let lower = name.lowercased()
        guard lower.count >= 3 else { return nil }
        return candidates.first(where: { $0.lowercased().contains(lower) })
            ?? candidates.first(where: { $0.count >= 3 && lower.hasPrefix($0.lowercased()) })
    }

    /// `unknown job \`j99\`; did you mean \`j9\`?`
    static func unknown(_ kind: String, _ name: String, among candidates: some Sequence<String>) -> String {
        "unknown \(kind) `\(name)`" + (suggestion(for: name, among: candidates).map { "; did you mean `\($0)`?" } ?? "")
    }

    /// Optimal string alignment distance.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int { EditDistance.distance(a, b) }
}
