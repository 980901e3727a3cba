/// Functions the language itself provides (they work on any host's vocabulary).
public enum Builtins {
    public enum Aggregate: String, Sendable, CaseIterable {
        case count, sum, avg, min, max, any, all
    }
    public enum Scalar: String, Sendable, CaseIterable {
        case abs, clamp, present, floor, ceil, round, contains, starts_with, ends_with, time
    }
    public enum Kind: Sendable {
        case aggregate(Aggregate)
        case scalar(Scalar)
    }

    public static let all: [String: Kind] = {
        var table: [String: Kind] = [:]
        for a in Aggregate.allCases { table[a.rawValue] = .aggregate(a) }
        for s in Scalar.allCases { table[s.rawValue] = .scalar(s) }
        return table
    }()

    public static let docs: [String: String] = [
        "count": "count(C) or count(C, P): number of elements (satisfying P)",
        "sum": "sum(C) or sum(C, E): total of a list of quantities, or of E per element",
        "avg": "avg(C) or avg(C, E): mean; missing when the collection is empty",
        "min": "min(C), min(C, E) or min(a, b, ...): smallest value",
        "max": "max(C), max(C, E) or max(a, b, ...): largest value",
        "any": "any(C) or any(C, P): some element is true / satisfies P (false when empty)",
        "all": "all(C) or all(C, P): every element is true / satisfies P (true when empty)",
        "abs": "abs(x): magnitude of a quantity",
        "clamp": "clamp(x, low, high): x limited to [low, high]",
        "present": "present(x): whether x has a value (false for missing telemetry)",
        "floor": "floor(x): round a number down", "ceil": "ceil(x): round a number up",
        "round": "round(x): round a number to the nearest integer",
        "contains": "contains(s, part): substring test", "starts_with": "starts_with(s, prefix)",
        "ends_with": "ends_with(s, suffix)",
        "time": "time(\"2026-11-29T18:00:00Z\"): a time instant from ISO 8601 (UTC)",
        "now": "now: the time of the evaluation (a time instant)",
    ]

    /// Fields of a time instant, computed in UTC.
    public enum TimeComponent: String, Sendable, CaseIterable {
        case year, month, day, hour, minute, second, weekday, time_of_day, day_of_year
    }
}
