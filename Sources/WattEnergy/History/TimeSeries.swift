/// One observation of a metric: `time` in seconds since 1970-01-01 UTC, `value` in the
/// metric's own unit. A NaN value is an explicit "missing" marker (the collector knew a
/// sample was due and had none); it is kept so that resampling can mark the gap.
public struct Sample: Sendable, Equatable {
    public var time: Double
    public var value: Double
    public init(time: Double, value: Double) { self.time = time; self.value = value }

    /// Equality that treats two NaN values as equal (missing == missing).
    public static func == (a: Sample, b: Sample) -> Bool {
        a.time == b.time && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }
}

/// A series on a regular time grid, what the forecasting models consume: `values[i]` is the
/// value at `start + i * step`. A NaN value marks a gap (no data for that grid point).
public struct TimeSeries: Sendable {
    /// Time of the first point, seconds since 1970-01-01 UTC.
    public var start: Double
    /// Grid spacing in seconds (> 0).
    public var step: Double
    /// One value per grid point; NaN for a gap.
    public var values: [Double]

    public init(start: Double, step: Double, values: [Double]) {
        precondition(step > 0 && step.isFinite, "TimeSeries step must be positive")
        self.start = start; self.step = step; self.values = values
    }

    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }
    /// Time of the last point (`start - step` for an empty series).
    public var end: Double { time(at: values.count - 1) }
    public func time(at index: Int) -> Double { start + Double(index) * step }
    /// The index of the grid point nearest to `time` (may be outside `0..<count`).
    public func nearestIndex(to time: Double) -> Int { Int(((time - start) / step).rounded()) }
    /// Whether point `index` is a gap.
    public func isGap(_ index: Int) -> Bool { !values[index].isFinite }
    /// Number of gap points.
    public var gapCount: Int { values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) } }

    /// The value at an arbitrary time: linear interpolation between the two neighbouring grid
    /// points, nil outside the grid or next to a gap.
    public func value(at time: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let x = (time - start) / step
        guard x >= -1e-9, x <= Double(values.count - 1) + 1e-9 else { return nil }
        let i = min(max(Int(x.rounded(.down)), 0), values.count - 1)
        let f = x - Double(i)
        if f < 1e-9 || i == values.count - 1 { return values[i].isFinite ? values[i] : nil }
        let a = values[i], b = values[i + 1]
        guard a.isFinite, b.isFinite else { return nil }
        return a + (b - a) * f
    }

    /// The points with `from <= time <= to` (grid kept; empty if none).
    public func slice(from: Double, to: Double) -> TimeSeries {
        let lo = max(0, Int(((from - start) / step - 1e-9).rounded(.up)))
        let hi = min(values.count - 1, Int(((to - start) / step + 1e-9).rounded(.down)))
        guard lo <= hi else { return TimeSeries(start: time(at: lo), step: step, values: []) }
        return TimeSeries(start: time(at: lo), step: step, values: Array(values[lo...hi]))
    }

    /// Points `range` of the grid.
    public subscript(range: Range<Int>) -> TimeSeries {
        TimeSeries(start: time(at: range.lowerBound), step: step, values: Array(values[range]))
    }

    /// Every grid point as a sample (gaps keep their NaN value).
    public var samples: [Sample] { values.indices.map { Sample(time: time(at: $0), value: values[$0]) } }
}

extension TimeSeries: Equatable {
    public static func == (a: TimeSeries, b: TimeSeries) -> Bool {
        a.start == b.start && a.step == b.step && a.values.count == b.values.count
            && zip(a.values, b.values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }
}

/// How irregular samples become one value per grid point (see `TimeSeries.resample`).
public enum ResamplingMethod: Sendable, Equatable {
    /// The value at the grid time itself: a sample exactly on the grid point (within 1 ms) if
    /// there is one, else linear interpolation between the nearest samples before and after.
    case point
    /// The mean of the finite samples in the bucket `[t, t + step)` labelled by its start `t`;
    /// an empty bucket is interpolated at `t` as for `.point`.
    case mean
}

extension TimeSeries {
    /// Resamples irregular samples (sorted by time; equal times allowed, the last wins for
    /// `.point`) onto the grid `start + i * step`, `i < count`.
    ///
    /// Gap marking: a grid point is NaN when
    /// - its bucket (`.mean`) or exact time (`.point`) holds only missing (NaN) samples, or
    /// - it must be interpolated and the nearest sample before or after it is missing (an
    ///   explicit NaN blocks interpolation), does not exist (before the first or after the last
    ///   sample: no extrapolation), or the two neighbours are more than `maxGap` seconds apart.
    ///
    /// `maxGap` (seconds) defaults to `2 * step`: a single missing sample on the target grid is
    /// bridged, a longer silence becomes a gap.
    public static func resample(_ samples: [Sample], start: Double, step: Double, count: Int,
                                method: ResamplingMethod = .point, maxGap: Double? = nil) -> TimeSeries {
        precondition(step > 0)
        let maxGap = maxGap ?? 2 * step
        let tolerance = 1e-3
        var values = [Double](repeating: .nan, count: max(count, 0))
        guard count > 0, !samples.isEmpty else { return TimeSeries(start: start, step: step, values: values) }
        // `j` is the first sample with time >= the current grid time (minus tolerance).
        var j = 0
        for i in 0..<count {
            let t = start + Double(i) * step
            while j < samples.count && samples[j].time < t - tolerance { j += 1 }
            var found = false
            switch method {
            case .point:
                var k = j
                var last = Double.nan
                var any = false
                while k < samples.count && samples[k].time <= t + tolerance { last = samples[k].value; any = true; k += 1 }
                if any { values[i] = last; found = true }
            case .mean:
                var k = j, sum = 0.0, n = 0
                var any = false
                while k < samples.count && samples[k].time < t + step - tolerance {
                    any = true
                    if samples[k].value.isFinite { sum += samples[k].value; n += 1 }
                    k += 1
                }
                if any { values[i] = n > 0 ? sum / Double(n) : .nan; found = true }
            }
            if found { continue }
            // Interpolate between the sample before t and the first at or after t.
            guard j > 0, j < samples.count else { continue }
            let a = samples[j - 1], b = samples[j]
            guard a.value.isFinite, b.value.isFinite, b.time - a.time <= maxGap + tolerance, b.time > a.time else { continue }
            values[i] = a.value + (b.value - a.value) * (t - a.time) / (b.time - a.time)
        }
        return TimeSeries(start: start, step: step, values: values)
    }

    /// Resamples onto the grid from `start` (default: the first sample's time rounded down to
    /// a multiple of `step`) to the last sample.
    public static func resample(_ samples: [Sample], step: Double, start: Double? = nil,
                                method: ResamplingMethod = .point, maxGap: Double? = nil) -> TimeSeries {
        guard let first = samples.first, let last = samples.last else {
            return TimeSeries(start: start ?? 0, step: step, values: [])
        }
        let s = start ?? (first.time / step).rounded(.down) * step
        let n = last.time < s ? 0 : Int(((last.time - s) / step + 1e-9).rounded(.down)) + 1
        return resample(samples, start: s, step: step, count: n, method: method, maxGap: maxGap)
    }

    /// The most common spacing between consecutive samples (0 for fewer than two samples).
    public static func typicalStep(of samples: [Sample]) -> Double {
        guard samples.count > 1 else { return 0 }
        var counts: [Double: Int] = [:]
        for i in 1..<samples.count { counts[(samples[i].time - samples[i - 1].time).rounded(), default: 0] += 1 }
        return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
    }
}

/// Summary statistics of the finite values of a list (NaN ignored).
public struct SeriesStatistics: Sendable, Equatable {
    public var count: Int
    public var mean: Double
    /// Sample standard deviation (n - 1).
    public var standardDeviation: Double
    public var min: Double
    public var max: Double

    public init(_ values: some Sequence<Double>) {
        var n = 0, mean = 0.0, m2 = 0.0, lo = Double.infinity, hi = -Double.infinity
        for v in values where v.isFinite {
            n += 1
            let d = v - mean
            mean += d / Double(n)
            m2 += d * (v - mean)
            lo = Swift.min(lo, v); hi = Swift.max(hi, v)
        }
        count = n
        self.mean = n > 0 ? mean : .nan
        standardDeviation = n > 1 ? (m2 / Double(n - 1)).squareRoot() : .nan
        min = n > 0 ? lo : .nan
        max = n > 0 ? hi : .nan
    }
}
