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
        #expect(QuantityFormatter.formatNumber(1.0 / 3) == "0.333333333333333")
        #expect(QuantityFormatter.formatNumber(0.1 + 0.2) == "0.3", "a 17th digit of binary rounding is not shown")
        #expect(QuantityFormatter.formatNumber(1e20) == "1e20")
        #expect(QuantityFormatter.formatNumber(1.5e-7) == "1.5e-7")
        #expect(QuantityFormatter.formatNumber(.infinity) == "inf")
    }

    /// The rows: integers exact, no six-digit rounding, the shortest text that reads back.
    @Test(arguments: [1234567.0, 659448788, -40, 123456.789, 0.000123, 98765.4321, 1e14 + 1, 2.5e-300])
    func numbersReadBackExactly(_ value: Double) {
        let text = QuantityFormatter.formatNumber(value)
        #expect(Double(text) == value, "`\(text)` does not read back as \(value)")
        #expect(!text.contains("e+"))
    }

    @Test func productsPrintAllTheirDigits() {
        let joules = 3235.647801 * 1422.9848 * 3600
        // Exactly 4.6042776389764248 MWh; the double product differs in the 16th digit.
        let text = QuantityFormatter.format(joules, .energy)
        #expect(text.hasPrefix("4.6042776389764") && text.hasSuffix(" MWh"), "\(text)")
        #expect(QuantityFormatter.format(1234567, .dimensionless) == "1234567")
    }

    @Test func dataSizesKeepBinaryPrefixes() {
        #expect(QuantityFormatter.format(1536 * 1_048_576, .data) == "1.5 GiB")
        #expect(QuantityFormatter.format(1.5e9, .data) == "1.5 GB")
        #expect(QuantityFormatter.format(80e9, .data) == "80 GB")
        #expect(QuantityFormatter.format(512, .data) == "512 B")
    }

    @Test func ratesOfChangePrintPerHour() {
        // history(grid.carbon_intensity, 24 h).rate: g/J per second
        let gramsPerKWhPerHour = 1.0 / 3.6e6 / 3600
        #expect(QuantityFormatter.format(-2.5 * gramsPerKWhPerHour, .carbonIntensity / .time) == "-2.5 g/kWh/h")
        #expect(QuantityFormatter.format(500.0 / 3600, .power / .time) == "500 W/h")
        #expect(QuantityFormatter.format(2e6 / 3600, .power / .time) == "2 MW/h")
        #expect(QuantityFormatter.format(3.0 / 3600, .temperature / .time) == "3 K/h")
    }
}
