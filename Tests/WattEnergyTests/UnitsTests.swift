import Testing
@testable import WattEnergy

@Suite struct SIUnitsTests {
    @Test func conversions() {
        #expect(SI.kWh(1) == 3.6e6)
        #expect(SI.toGramsPerKWh(SI.gramsPerKWh(400)) == 400)
        #expect(abs(SI.gramsPerKWh(400) * SI.kWh(6) - 2400) < 1e-9)
    }
}

import WattSupport

@Suite struct SharedSupportTests {
    @Test func calendarRoundTripsAndKnownDates() {
        #expect(CivilCalendar.daysFromCivil(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilCalendar.daysFromCivil(year: 2020, month: 2, day: 29) == 18_321)
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = CivilCalendar.civil(fromDays: days)
            #expect(CivilCalendar.daysFromCivil(year: y, month: m, day: d) == days)
        }
    }

    @Test func editDistanceCountsTranspositionsAsOne() {
        #expect(EditDistance.distance(Array("efficient"), Array("efficeint")) == 1)
        #expect(EditDistance.distance(Array("kw"), Array("kW")) == 1)
        #expect(EditDistance.distance(Array(""), Array("abc")) == 3)
    }
}
