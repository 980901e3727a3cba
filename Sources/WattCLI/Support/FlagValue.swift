import ArgumentParser
import Foundation
import WattControl
import WattSupport

/// Typed flag values, parsed by the one instant and duration parsers; a bad value is a
/// usage error (exit 64) that says what was expected.
enum FlagValue {
    static func duration(_ text: String) throws -> Double {
        guard let seconds = DurationText.parse(text) else {
            throw ValidationError("`\(text)` is not a duration such as \(DurationText.example)")
        }
        return seconds
    }

    /// A number of days for `--days`: above 0 and at most `RunSettings.maxWindowDays`; a
    /// negative one (`-1`, which the parser took for an option and said "Missing value")
    /// says the range.
    static func days(_ text: String) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let v = Double(t), v.isFinite, v > 0, v <= RunSettings.maxWindowDays else {
            throw ValidationError("--days must be a number of days above 0 and at most \(Int(RunSettings.maxWindowDays)), found `\(t)`")
        }
        return v
    }

    /// A duration for `--tick`: 1 s to a day (`RunSettings.tickRange`), as `tick_s` in a cluster file.
    static func tick(_ text: String) throws -> Double {
        let seconds = try duration(text)
        guard RunSettings.tickRange.contains(seconds) else {
            throw ValidationError("--tick must be from 1 s to 1 day (86400 s), found `\(text.trimmingCharacters(in: .whitespaces))`")
        }
        return seconds
    }

    /// A number for `flag` within `range` (a non-number or one outside says the range).
    static func number(_ flag: String, _ range: ClosedRange<Double>, _ unit: String = "") -> @Sendable (String) throws -> Double {
        { text in
            let t = text.trimmingCharacters(in: .whitespaces)
            guard let v = Double(t), v.isFinite, range.contains(v) else {
                throw ValidationError("\(flag) must be a number from \(Self.plain(range.lowerBound)) to \(Self.plain(range.upperBound))\(unit), found `\(t)`")
            }
            return v
        }
    }

    /// A whole number for `flag` within `range`.
    static func count(_ flag: String, _ range: ClosedRange<Int>) -> @Sendable (String) throws -> Int {
        { text in
            let t = text.trimmingCharacters(in: .whitespaces)
            guard let v = Int(t), range.contains(v) else {
                throw ValidationError("\(flag) must be a whole number from \(range.lowerBound) to \(range.upperBound), found `\(t)`")
            }
            return v
        }
    }

    private static func plain(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v) }

    static func instant(_ text: String) throws -> Double {
        switch InstantText.check(text) {
        case .success(let t): return t
        case .failure(let why): throw ValidationError("`\(text)` is not an ISO 8601 date or time (\(why.reason)); e.g. \(InstantText.example)")
        }
    }
}
