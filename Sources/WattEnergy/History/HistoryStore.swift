/// Telemetry history for many metrics, each a bounded `MetricHistory` (ring buffer plus
/// optional downsampling). Metrics are created on first append with the store's default
/// capacity and downsampling, or configured explicitly with `configure`.
///
/// ```swift
/// var store = HistoryStore(capacity: 8_640)             // 30 days of 5-minute samples
/// store.append("site.power", time: t, value: 812_000)   // W
/// let grid = store.series("site.power", step: 300)      // regular grid for the models
/// ```
public struct HistoryStore: Sendable {
    public var defaultCapacity: Int
    public var defaultDownsampling: MetricHistory.Downsampling?
    public private(set) var metrics: [String: MetricHistory] = [:]

    public init(capacity: Int, downsampling: MetricHistory.Downsampling? = nil) {
        defaultCapacity = capacity
        defaultDownsampling = downsampling
    }

    /// Sets (or resets, dropping its samples) one metric's capacity and downsampling.
    public mutating func configure(_ metric: String, capacity: Int, downsampling: MetricHistory.Downsampling? = nil) {
        metrics[metric] = MetricHistory(capacity: capacity, downsampling: downsampling)
    }

    /// Appends a sample; see `MetricHistory.append` for duplicate and out-of-order rules.
    @discardableResult
    public mutating func append(_ metric: String, time: Double, value: Double) -> MetricHistory.Outcome {
        if metrics[metric] == nil {
            metrics[metric] = MetricHistory(capacity: defaultCapacity, downsampling: defaultDownsampling)
        }
        return metrics[metric]!.append(time: time, value: value)
    }

    public subscript(metric: String) -> MetricHistory? { metrics[metric] }

    /// The metric resampled onto a regular grid (nil for an unknown metric).
    public func series(_ metric: String, step: Double, start: Double? = nil, method: ResamplingMethod = .point,
                       maxGap: Double? = nil) -> TimeSeries? {
        metrics[metric]?.series(step: step, start: start, method: method, maxGap: maxGap)
    }
}
