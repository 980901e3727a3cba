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

    /// The fast path (from Swift's shortest round-trip digits) prints what the search by
    /// precision prints, on values of every magnitude and digit count (a seeded linear congruential
    /// stream, so a failure names a reproducible value).
    @Test func shortestTextAgreesWithTheSearchByPrecision() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return state >> 11 }
        func tenTo(_ n: Int) -> Double { (0..<n).reduce(1.0) { p, _ in p * 10 } }
        var checked = 0
        for i in 0..<20_000 {
            let mantissa = Double(next()) / Double(1 << 53)
            let digits = Int(next() % 17) + 1
            let scale = 1e-6 * tenTo(Int(next() % 24))
            // Values with few digits (common in policies) and full-precision ones.
            let rounded = (mantissa * tenTo(digits)).rounded() / tenTo(digits)
            let value = (i % 2 == 0 ? rounded : mantissa) * scale * (i % 3 == 0 ? -1 : 1)
            guard value != 0, value != value.rounded() || abs(value) >= 1e15,
                  let fast = ShortestDigits.format(value) else { continue }
            checked += 1
            #expect(fast == QuantityFormatter.formatNumberByPrecision(value), "value \(value)")
        }
        #expect(checked > 15_000, "the fast path took only \(checked) values")
        // Carries through nines, wholes within rounding noise, ties left to the slow path.
        for value in [999.9999999999999, 0.09999999999999999, 0.1 + 0.2, 2400.0000000000005, -0.30000000000000004,
                      123456789012345.6, 1.0000000000000002, 9.999999999999998e-5, 1e-5 + 1e-20, 1.5e300, 4.9e-324] {
            let expected = QuantityFormatter.formatNumberByPrecision(value)
            if let fast = ShortestDigits.format(value) { #expect(fast == expected, "value \(value)") }
            #expect(QuantityFormatter.formatNumber(value) == expected, "value \(value)")
        }
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
