/// Carbon and cost of a power trace under time-varying carbon intensity and price.
///
/// Method: location-based accounting with the grid's *average* carbon intensity (what the
/// grid series give), not marginal intensity; the report says so. The integral of
/// power × rate is exact for power linear between samples and rates constant per step:
/// the trace is split at every sample and every step boundary.
public struct AccountingReport: Sendable, Equatable {
    public static let method = "location-based: energy × average grid carbon intensity (not marginal)"

    /// Energy integrated, in joules (over intervals that are not skipped gaps).
    public var joules: Double
    /// Emissions in grams of CO2-equivalent, over the energy with a known intensity.
    public var grams: Double
    /// Cost in the price series' currency, over the energy with a known price.
    public var cost: Double
    /// Energy during which no carbon intensity was known: never counted as zero emissions.
    public var joulesWithoutIntensity: Double
    /// Energy during which no price was known.
    public var joulesWithoutPrice: Double
    /// Time (s) of the integrated trace during which no carbon intensity was known.
    public var secondsWithoutIntensity: Double = 0
    /// Power-trace gaps longer than the allowed maximum (skipped unless a policy fills them).
    public var gaps: [Gap]
    public var method: String { AccountingReport.method }

    /// Emission-weighted average intensity (g/J) over the energy with a known intensity.
    public var averageIntensity: Double? {
        let known = joules - joulesWithoutIntensity
        return known > 0 ? grams / known : nil
    }
}

public enum Accounting {
    /// Emissions of a constant energy at a constant intensity: the closed form.
    public static func grams(joules: Double, intensity gramsPerJoule: Double) -> Double { joules * gramsPerJoule }

    public static func account(_ samples: [PowerSample], intensity: StepSeries, price: StepSeries? = nil,
                               maxGap: Double = .infinity, gapPolicy: GapPolicy = .skip) -> AccountingReport {
        var report = AccountingReport(joules: 0, grams: 0, cost: 0, joulesWithoutIntensity: 0, joulesWithoutPrice: 0, gaps: [])
        let valid = samples.filter { $0.time.isFinite && $0.watts.isFinite && $0.watts >= 0 }
        var previous: PowerSample?
        for sample in valid {
            guard let p = previous else { previous = sample; continue }
            guard sample.time > p.time else { continue }
            var end = sample
            if sample.time - p.time > maxGap {
                report.gaps.append(Gap(start: p.time, end: sample.time))
                switch gapPolicy {
                case .skip: previous = sample; continue
                case .holdLast: end = PowerSample(time: sample.time, watts: p.watts)
                case .interpolate: break
                }
            }
            accumulate(from: p, to: end, intensity: intensity, price: price, into: &report)
            previous = sample
        }
        return report
    }

    /// Adds the segment [a, b] (power linear between them), split at rate step boundaries.
    private static func accumulate(from a: PowerSample, to b: PowerSample, intensity: StepSeries, price: StepSeries?,
                                   into report: inout AccountingReport) {
        let slope = (b.watts - a.watts) / (b.time - a.time)
        func power(_ t: Double) -> Double { a.watts + slope * (t - a.time) }
        var cuts: [Double] = [a.time, b.time]
        for series in [intensity] + (price.map { [$0] } ?? []) {
            // Binary search for the first step after `a`, so long series cost log n per segment.
            var i = series.firstIndex(after: a.time)
            while i < series.times.count, series.times[i] < b.time {
                cuts.append(series.times[i])
                i += 1
            }
            if series.end > a.time && series.end < b.time { cuts.append(series.end) }
        }
        cuts.sort()
        for (t0, t1) in zip(cuts, cuts.dropFirst()) where t1 > t0 {
            let energy = (power(t0) + power(t1)) / 2 * (t1 - t0)
            let mid = (t0 + t1) / 2
            report.joules += energy
            if let ci = intensity.value(at: mid) {
                report.grams += energy * ci
            } else {
                report.joulesWithoutIntensity += energy
                report.secondsWithoutIntensity += t1 - t0
            }
            if let price {
                if let p = price.value(at: mid) { report.cost += energy * p } else { report.joulesWithoutPrice += energy }
            } else {
                report.joulesWithoutPrice += energy
            }
        }
    }
}
