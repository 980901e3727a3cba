import ArgumentParser
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

    static func instant(_ text: String) throws -> Double {
        switch InstantText.check(text) {
        case .success(let t): return t
        case .failure(let why): throw ValidationError("`\(text)` is not an ISO 8601 date or time (\(why.reason)); e.g. \(InstantText.example)")
        }
    }
}
