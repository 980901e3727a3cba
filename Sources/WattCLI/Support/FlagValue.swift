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

    static func instant(_ text: String) throws -> Double {
        switch InstantText.check(text) {
        case .success(let t): return t
        case .failure(let why): throw ValidationError("`\(text)` is not an ISO 8601 date or time (\(why.reason)); e.g. \(InstantText.example)")
        }
    }
}
