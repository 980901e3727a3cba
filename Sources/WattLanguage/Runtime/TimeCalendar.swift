import WattSupport

/// UTC calendar arithmetic for time instants, without Foundation (days-from-civil
/// algorithms after H. Hinnant). Weekday is ISO: Monday 1 … Sunday 7.
public enum TimeCalendar {
    public struct Civil: Equatable, Sendable {
        public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Double
    }

    /// The calendar's integer arithmetic holds instants within ±10^17 s (about three
    /// billion years either way). An instant beyond that (a policy's `now + 1e300 h`) or
    /// not finite is taken at that bound, so time fields and printing never trap.
    static let representable = 1e17

    static func clamped(_ seconds: Double) -> Double {
        seconds.isNaN ? 0 : min(max(seconds, -representable), representable)
    }

    public static func civil(_ unclamped: Double) -> Civil {
        let seconds = clamped(unclamped)
        let days = Int((seconds / 86400).rounded(.down))
        let secondsOfDay = seconds - Double(days) * 86400
        let (year, month, day) = CivilCalendar.civil(fromDays: days)
        let hour = Int(secondsOfDay / 3600)
        let minute = Int((secondsOfDay - Double(hour) * 3600) / 60)
        let second = secondsOfDay - Double(hour) * 3600 - Double(minute) * 60
        return Civil(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int { CivilCalendar.daysFromCivil(year: year, month: month, day: day) }

    public static func component(_ c: Builtins.TimeComponent, of seconds: Double) -> Double {
        let t = civil(seconds)
        switch c {
        case .year: return Double(t.year)
        case .month: return Double(t.month)
        case .day: return Double(t.day)
        case .hour: return Double(t.hour)
        case .minute: return Double(t.minute)
        case .second: return t.second.rounded(.down)
        case .time_of_day: return Double(t.hour * 3600 + t.minute * 60) + t.second
        case .weekday:
            let days = Int((clamped(seconds) / 86400).rounded(.down))
            // 1970-01-01 was a Thursday (ISO weekday 4).
            return Double(((days % 7) + 7 + 3) % 7 + 1)
        case .day_of_year:
            return Double(daysFromCivil(year: t.year, month: t.month, day: t.day) - daysFromCivil(year: t.year, month: 1, day: 1) + 1)
        }
    }

    /// `2026-11-29T18:00:00Z`, `2026-11-29T18:00Z`, `2026-11-29 18:00:00+01:00` or `2026-11-29`:
    /// the one strict instant parser (`InstantText`), shared with files and the command line.
    public static func parseISO8601(_ text: String) -> Double? { InstantText.parse(text) }

    public static func format(_ seconds: Double) -> String {
        let t = civil(seconds)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let wholeSeconds = Int(t.second.rounded(.down))
        return "\(t.year)-\(two(t.month))-\(two(t.day))T\(two(t.hour)):\(two(t.minute)):\(two(wholeSeconds))Z"
    }
}
