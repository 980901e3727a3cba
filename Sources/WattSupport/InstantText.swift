/// The one parser of written instants, used by the language (`time("...")`, JSON worlds),
/// the command line (`--from`, `--now`), cluster files, grid CSVs, job traces and Slurm's
/// output, so they all accept and refuse the same texts. Strict ISO 8601 / RFC 3339 subset:
///
///     2020-06-03                      midnight UTC
///     2020-06-03T12:00  2020-06-03 12:00:00  2020-06-03T12:00:00.250
///     ... followed by nothing (UTC), `Z`, or an offset `+01:00`, `-0530`
///
/// Every date is checked against the calendar (no 2023-02-29, no 2020-04-31); hours are
/// 0–23, minutes and seconds 0–59. Surrounding spaces are allowed. Times are UTC seconds
/// since 1970-01-01, fractions of a second kept.
public enum InstantText {
    /// Why a text is not an instant, and at which byte (0-based) it went wrong.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public var offset: Int
        public var reason: String
        public var description: String { reason }
    }

    /// An example to show in messages.
    public static let example = "2020-06-03 or 2020-06-03T12:00:00Z"

    public static func parse(_ text: String) -> Double? {
        if case .success(let t) = check(text) { return t }
        return nil
    }

    public static func parse(bytes: some Collection<UInt8>) -> Double? {
        if case .success(let t) = check(bytes: bytes) { return t }
        return nil
    }

    public static func check(_ text: String) -> Result<Double, Failure> {
        var text = text
        return text.withUTF8 { check(bytes: $0) }
    }

    public static func check(bytes: some Collection<UInt8>) -> Result<Double, Failure> {
        var scanner = Scanner(bytes: Array(bytes))
        do { return .success(try scanner.instant()) } catch { return .failure(error) }
    }

    private struct Scanner {
        let b: [UInt8]
        var i = 0
        init(bytes: [UInt8]) { b = bytes }

        func fail(_ reason: String) -> Failure { Failure(offset: i, reason: reason) }

        mutating func skipSpaces() { while i < b.count, b[i] == 32 { i += 1 } }

        mutating func digits(_ n: Int, _ what: String) throws(Failure) -> Int {
            guard i + n <= b.count else { throw fail("expected \(n) digits of the \(what)") }
            var v = 0
            for k in i..<(i + n) {
                guard (48...57).contains(b[k]) else { i = k; throw fail("expected \(n) digits of the \(what)") }
                v = v * 10 + Int(b[k] - 48)
            }
            i += n
            return v
        }

        mutating func take(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }

        mutating func instant() throws(Failure) -> Double {
            skipSpaces()
            let year = try digits(4, "year")
            guard take(45) else { throw fail("expected `-` after the year") }
            let month = try digits(2, "month")
            guard (1...12).contains(month) else { i -= 2; throw fail("month \(month) is not 1 to 12") }
            guard take(45) else { throw fail("expected `-` after the month") }
            let day = try digits(2, "day")
            let length = CivilCalendar.daysIn(month: month, year: year)
            guard (1...length).contains(day) else {
                i -= 2
                throw fail("day \(day) is not in \(CivilCalendar.monthNames[month - 1]) \(year) (1 to \(length))")
            }
            var seconds = Double(CivilCalendar.daysFromCivil(year: year, month: month, day: day)) * 86_400
            let afterDate = i
            skipSpaces()
            if i == b.count { return seconds }
            i = afterDate
            guard take(84) || take(116) || take(32) else { throw fail("expected `T` or a space before the time") }
            let hour = try digits(2, "hour")
            guard hour < 24 else { i -= 2; throw fail("hour \(hour) is not 0 to 23") }
            guard take(58) else { throw fail("expected `:` after the hour") }
            let minute = try digits(2, "minute")
            guard minute < 60 else { i -= 2; throw fail("minute \(minute) is not 0 to 59") }
            seconds += Double(hour * 3600 + minute * 60)
            if take(58) {
                let second = try digits(2, "second")
                guard second < 60 else { i -= 2; throw fail("second \(second) is not 0 to 59") }
                seconds += Double(second)
                if take(46) {
                    var scale = 0.1
                    let start = i
                    while i < b.count, (48...57).contains(b[i]) { seconds += Double(b[i] - 48) * scale; scale /= 10; i += 1 }
                    guard i > start else { throw fail("expected digits after the decimal point") }
                }
            }
            skipSpaces()
            if take(90) || take(122) {
                // UTC.
            } else if i < b.count, b[i] == 43 || b[i] == 45 {
                let sign = b[i] == 45 ? -1.0 : 1.0
                i += 1
                let hours = try digits(2, "offset's hours")
                _ = take(58)
                let minutes = try digits(2, "offset's minutes")
                guard hours <= 18, minutes < 60 else { i -= 2; throw fail("offset beyond ±18:00") }
                // 12:00+01:00 is 11:00 UTC.
                seconds -= sign * Double(hours * 3600 + minutes * 60)
            }
            skipSpaces()
            guard i == b.count else { throw fail("unexpected text after the time") }
            return seconds
        }
    }
}
