import Testing
@testable import WattLanguage

@Suite struct UnitsTests {
    @Test func derivedDimensions() {
        #expect(Dimension.power * Dimension.time == .energy)
        #expect(Dimension.energy * Dimension.carbonIntensity == .mass)
        #expect(Dimension.usd / Dimension.energy == UnitTable.lookup("USD/kWh")!.dimension)
        #expect(Dimension.dimensionless / Dimension.time == .frequency)
    }

    @Test func dimensionNames() {
        #expect(Dimension.power.name == "power")
        #expect(Dimension.carbonIntensity.name == "carbon intensity")
        #expect(Dimension.eur.name == "currency (EUR)")
        #expect((Dimension.power * Dimension.power).name == "energy^2/time^2")
    }

    @Test func compoundUnitsResolve() {
        let kWhPerHour = UnitTable.lookup("kWh/h")!
        #expect(kWhPerHour.dimension == .power)
        #expect(abs(kWhPerHour.toCanonical(1) - 1000) < 1e-9)
        #expect(UnitTable.lookup("kW/xyz") == nil)
        #expect(UnitTable.lookup("kw") == nil)
    }

    @Test func temperatureOffsets() {
        #expect(abs(UnitTable.lookup("K")!.toCanonical(273.15)) < 1e-9)
        #expect(abs(UnitTable.lookup("degF")!.toCanonical(212) - 100) < 1e-9)
    }

    @Test(arguments: [
        (1500.0, Dimension.power, "1.5 kW"), (900_000, .power, "900 kW"), (2.5e6, .power, "2.5 MW"), (0, .power, "0 W"),
        (21_600_000, .energy, "6 kWh"), (2400, .mass, "2.4 kg"), (5400, .time, "1.5 h"), (90, .time, "1.5 min"),
        (2.1e9, .frequency, "2.1 GHz"), (400.0 / 3.6e6, .carbonIntensity, "400 g/kWh"), (0.25, .dimensionless, "0.25"),
        (-1500, .power, "-1.5 kW"),
    ])
    func printsInASensibleUnit(_ value: Double, _ dimension: Dimension, _ expected: String) {
        #expect(QuantityFormatter.format(value, dimension) == expected)
    }

    @Test func numberFormatting() {
        #expect(QuantityFormatter.formatNumber(2400.0000000000005) == "2400")
        #expect(QuantityFormatter.formatNumber(1.0 / 3) == "0.333333")
        #expect(QuantityFormatter.formatNumber(1e20) == "1e20")
        #expect(QuantityFormatter.formatNumber(.infinity) == "inf")
    }
}
