import Foundation

/// Prints canonical values in a sensible unit: the largest unit of the dimension's family
/// in which the magnitude is at least 1 (`1500 W` prints as `1.5 kW`).
public enum QuantityFormatter {
    public static func format(_ canonical: Double, _ dimension: Dimension, preferred: String? = nil) -> String {
        if canonical.isNaN { return "NaN" }
        if let preferred, let unit = UnitTable.lookup(preferred), unit.dimension == dimension {
            return formatNumber(unit.fromCanonical(canonical)) + separator(preferred) + preferred
        }
        if dimension.isDimensionless { return formatNumber(canonical) }
        if let family = UnitTable.displayFamilies[dimension] {
            let units = family.compactMap { UnitTable.units[$0] }
            var chosen = units.last!
            if canonical.isFinite, canonical != 0 {
                for unit in units where abs(unit.fromCanonical(canonical)) >= 1 - 1e-12 {
                    chosen = unit
                    break
                }
            }
            return formatNumber(chosen.fromCanonical(canonical)) + " " + chosen.symbol
        }
        return formatNumber(canonical) + " " + canonicalSymbol(dimension)
    }

    private static func separator(_ symbol: String) -> String { symbol == "%" ? " " : " " }

    /// A unit formula in canonical units for dimensions without a family (`J/s^2`).
    static func canonicalSymbol(_ dimension: Dimension) -> String {
        let bases = ["J", "s", "g", "degC", "B", "USD", "EUR", "GBP"]
        var numerator: [String] = []
        var denominator: [String] = []
        for (base, exponent) in zip(bases, dimension.exponents) where exponent != 0 {
            let power = abs(Int(exponent)) == 1 ? "" : "^\(abs(Int(exponent)))"
            if exponent > 0 { numerator.append(base + power) } else { denominator.append(base + power) }
        }
        let top = numerator.isEmpty ? "1" : numerator.joined(separator: "*")
        return denominator.isEmpty ? top : top + "/" + denominator.joined(separator: "/")
    }

    /// Up to 6 significant digits, no trailing zeros, integers without a decimal point.
    public static func formatNumber(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == 0 { return "0" }
        let rounded = Double(String(format: "%.6g", value)) ?? value
        if rounded == rounded.rounded(), abs(rounded) < 1e15 {
            return String(Int64(rounded))
        }
        var text = String(format: "%.6g", value)
        if text.contains("e") {
            // 1.5e+07 → 1.5e7
            text = text.replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e+", with: "e")
                .replacingOccurrences(of: "e-0", with: "e-")
        }
        return text
    }
}
