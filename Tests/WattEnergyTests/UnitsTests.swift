import Testing
@testable import WattEnergy

@Suite struct SIUnitsTests {
    @Test func conversions() {
        #expect(SI.kWh(1) == 3.6e6)
        #expect(SI.toGramsPerKWh(SI.gramsPerKWh(400)) == 400)
        #expect(abs(SI.gramsPerKWh(400) * SI.kWh(6) - 2400) < 1e-9)
    }
}
