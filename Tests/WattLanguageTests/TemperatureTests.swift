import Testing
@testable import WattLanguage

/// Temperatures as readings (points) and differences (issue 17). Comparisons across scales and
/// the hand-computed table live in the corpus (`eval/units_table_temperature.watt`); Pint
/// checks thousands more (`make units-oracle`). The test world's outdoor temperature is
/// 8 degC and its nodes read 71, 66, 58, 41 and 38 degC.
@Suite struct TemperatureTests {
    @Test(arguments: [
        // The table.
        ("20 degC + 10 K", "30 degC"),
        ("site.outdoor_temperature + 10 K", "18 degC"),
        ("-40 degF == -40 degC", "true"),
        ("(30 degC - 20 degC) == 10 K", "true"),
        ("300 K - 290 K", "10 K"),
        ("1 kW/K * 10 K", "10 kW"),
        // A reading minus a reading is a difference, printed in K.
        ("30 degC - 20 degC", "10 K"),
        ("max(nodes.temperature) - site.outdoor_temperature", "63 K"),
        ("50 degF - 41 degF", "5 K"),
        // A reading plus or minus a difference stays on its scale.
        ("site.outdoor_temperature - 5 K", "3 degC"),
        ("50 degF + (59 degF - 50 degF)", "59 degF"),
        ("10 K + 20 degC", "30 degC"),
        ("-40 degF + 10 K", "-22 degF"),
        // Kelvin beside a reading that it is compared with is a reading on the absolute scale.
        ("site.outdoor_temperature > 280 K", "true"),
        ("site.outdoor_temperature < 282 K", "true"),
        ("300 K - 20 degC", "6.85 K"),
        ("max(20 degC, 300 K)", "26.85 degC"),
        ("site.outdoor_temperature ?? 300 K", "8 degC"),
        ("if true then 300 K else site.outdoor_temperature", "26.85 degC"),
        // Beside a difference, kelvin is a difference.
        ("(30 degC - 20 degC) + 5 K", "15 K"),
        ("max(nodes.temperature) - site.outdoor_temperature > 50 K", "true"),
        ("clamp(30 degC - 20 degC, 0 K, 5 K)", "5 K"),
        // Differences scale, compose and divide.
        ("2 * (30 degC - 20 degC)", "20 K"),
        ("(30 degC - 20 degC) / (5 degC - 0 degC)", "2"),
        ("(30 degC - 20 degC) > 0", "true"),
        ("-(30 degC - 20 degC)", "-10 K"),
        ("2 kW/K * (max(nodes.temperature) - 60 degC)", "22 kW"),
        // Per-element readings.
        ("count(nodes where temperature > 50 degC)", "3"),
        ("count(nodes where temperature - site.outdoor_temperature > 60 K)", "1"),
        ("count(nodes where temperature > 320 K)", "3"),
    ])
    func values(_ input: String, _ expected: String) {
        for tables in [false, true] {
            #expect(TestWorld.eval(input, tables: tables) == expected, "tables: \(tables)")
        }
    }

    @Test(arguments: [
        ("let x = 20 degC + 10 degF", "E0405", "cannot add two temperature readings"),
        ("let x = site.outdoor_temperature + site.outdoor_temperature", "E0405", "cannot add two temperature readings"),
        ("let x = 2 degC * 2", "E0405", "cannot multiply temperature (degC)"),
        ("let x = site.outdoor_temperature / 2", "E0405", "cannot divide temperature (degC)"),
        ("let x = 30 degC / 10 degC", "E0405", "cannot divide"),
        ("let x = -site.outdoor_temperature", "E0405", "cannot negate temperature (degC)"),
        ("let x = 5 K - site.outdoor_temperature > 0 K", "", ""),
        ("let x = (30 degC - 20 degC) - site.outdoor_temperature", "E0405", "cannot subtract a temperature reading from a difference"),
        ("let x = site.outdoor_temperature > 30 degC - 20 degC", "E0401", "cannot compare temperature (degC) with temperature difference (K)"),
        ("let x = site.outdoor_temperature > 0", "E0401", "cannot compare"),
        ("let x = -300 degC", "E0105", "`-300 degC` is below absolute zero"),
        ("let x = -500 degF", "E0105", "below absolute zero"),
        ("let x = site.outdoor_temperature > -5 K", "E0105", "`-5 K` is below absolute zero"),
        ("let x = 20 degC - 300 K", "E0407", "below absolute zero"),
        ("let x = site.outdoor_temperature * 1 kW/K", "E0405", "cannot multiply"),
    ])
    func errors(_ source: String, _ code: String, _ message: String) {
        let diagnostics = TestWorld.compile(source).diagnostics.filter { $0.severity == .error }
        if code.isEmpty {
            #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message))")
            return
        }
        #expect(diagnostics.first?.code.rawValue == code, "\(diagnostics.map(\.message))")
        #expect(diagnostics.first?.message.contains(message) == true, "\(diagnostics.map(\.message))")
        #expect(diagnostics.first?.help != nil)
    }

    /// Constant sums fold in decimal, as written (`300 K` as a reading is exactly 26.85 degC),
    /// and fall back to the binary sum where an operand has no short decimal.
    @Test func constantSumsFoldAsWritten() {
        #expect(Checker.decimalSum(300, -273.15) == 26.85)
        #expect(Checker.decimalSum(0.1, 0.2) == 0.3)
        #expect(Checker.decimalSum(1e-5, 2e-5) == 3e-5)
        #expect(Checker.decimalSum(1e300, 1e300) == 2e300)
        #expect(Checker.decimalSum(1.0 / 3, 1.0 / 3) == 1.0 / 3 + 1.0 / 3)
        #expect(Checker.decimalSum(-0.57, 0.05) == -0.52)
    }

    @Test func absoluteZeroItselfIsAReading() {
        #expect(TestWorld.eval("-273.15 degC == 0 K") == "true")
        #expect(TestWorld.eval("-459.67 degF == 0 K") == "true")
        #expect(TestWorld.eval("-459.67 degF") == "-459.67 degF")
    }

    @Test func dimensionsKeepTheThreeKindsApart() {
        #expect(Dimension.temperature != Dimension.temperatureDifference)
        #expect(Dimension.kelvin != Dimension.temperatureDifference)
        // Products, quotients and rates are of differences.
        #expect(Dimension.temperature / .time == Dimension.temperatureDifference / .time)
        #expect(Dimension.power / Dimension.kelvin == UnitTable.lookup("kW/degC")!.dimension)
        #expect(Dimension.temperature.asDifference == .temperatureDifference)
        // A reading flag never survives on another dimension.
        #expect(Dimension(energy: 1, temperature: 1, reading: .point).reading == .none)
        #expect(QuantityFormatter.format(10, .temperatureDifference) == "10 K")
        #expect(QuantityFormatter.format(-40, .temperature, preferred: "degF") == "-40 degF")
        #expect(QuantityFormatter.format(26.85, .temperature, preferred: "K") == "300 K")
    }
}
