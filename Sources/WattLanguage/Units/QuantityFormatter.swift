import Foundation

/// Prints canonical values in a sensible unit: the largest unit of the dimension's family
/// in which the magnitude is at least 1 (`1500 W` prints as `1.5 kW`).
public enum QuantityFormatter {
    public static func format(_ canonical: Double, _ dimension: Dimension, preferred: String? = nil) -> String {
        if canonical.isNaN { return "NaN" }
        if let preferred, let unit = UnitTable.unit(preferred, as: dimension) {
            return formatNumber(unit.fromCanonical(canonical)) + separator(preferred) + preferred
        }
        if dimension.isDimensionless { return formatNumber(canonical) }
        if let family = UnitTable.displayFamilies[dimension] {
            var text = scaled(canonical, in: family.compactMap { UnitTable.unit($0, as: dimension) })
            // Data sizes keep binary prefixes where they read shorter (`1536 MiB` is `1.5 GiB`,
            // `1.5 GB` stays `1.5 GB`).
            if dimension == .data {
                let binary = scaled(canonical, in: UnitTable.binaryDataFamily.compactMap { UnitTable.units[$0] })
                if significantDigits(binary) < significantDigits(text) { text = binary }
            }
            return text
        }
        if let rates = UnitTable.rateFamilies[dimension] { return scaled(canonical, in: rates) }
        return formatNumber(canonical) + " " + canonicalSymbol(dimension)
    }

    /// In the largest unit of `units` (largest first) in which the magnitude is at least 1.
    private static func scaled(_ canonical: Double, in units: [PhysicalUnit]) -> String {
        var chosen = units.last!
        if canonical.isFinite, canonical != 0 {
            for unit in units where abs(unit.fromCanonical(canonical)) >= 1 - 1e-12 {
                chosen = unit
                break
            }
        }
        return formatNumber(chosen.fromCanonical(canonical)) + " " + chosen.symbol
    }

    /// Digits of a printed number's mantissa without leading and trailing zeros (`1.50 GiB`: 2).
    static func significantDigits(_ text: String) -> Int {
        let number = text.prefix { $0 != " " && $0 != "e" }
        let digits = number.filter(\.isNumber).drop { $0 == "0" }
        return max(1, digits.reversed().drop { $0 == "0" }.count)
    }

    private static func separator(_ symbol: String) -> String { symbol == "%" ? " " : " " }

    /// A unit formula in canonical units for dimensions without a family (`J/s^2`).
    static func canonicalSymbol(_ dimension: Dimension) -> String {
        // In a formula a temperature is a difference: K.
        let bases = ["J", "s", "g", "K", "B", "USD", "EUR", "GBP"]
        var numerator: [String] = []
        var denominator: [String] = []
        for (base, exponent) in zip(bases, dimension.exponents) where exponent != 0 {
            let power = abs(Int(exponent)) == 1 ? "" : "^\(abs(Int(exponent)))"
            if exponent > 0 { numerator.append(base + power) } else { denominator.append(base + power) }
        }
        let top = numerator.isEmpty ? "1" : numerator.joined(separator: "*")
        return denominator.isEmpty ? top : top + "/" + denominator.joined(separator: "/")
    }

    /// The shortest text that reads back to the same value, with at most 15 significant
    /// digits: a 16th or 17th digit would only show binary rounding of a unit conversion
    /// (`0.1 + 0.2` prints `0.3`). Integers below 10^15 print exactly, without a decimal point.
    public static func formatNumber(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == 0 { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        if let text = ShortestDigits.format(value) { return text }
        return formatNumberByPrecision(value)
    }

    /// The shortest `%.Ng` (N ≤ 15) that reads back as `value`, else `%.15g`.
    static func formatNumberByPrecision(_ value: Double) -> String {
        // Reading back is monotone in the precision (the correctly rounded N+1 digits are at
        // least as close as the N digits), so the shortest is found by bisection: 4 or 5
        // formats instead of up to 15.
        func format(_ precision: Int) -> String { String(format: "%.\(precision)g", value) }
        var low = 1, high = 15
        while low < high {
            let mid = (low + high) / 2
            if Double(format(mid)) == value { high = mid } else { low = mid + 1 }
        }
        var text = format(low)
        // %.15g of a value within rounding noise of an integer prints it without a point.
        if let whole = Double(text), whole == whole.rounded(), abs(whole) < 1e15, !text.contains("e") { return String(Int64(whole)) }
        if text.contains("e") {
            // 1.5e+07 → 1.5e7
            text = text.replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e+", with: "e")
                .replacingOccurrences(of: "e-0", with: "e-")
        }
        return text
    }
}
