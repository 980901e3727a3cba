/// A time-varying rate such as grid carbon intensity (g/J) or an energy price
/// (currency/J): each value holds from its time until the next point's time; the last
/// value holds for `lastDuration` seconds (by default the spacing of the last two points).
/// Grid data are interval averages, so a step function is the faithful reading. A NaN value
/// is a step with no value (a gap in the data: `value(at:)` is nil over it).
public struct StepSeries: Sendable, Equatable {
    public private(set) var times: [Double]
    public private(set) var values: [Double]
    public var lastDuration: Double

    public enum SeriesError: Error, Equatable, CustomStringConvertible {
        case empty
        case lengthMismatch
        case notIncreasing(index: Int)
        case invalidValue(index: Int, value: Double)
        public var description: String {
            switch self {
            case .empty: return "a series needs at least one point"
            case .lengthMismatch: return "times and values differ in length"
            case .notIncreasing(let i): return "point \(i): times must increase"
            case .invalidValue(let i, let v): return "point \(i): value \(v) is not a finite number ≥ 0 (or NaN for a gap)"
            }
        }
    }

    /// Values must be finite and ≥ 0 (`allowsNegative`: any finite number, e.g. °C), or NaN
    /// for a step with no value.
    public init(times: [Double], values: [Double], lastDuration: Double? = nil, allowsNegative: Bool = false) throws {
        guard !times.isEmpty else { throw SeriesError.empty }
        guard times.count == values.count else { throw SeriesError.lengthMismatch }
        for i in times.indices {
            guard times[i].isFinite else { throw SeriesError.notIncreasing(index: i) }
            if i > 0 && !(times[i] > times[i - 1]) { throw SeriesError.notIncreasing(index: i) }
            guard values[i].isNaN || (values[i].isFinite && (allowsNegative || values[i] >= 0)) else {
                throw SeriesError.invalidValue(index: i, value: values[i])
            }
        }
        self.times = times
        self.values = values
        self.lastDuration = lastDuration ?? (times.count > 1 ? times[times.count - 1] - times[times.count - 2] : 3600)
    }

    /// A constant rate for all time.
    public static func constant(_ value: Double) -> StepSeries {
        var s = try! StepSeries(times: [-Double.greatestFiniteMagnitude], values: [value])
        s.lastDuration = .infinity
        return s
    }

    public var start: Double { times[0] }
    public var end: Double { times[times.count - 1] + lastDuration }

    /// The index of the step that holds at `time`, or nil outside the series.
    public func index(at time: Double) -> Int? {
        guard time >= times[0], time < end else { return nil }
        var low = 0, high = times.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if times[mid] <= time { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// The value that holds at `time`; nil outside the series and over a step with no value.
    public func value(at time: Double) -> Double? {
        guard let i = index(at: time), !values[i].isNaN else { return nil }
        return values[i]
    }

    /// The index of the first point strictly after `time` (`times.count` if none).
    func firstIndex(after time: Double) -> Int {
        var low = 0, high = times.count
        while low < high {
            let mid = (low + high) / 2
            if times[mid] <= time { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Start of the step after `index` (the end of the series for the last one).
    func stepEnd(_ index: Int) -> Double { index + 1 < times.count ? times[index + 1] : end }
}
