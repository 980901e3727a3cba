/// The history of one metric in bounded memory.
///
/// Recent samples live in a ring buffer of `capacity` raw samples. When it is full, the oldest
/// sample is evicted; with `downsampling` set, evicted samples are folded into coarse buckets
/// (`bucketWidth` seconds, aligned to multiples of it since the epoch) kept in a second ring of
/// `bucketCapacity` buckets, so older history survives at lower resolution. Without it,
/// evicted samples are dropped. Memory is therefore at most `capacity` samples plus
/// `bucketCapacity` buckets, whatever is appended.
///
/// Ordering rules (`append`):
/// - timestamps must be finite; values may be NaN (an explicit missing sample) but not
///   infinite;
/// - a sample with the same timestamp as the newest one **replaces** it (a corrected reading);
/// - a sample older than the newest one is **rejected** (`.outOfOrder`): the history is
///   append-only, so a late sample never rewrites data a model may already have used. The
///   caller sees the reason and can count or log it (`rejectedCount`).
public struct MetricHistory: Sendable {
    /// A coarse bucket of evicted samples.
    public struct Bucket: Sendable, Equatable {
        /// Start of the bucket (a multiple of the bucket width), seconds since the epoch.
        public var start: Double
        /// Mean time of the samples folded in (finite values and missing markers alike).
        public var centroid: Double
        /// Mean, min and max of the finite values (NaN when the bucket held only missing samples).
        public var mean: Double
        public var min: Double
        public var max: Double
        /// Number of finite values, and of all samples folded in.
        public var count: Int
        public var sampleCount: Int
    }

    public struct Downsampling: Sendable, Equatable {
        public var bucketWidth: Double
        public var bucketCapacity: Int
        public init(bucketWidth: Double, bucketCapacity: Int) {
            precondition(bucketWidth > 0 && bucketCapacity > 0)
            self.bucketWidth = bucketWidth; self.bucketCapacity = bucketCapacity
        }
    }

    public enum Outcome: Sendable, Equatable {
        case appended
        /// The sample had the newest timestamp again and replaced the previous value.
        case replaced(previous: Double)
        case rejected(RejectReason)
    }

    public enum RejectReason: Sendable, Equatable {
        /// Older than the newest sample held (`newest` is its time).
        case outOfOrder(newest: Double)
        case nonFiniteTime
        case infiniteValue
    }

    public let capacity: Int
    public let downsampling: Downsampling?
    private var raw: Ring<Sample>
    private var buckets: Ring<Bucket>
    /// The bucket being filled by evictions (not yet in `buckets`).
    private var open: Bucket?
    private var openSumTime = 0.0
    /// Samples rejected so far.
    public private(set) var rejectedCount = 0
    /// Samples that replaced a previous one.
    public private(set) var replacedCount = 0

    public init(capacity: Int, downsampling: Downsampling? = nil) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
        self.downsampling = downsampling
        raw = Ring(capacity: capacity)
        buckets = Ring(capacity: downsampling?.bucketCapacity ?? 1)
    }

    /// Number of raw samples held (at most `capacity`).
    public var rawCount: Int { raw.count }
    /// The newest timestamp ever accepted (nil before the first sample).
    public private(set) var newestTime: Double?
    /// The newest sample held.
    public var last: Sample? { raw.count > 0 ? raw[raw.count - 1] : nil }
    /// The newest sample held with a finite value (nil when every sample held is missing).
    public var lastFinite: Sample? {
        var i = raw.count - 1
        while i >= 0 {
            if raw[i].value.isFinite { return raw[i] }
            i -= 1
        }
        return coarseBuckets.last(where: { $0.mean.isFinite }).map { Sample(time: $0.centroid, value: $0.mean) }
    }
    /// The time of the oldest sample held (a coarse bucket's centroid, or the oldest raw sample).
    public var oldestTime: Double? {
        if buckets.count > 0 { return buckets[0].centroid }
        if let open { return open.centroid }
        return raw.count > 0 ? raw[0].time : nil
    }
    /// Raw samples, oldest first.
    public var rawSamples: [Sample] { (0..<raw.count).map { raw[$0] } }
    /// Coarse buckets, oldest first, including the one still being filled.
    public var coarseBuckets: [Bucket] {
        var result = (0..<buckets.count).map { buckets[$0] }
        if let open { result.append(open) }
        return result
    }

    /// Every sample held, oldest first: one per coarse bucket (its mean at its centroid time),
    /// then the raw samples. Times are strictly increasing.
    public var samples: [Sample] {
        coarseBuckets.map { Sample(time: $0.centroid, value: $0.mean) } + rawSamples
    }

    /// The held samples newer than `time`, oldest first: `samples.filter { $0.time > time }`,
    /// without copying the older ones (coarse buckets are older than every raw sample), so a
    /// window over the recent past costs the window, not the whole history.
    public func samples(after time: Double) -> [Sample] {
        var first = raw.count
        while first > 0 && raw[first - 1].time > time { first -= 1 }
        guard first == 0 else { return (first..<raw.count).map { raw[$0] } }
        return samples.filter { $0.time > time }
    }

    @discardableResult
    public mutating func append(time: Double, value: Double) -> Outcome {
        guard time.isFinite else { rejectedCount += 1; return .rejected(.nonFiniteTime) }
        guard !value.isInfinite else { rejectedCount += 1; return .rejected(.infiniteValue) }
        if let newest = newestTime {
            if time < newest { rejectedCount += 1; return .rejected(.outOfOrder(newest: newest)) }
            if time == newest, raw.count > 0 {
                let previous = raw[raw.count - 1].value
                raw[raw.count - 1] = Sample(time: time, value: value)
                replacedCount += 1
                return .replaced(previous: previous)
            }
        }
        if let evicted = raw.push(Sample(time: time, value: value)) { fold(evicted) }
        newestTime = time
        return .appended
    }

    private mutating func fold(_ sample: Sample) {
        guard let downsampling else { return }
        let start = (sample.time / downsampling.bucketWidth).rounded(.down) * downsampling.bucketWidth
        if let current = open, current.start != start {
            _ = buckets.push(current)
            open = nil
        }
        if open == nil {
            open = Bucket(start: start, centroid: sample.time, mean: .nan, min: .nan, max: .nan, count: 0, sampleCount: 0)
            openSumTime = 0
        }
        var b = open!
        b.sampleCount += 1
        openSumTime += sample.time
        b.centroid = openSumTime / Double(b.sampleCount)
        if sample.value.isFinite {
            b.count += 1
            if b.count == 1 {
                b.mean = sample.value; b.min = sample.value; b.max = sample.value
            } else {
                b.mean += (sample.value - b.mean) / Double(b.count)
                b.min = Swift.min(b.min, sample.value); b.max = Swift.max(b.max, sample.value)
            }
        }
        open = b
    }

    /// The held samples resampled onto a regular grid of `step` seconds (see
    /// `TimeSeries.resample` for the gap rules), from `start` (default: the oldest sample,
    /// rounded down to a multiple of `step`) to the newest sample.
    public func series(step: Double, start: Double? = nil, method: ResamplingMethod = .point,
                       maxGap: Double? = nil) -> TimeSeries {
        TimeSeries.resample(samples, step: step, start: start, method: method, maxGap: maxGap)
    }
}

/// A fixed-capacity ring buffer: pushing onto a full ring returns the evicted oldest element.
struct Ring<Element: Sendable>: Sendable {
    private var storage: [Element?]
    private var head = 0
    private(set) var count = 0

    init(capacity: Int) { storage = Array(repeating: nil, count: capacity) }
    var capacity: Int { storage.count }

    mutating func push(_ element: Element) -> Element? {
        let index = (head + count) % storage.count
        if count < storage.count {
            storage[index] = element
            count += 1
            return nil
        }
        let evicted = storage[head]
        storage[head] = element
        head = (head + 1) % storage.count
        return evicted
    }

    subscript(i: Int) -> Element {
        get { storage[(head + i) % storage.count]! }
        set { storage[(head + i) % storage.count] = newValue }
    }
}
