import Testing
import WattSupport

/// The one instant parser: what it accepts, what it refuses, and why.
@Suite struct InstantTextTests {
    @Test(arguments: [
        ("1970-01-01", 0.0),
        ("2020-01-01 00:00:00", 1_577_836_800),
        ("2020-02-29T12:30Z", 1_582_979_400),
        ("2020-02-29t12:30z", 1_582_979_400),
        ("2026-11-29T18:00:00Z", 1_795_975_200),
        ("2026-11-29T19:00:00+01:00", 1_795_975_200),
        ("2026-11-29T12:30:00-0530", 1_795_975_200),
        ("  2026-11-29 18:00  ", 1_795_975_200),
        ("2020-06-03T12:00:00.250Z", 1_591_185_600.25),
        ("2000-02-29", 951_782_400),
    ]) func accepts(_ text: String, _ seconds: Double) {
        #expect(InstantText.parse(text) == seconds)
        #expect(InstantText.parse(bytes: Array(text.utf8)) == seconds)
    }

    @Test(arguments: [
        ("2023-02-29T00:00:00Z", "day 29 is not in February 2023 (1 to 28)"),
        ("1900-02-29", "day 29 is not in February 1900 (1 to 28)"),
        ("2020-04-31", "day 31 is not in April 2020 (1 to 30)"),
        ("2020-13-01", "month 13 is not 1 to 12"),
        ("2020-06-03T24:00", "hour 24 is not 0 to 23"),
        ("2020-06-03T12:60", "minute 60 is not 0 to 59"),
        ("2020-06-03T12:00:61", "second 61 is not 0 to 59"),
        ("2020-06-03T12:00:00.", "expected digits after the decimal point"),
        ("2020-06-03X12:00", "expected `T` or a space before the time"),
        ("2020-06-03T12:00:00Z junk", "unexpected text after the time"),
        ("2020-06-03T12:00+25:00", "offset beyond ±18:00"),
        ("yesterday", "expected 4 digits of the year"),
        ("", "expected 4 digits of the year"),
        ("20-06-03", "expected 4 digits of the year"),
    ]) func refuses(_ text: String, _ reason: String) {
        #expect(InstantText.parse(text) == nil)
        guard case .failure(let failure) = InstantText.check(text) else {
            Issue.record("`\(text)` was accepted")
            return
        }
        #expect(failure.reason == reason)
    }

    /// Every day of four years (a leap year among them) round-trips through the calendar.
    @Test func everyDayOfFourYears() {
        var expected = Double(CivilCalendar.daysFromCivil(year: 2019, month: 1, day: 1)) * 86_400
        for year in 2019...2022 {
            for month in 1...12 {
                for day in 1...CivilCalendar.daysIn(month: month, year: year) {
                    let text = String(format: "%04d-%02d-%02dT06:00:00Z", year, month, day)
                    #expect(InstantText.parse(text) == expected + 21_600, "\(text)")
                    expected += 86_400
                }
            }
        }
    }
}
