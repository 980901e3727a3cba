import Foundation

/// Command-line durations and instants: `60s`, `5 min`, `1.5h`, `2d`, `250ms` (a bare number
/// is seconds); instants in ISO 8601 (`2020-06-03`, `2020-06-03T12:00:00Z`).
enum DurationArgument {
    static let units: [(suffix: String, seconds: Double)] = [
        ("ms", 0.001), ("min", 60), ("s", 1), ("h", 3600), ("d", 86_400),
    ]

    static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            let number = trimmed.dropLast(unit.suffix.count).trimmingCharacters(in: .whitespaces)
            if let v = Double(number), v.isFinite, v >= 0 { return v * unit.seconds }
        }
        if let v = Double(trimmed), v.isFinite, v >= 0 { return v }
        return nil
    }
}
