import Foundation

/// The one parser of written durations outside the language (command-line flags, test
/// settings): `250ms`, `60s`, `5min`, `1.5h`, `2d`, `1w`, with or without a space before
/// the unit; a bare number is seconds. Negative, infinite and NaN durations are refused;
/// each caller bounds the range it accepts.
public enum DurationText {
    public static let units: [(suffix: String, seconds: Double)] = [
        ("ms", 0.001), ("min", 60), ("s", 1), ("h", 3600), ("d", 86_400), ("w", 604_800),
    ]

    /// An example to show in messages.
    public static let example = "60s, 5min, 6h or 2d"

    public static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var number = Substring(trimmed)
        var factor = 1.0
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            number = trimmed.dropLast(unit.suffix.count)
            factor = unit.seconds
            break
        }
        let digits = number.trimmingCharacters(in: .whitespaces)
        // Only plain decimal numbers: no `inf`, `nan`, hex floats or signs.
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "E") }),
              digits.first!.isNumber || digits.first == ".", let v = Double(digits), v.isFinite else { return nil }
        let seconds = v * factor
        return seconds.isFinite ? seconds : nil
    }

    /// Short durations for messages: `5 min`, `1 h`, `30 s`.
    public static func short(_ seconds: Double) -> String {
        func n(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(format: "%g", v) }
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(n(seconds / 3600)) h" }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(n(seconds / 60)) min" }
        return "\(n(seconds)) s"
    }
}
