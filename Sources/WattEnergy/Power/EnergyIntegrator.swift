/// Energy from power samples. Between two samples power is linear, so the trapezoid rule
/// is exact; intervals longer than `maxGap` are gaps, handled by the `GapPolicy` and always
/// reported. Samples with a non-finite or negative power are rejected, never integrated.
public struct EnergyIntegral: Sendable, Equatable {
    /// Energy over the covered intervals, in joules.
    public var joules: Double
    /// Seconds of the trace that were integrated (including gaps filled by the policy).
    public var coveredSeconds: Double
    /// Intervals longer than the allowed gap, whether skipped or filled.
    public var gaps: [Gap]
    /// Indexes of samples rejected as invalid (NaN, infinite, negative, out of order).
    public var rejectedSamples: [Int]

    /// Mean power over the covered time (joules per covered second).
    public var averageWatts: Double { coveredSeconds > 0 ? joules / coveredSeconds : 0 }
}

public enum EnergyIntegrator {
    /// - Parameters:
    ///   - samples: readings in time order (out-of-order ones are rejected).
    ///   - maxGap: the longest interval (seconds) integrated as measured.
    ///   - policy: what to do with longer intervals.
    public static func integrate(_ samples: [PowerSample], maxGap: Double = .infinity, policy: GapPolicy = .skip) -> EnergyIntegral {
        var result = EnergyIntegral(joules: 0, coveredSeconds: 0, gaps: [], rejectedSamples: [])
        var previous: PowerSample?
        for (index, sample) in samples.enumerated() {
            guard sample.time.isFinite, sample.watts.isFinite, sample.watts >= 0 else {
                result.rejectedSamples.append(index)
                continue
            }
            guard let p = previous else { previous = sample; continue }
            guard sample.time > p.time else {
                // A duplicate or earlier timestamp cannot be placed on the trace.
                result.rejectedSamples.append(index)
                continue
            }
            let dt = sample.time - p.time
            if dt > maxGap {
                result.gaps.append(Gap(start: p.time, end: sample.time))
                switch policy {
                case .skip: break
                case .holdLast:
                    result.joules += p.watts * dt
                    result.coveredSeconds += dt
                case .interpolate:
                    result.joules += (p.watts + sample.watts) / 2 * dt
                    result.coveredSeconds += dt
                }
            } else {
                result.joules += (p.watts + sample.watts) / 2 * dt
                result.coveredSeconds += dt
            }
            previous = sample
        }
        return result
    }
}
