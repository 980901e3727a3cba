import Foundation
import Testing
import WattTestSupport
@testable import WattEnergy

@Suite struct MetricHistoryTests {
    @Test func ringBufferKeepsTheNewestSamples() {
        var h = MetricHistory(capacity: 5)
        for i in 0..<12 { #expect(h.append(time: Double(i), value: Double(i) * 10) == .appended) }
        #expect(h.rawCount == 5)
        #expect(h.rawSamples.map(\.time) == [7, 8, 9, 10, 11])
        #expect(h.samples.map(\.value) == [70, 80, 90, 100, 110])
        #expect(h.coarseBuckets.isEmpty)
    }

    @Test func evictedSamplesAreDownsampledIntoBoundedBuckets() {
        var h = MetricHistory(capacity: 4, downsampling: .init(bucketWidth: 10, bucketCapacity: 2))
        for i in 0..<40 { h.append(time: Double(i), value: Double(i)) }
        // Raw: 36...39. Evicted 0...35: buckets [0,10) [10,20) dropped by the bucket ring,
        // [20,30) closed, [30,40) open with 30...35.
        #expect(h.rawSamples.map(\.time) == [36, 37, 38, 39])
        let buckets = h.coarseBuckets
        #expect(buckets.count == 3)
        #expect(buckets.map(\.start) == [10, 20, 30])
        #expect(buckets[1].mean == 24.5 && buckets[1].min == 20 && buckets[1].max == 29 && buckets[1].count == 10)
        #expect(buckets[2].mean == 32.5 && buckets[2].centroid == 32.5 && buckets[2].count == 6)
        // One sample per bucket, then the raw ones, strictly increasing in time.
        let times = h.samples.map(\.time)
        #expect(times == [14.5, 24.5, 32.5, 36, 37, 38, 39])
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test func samplesAfterATimeAreTheFilteredSamples() {
        var h = MetricHistory(capacity: 4, downsampling: .init(bucketWidth: 10, bucketCapacity: 2))
        #expect(h.samples(after: 0).isEmpty)
        // Gaps (NaN) among the buckets' samples and the raw ones (37).
        for i in 0..<40 { h.append(time: Double(i), value: i % 7 == 2 ? .nan : Double(i)) }
        func text(_ samples: [Sample]) -> [String] { samples.map { "\($0.time) \($0.value)" } }
        // Inside the raw samples, before them (buckets included), after the newest.
        for t in [-1.0, 0, 14.5, 20, 32.5, 35, 35.5, 36, 38, 39, 40] {
            #expect(text(h.samples(after: t)) == text(h.samples.filter { $0.time > t }), "after \(t)")
        }
    }

    @Test func duplicatesReplaceAndOlderSamplesAreRejected() {
        var h = MetricHistory(capacity: 10)
        h.append(time: 100, value: 1)
        h.append(time: 200, value: 2)
        #expect(h.append(time: 200, value: 3) == .replaced(previous: 2))
        #expect(h.append(time: 150, value: 9) == .rejected(.outOfOrder(newest: 200)))
        #expect(h.append(time: .nan, value: 9) == .rejected(.nonFiniteTime))
        #expect(h.append(time: 300, value: .infinity) == .rejected(.infiniteValue))
        #expect(h.rawSamples == [Sample(time: 100, value: 1), Sample(time: 200, value: 3)])
        #expect(h.rejectedCount == 3 && h.replacedCount == 1)
        // A missing marker is kept.
        #expect(h.append(time: 300, value: .nan) == .appended)
        #expect(h.last!.value.isNaN)
    }

    @Test func storeKeepsMetricsApart() {
        var store = HistoryStore(capacity: 3)
        store.append("a", time: 0, value: 1)
        store.append("b", time: 0, value: 2)
        store.append("a", time: 60, value: 3)
        store.configure("c", capacity: 1)
        store.append("c", time: 0, value: 5)
        store.append("c", time: 1, value: 6)
        #expect(store["a"]!.rawSamples.map(\.value) == [1, 3])
        #expect(store["b"]!.rawCount == 1)
        #expect(store["c"]!.rawSamples.map(\.value) == [6])
        #expect(store.series("a", step: 60)!.values == [1, 3])
        #expect(store.series("missing", step: 60) == nil)
    }
}

@Suite struct ResamplingTests {
    @Test func pointResamplingInterpolatesAndMarksGaps() {
        let samples = [Sample(time: 0, value: 0), Sample(time: 90, value: 9), Sample(time: 120, value: 12),
                       Sample(time: 600, value: 60), Sample(time: 660, value: .nan), Sample(time: 720, value: 72)]
        let s = TimeSeries.resample(samples, step: 60, maxGap: 120)
        #expect(s.start == 0 && s.count == 13)
        // 60: between 0 and 90 (90 s apart): interpolated. 180...540: the neighbours 120 and 600
        // are 480 s apart, more than maxGap. 660: an explicit missing sample.
        let expected: [Double] = [0, 6, 12, .nan, .nan, .nan, .nan, .nan, .nan, .nan, 60, .nan, 72]
        #expect(s == TimeSeries(start: 0, step: 60, values: expected))
        #expect(s.gapCount == 8)
    }

    @Test func meanResamplingAveragesBuckets() {
        let samples = [Sample(time: 0, value: 1), Sample(time: 20, value: 3), Sample(time: 40, value: .nan),
                       Sample(time: 70, value: 10), Sample(time: 200, value: 20)]
        let s = TimeSeries.resample(samples, step: 60, method: .mean, maxGap: 200)
        // [0,60): mean of 1 and 3 (NaN ignored); [60,120): 10; [120,180): empty, interpolated
        // at 120 between 70 and 200; [180,240): 20.
        #expect(s.values[0] == 2 && s.values[1] == 10 && s.values[3] == 20)
        #expect(abs(s.values[2] - (10 + 10 * 50 / 130)) < 1e-12)
    }

    @Test func irregularAndJitteredTimestamps() {
        var h = MetricHistory(capacity: 100)
        for i in 0..<10 { h.append(time: Double(i) * 300 + (i % 2 == 0 ? 7 : -11), value: Double(i)) }
        let s = h.series(step: 300, start: 0)
        #expect(s.count == 9)   // grid 0 ... 2400; the last sample is at 2689
        // Grid point 300 lies between samples at 289 (1) and 607 (2).
        #expect(abs(s.values[1] - (1 + 11.0 / 318)) < 1e-12)
        #expect(s.values[0].isNaN)   // before the first sample: no extrapolation
    }

    @Test func seriesAccessors() {
        let s = TimeSeries(start: 1000, step: 10, values: [1, 2, .nan, 4])
        #expect(s.end == 1030)
        #expect(s.value(at: 1005) == 1.5)
        #expect(s.value(at: 1015) == nil)
        #expect(s.value(at: 1030) == 4)
        #expect(s.slice(from: 1005, to: 1030).values.count == 3)
        #expect(s[1..<3].start == 1010)
        let stats = SeriesStatistics(s.values)
        #expect(stats.count == 3 && abs(stats.mean - 7.0 / 3) < 1e-12 && stats.min == 1 && stats.max == 4)
    }
}

@Suite struct GridCarbonCSVTests {
    static let repo = RepositoryRoot.url
    static func path(_ region: String) -> String {
        repo.appendingPathComponent("examples/data/grid/\(region)_ci_2020.csv").path
    }

    @Test func timestamps() {
        #expect(GridCarbonCSV.parseTimestamp(Array("1970-01-01 00:00:00".utf8)) == 0)
        #expect(GridCarbonCSV.parseTimestamp(Array("2020-01-01 00:00:00".utf8)) == 1_577_836_800)
        #expect(GridCarbonCSV.parseTimestamp(Array("2020-02-29T12:30Z".utf8)) == 1_582_979_400)
        #expect(GridCarbonCSV.parseTimestamp(Array("2020-13-01 00:00".utf8)) == nil)
        #expect(GridCarbonCSV.parseTimestamp(Array("yesterday".utf8)) == nil)
    }

    @Test func parsesHeaderGapsAndDuplicates() throws {
        let text = "Time,Carbon Intensity\r\n2020-01-01 00:00:00,100\n2020-01-01 00:30:00,\n\n2020-01-01 01:00:00,90\n2020-01-01 01:00:00,95\n"
        let rows = try GridCarbonCSV.samples(text: text)
        #expect(rows.count == 3)
        #expect(rows[1].value.isNaN)
        #expect(rows[2] == Sample(time: 1_577_840_400, value: 95))
        #expect(throws: GridCarbonCSV.Error.self) { try GridCarbonCSV.samples(text: "2020-01-01 01:00,1\n2020-01-01 00:00,2\n") }
        #expect(throws: GridCarbonCSV.Error.self) { try GridCarbonCSV.samples(text: "2020-01-01 01:00,abc\n") }
    }

    /// The published 2020 figures (Wiesner et al., Middleware 2021) are reproduced on a
    /// 30-minute grid of the files, values taken at the grid times.
    @Test(arguments: [("ger", 313.4, 110.5, 100.7, 593.1), ("gb", 212.9, 65.3, nil, nil), ("fr", 56.3, 19.1, nil, nil)])
    func publishedStatistics(_ region: String, _ mean: Double, _ std: Double, _ min: Double?, _ max: Double?) throws {
        let series = try GridCarbonCSV.load(path: Self.path(region), step: 1800)
        let y2020 = series.slice(from: 1_577_836_800, to: 1_609_459_200 - 1)
        #expect(y2020.count == 366 * 48 && y2020.gapCount == 0)
        let s = SeriesStatistics(y2020.values)
        #expect(abs(s.mean - mean) < 0.05)
        #expect(abs(s.standardDeviation - std) < 0.05)
        if let min { #expect(abs(s.min - min) < 0.05) }
        if let max { #expect(abs(s.max - max) < 0.05) }
    }

    @Test func nativeGrids() throws {
        // Germany at its native 15 minutes (the 2020 maximum, 593.3 at 06:45 on 27 Nov, falls
        // between the 30-minute points); GB mixes 30- and 15-minute rows and loads at 30 minutes.
        let de = try GridCarbonCSV.load(path: Self.path("ger"))
        #expect(de.step == 900 && de.count == 37_149 && de.gapCount == 0)
        let s = SeriesStatistics(de.slice(from: 1_577_836_800, to: 1_609_459_200 - 1).values)
        #expect(abs(s.mean - 313.4) < 0.05 && abs(s.max - 593.3) < 0.05)
        let gb = try GridCarbonCSV.load(path: Self.path("gb"))
        #expect(gb.step == 1800 && gb.gapCount == 0)
        #expect(try GridCarbonCSV.samples(path: Self.path("gb")).count == 21_980)
    }
}
