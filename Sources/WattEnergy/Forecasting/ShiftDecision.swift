/// Whether a forecast supports moving work to another time, and what it expects to gain.
///
/// The question "when in this window is the metric lowest?" always has an answer, even for a
/// flat or noisy forecast, where the argmin is an accident (on a constant forecast it is the
/// first point: "now"). A decision is only worth taking when the forecast says, beyond its own
/// uncertainty, that the best time is better than the reference (starting now, i.e. at the
/// first forecast point; a nominal time; or a known value):
///
/// - `saving` = reference value - best value (the metric's unit; negative when every time in
///   the window is forecast worse than the reference);
/// - `savingLow` = the saving's lower bound at probability `confidence` (the saving is above it
///   with that probability). With a `ResidualCalibration` that kept its origins' forecasts,
///   each calibration origin decides as this forecast does (its own best start among the same
///   steps, against the same reference) and `savingLow` is `saving` plus the `1 - confidence`
///   quantile of "realized minus predicted saving" over those origins. So two effects are
///   measured rather than assumed: errors at nearby times are correlated (a level error
///   shifts both times and cancels), and picking the lowest point of a noisy forecast picks
///   where it errs low (the winner's curse). Without one, `saving` minus the best time's
///   interval half-width on the unfavourable side (of the central interval at level
///   `2 confidence - 1`), combined with the reference's (`sqrt(a^2 + b^2)`);
/// - `informative` = `savingLow > 0`: the best time is at least `confidence` likely to beat
///   the reference. `start` is the best time then, nil otherwise.
///
/// A job of `duration` seconds is valued by the mean forecast over the points it covers
/// (`max(1, round(duration / step))` points from its start; bounds averaged likewise, which
/// is conservative for positively correlated errors).
public struct ShiftDecision: Sendable, Equatable {
    /// When to start: the best time when the forecast is informative, else nil (keep the
    /// reference).
    public var start: Double?
    /// The time of the best point forecast in the window (whether informative or not).
    public var best: Double
    public var bestValue: Double
    public var referenceValue: Double
    /// Expected saving over the reference, in the metric's unit (for a maximum, the excess).
    public var saving: Double
    /// The saving's lower bound at the level (see the type).
    public var savingLow: Double
    public var informative: Bool { start != nil }
    /// The saving relative to the reference value (NaN when the reference is 0).
    public var relativeSaving: Double { referenceValue != 0 ? saving / abs(referenceValue) : .nan }

    public enum Reference: Sendable, Equatable {
        /// Starting now: the forecast's first point (work started now runs in the future too,
        /// so a noisy last observation is not the reference).
        case now
        /// A known value.
        case value(Double)
        /// The forecast itself at this time (a nominal start in the future).
        case time(Double)
    }

    public enum Goal: Sendable, Equatable {
        case lowest, highest
    }
}

extension Forecast {
    /// The shift decision over `window` (absolute times) against `reference`, informative when
    /// the saving is positive with probability `confidence` (see `ShiftDecision`); nil when no
    /// start in the window has a finite forecast or the reference is unknown.
    public func shift(over window: ClosedRange<Double>, from reference: ShiftDecision.Reference, duration: Double = 0,
                      confidence: Double = 0.9, goal: ShiftDecision.Goal = .lowest) -> ShiftDecision? {
        // The central interval whose unfavourable end has probability 1 - confidence.
        let level = Swift.max(0.01, 2 * confidence - 1)
        let range = indices(in: window)
        guard !range.isEmpty else { return nil }
        let k = Swift.max(1, Int((duration / step).rounded()))
        // Per start index: the mean value over the job.
        func value(_ i: Int) -> Double? {
            guard i >= 0, i + k <= values.count else { return nil }
            var v = 0.0
            for j in i..<(i + k) { v += values[j] }
            return v.isFinite ? v / Double(k) : nil
        }
        // Mean unfavourable / favourable half-widths over the job (for the uncalibrated bound).
        func spread(_ i: Int) -> (against: Double, towards: Double) {
            var up = 0.0, down = 0.0
            for j in i..<(i + k) {
                let b = bounds(j, level: level)
                up += b.upper.isFinite ? b.upper - values[j] : .infinity
                down += b.lower.isFinite ? values[j] - b.lower : .infinity
            }
            let n = Double(k)
            return goal == .lowest ? (up / n, down / n) : (down / n, up / n)
        }
        var best: (index: Int, value: Double)?
        for i in range where i + k <= range.upperBound {
            guard let v = value(i) else { continue }
            if best == nil || (goal == .lowest ? v < best!.value : v > best!.value) { best = (i, v) }
        }
        guard let best else { return nil }
        let referenceValue: Double
        var referenceIndex: Int?
        switch reference {
        case .now:
            guard let v = value(0) else { return nil }
            referenceValue = v; referenceIndex = 0
        case .value(let v):
            referenceValue = v
        case .time(let t):
            let i = Int(((t - origin) / step - 1).rounded())
            guard let v = value(i) else { return nil }
            referenceValue = v; referenceIndex = i
        }
        guard referenceValue.isFinite else { return nil }
        let saving = goal == .lowest ? referenceValue - best.value : best.value - referenceValue
        var savingLow: Double
        // What the calibration origins' own forecasts would have decided, and saved: the
        // lower bound includes the winner's curse of picking the lowest of a noisy forecast.
        let starts = (range.lowerBound + 1)...(range.upperBound - k + 1)
        if let calibration, let e = calibration.savingErrorQuantile(
            starts: starts, job: k, reference: referenceIndex.map { $0 + 1 }, goal: goal, probability: 1 - confidence) {
            savingLow = saving + e
        } else {
            let against = spread(best.index).against, towards = referenceIndex.map { spread($0).towards } ?? 0
            let combined = (against * against + towards * towards).squareRoot()
            savingLow = saving - (combined.isFinite ? combined : .infinity)
        }
        // A saving within rounding of zero is no saving (a constant forecast).
        let tolerance = 1e-9 * Swift.max(abs(referenceValue), abs(best.value), 1e-300)
        let informative = savingLow > tolerance && saving > tolerance
        return ShiftDecision(start: informative ? time(at: best.index) : nil, best: time(at: best.index), bestValue: best.value,
                             referenceValue: referenceValue, saving: saving, savingLow: savingLow.isFinite ? savingLow : -.infinity)
    }
}

extension ResidualCalibration {
    /// The `q` quantile of "realized minus predicted saving" over the calibration origins, each
    /// deciding as a forecast does: its own best start among `starts` (steps after the origin,
    /// the job covering `job` steps from its start), against the reference job starting at
    /// step `reference` (nil: a known value). Origins whose best start is the reference (they
    /// would not move) are left out: the decision in question is a move. Nil without
    /// forecasts or with fewer than `minimumCount` origins that cover every step involved.
    func savingErrorQuantile(starts: ClosedRange<Int>, job: Int, reference: Int?, goal: ShiftDecision.Goal,
                             probability q: Double) -> Double? {
        guard !forecasts.isEmpty, starts.lowerBound >= 1, job >= 1 else { return nil }
        let last = Swift.max(starts.upperBound, reference ?? 1) + job - 1
        func mean(_ path: [Double], _ s: Int) -> Double {
            var total = 0.0
            for h in s..<(s + job) { total += path[h - 1] }
            return total / Double(job)
        }
        var realizedMinusPredicted: [Double] = []
        realizedMinusPredicted.reserveCapacity(forecasts.count)
        // A one-step job with every start from now: each origin's choice is precomputed.
        let precomputed = job == 1 && starts.lowerBound == 1
        for (o, f) in forecasts.enumerated() where f.count >= last && paths[o].count >= last {
            var best: (step: Int, value: Double)?
            if precomputed {
                let s = Int((goal == .lowest ? runningLowest : runningHighest)[o][starts.upperBound - 1])
                if s > 0 { best = (s, f[s - 1]) }
            } else {
                for s in starts {
                    let v = mean(f, s)
                    guard v.isFinite else { continue }
                    if best == nil || (goal == .lowest ? v < best!.value : v > best!.value) { best = (s, v) }
                }
            }
            // An origin whose forecast would not move says nothing about the error of a move.
            guard let best, best.step != reference else { continue }
            let eBest = mean(paths[o], best.step)
            guard eBest.isFinite else { continue }
            if let r = reference {
                let eRef = mean(paths[o], r)
                guard eRef.isFinite else { continue }
                realizedMinusPredicted.append(goal == .lowest ? eRef - eBest : eBest - eRef)
            } else {
                realizedMinusPredicted.append(goal == .lowest ? -eBest : eBest)
            }
        }
        guard realizedMinusPredicted.count >= Self.minimumCount else { return nil }
        return Self.conformalQuantile(realizedMinusPredicted, probability: q)
    }
}
