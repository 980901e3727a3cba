/// The mean of several models' forecasts (an equal-weight forecast combination, which is
/// often more accurate than the single model a short backtest would pick: the errors of
/// different models partly cancel, and no weights are estimated from few origins).
///
/// `fit` fits every member; members that fail are left out of the mean, and the fit fails
/// only when all do. A member whose forecast leaves the plausible range (the last window's
/// range widened by itself on each side, at least 10 % of its midpoint) is left out of that
/// forecast: a recursive regression fitted on a short, smooth window can diverge (on two days
/// of linearly interpolated 5-minute carbon data its 12 h forecast reached 100 times the
/// data), and one diverging member would carry the mean with it. Interval widths are the
/// root mean square of the members' (the loop's `SeriesForecaster` replaces them with the
/// ensemble's own calibrated errors).
public struct EnsembleModel: Forecaster {
    public var members: [any Forecaster]
    public var label: String
    public var intervals: IntervalCalibration {
        didSet { for i in members.indices { members[i].intervals = intervals } }
    }
    private var fitted: [Bool] = []
    private var plausible: ClosedRange<Double> = -Double.infinity...Double.infinity

    public init(_ label: String, members: [any Forecaster], intervals: IntervalCalibration = IntervalCalibration()) {
        precondition(!members.isEmpty, "an ensemble needs members")
        self.label = label
        self.members = members
        self.intervals = intervals
        for i in self.members.indices { self.members[i].intervals = intervals }
    }

    public var name: String { label }
    public var step: Double { zip(members, fitted).first { $0.1 }?.0.step ?? 0 }
    public var minimumWindow: Double { members.map(\.minimumWindow).max() ?? 0 }

    public mutating func fit(_ series: TimeSeries) throws(ForecastError) {
        var ok = [Bool](repeating: false, count: members.count)
        var lastError = ForecastError.notFitted
        for i in members.indices {
            do { try members[i].fit(series); ok[i] = true } catch { lastError = error }
        }
        fitted = ok
        guard ok.contains(true) else { throw lastError }
        plausible = Self.plausibleRange(series)
    }

    /// The window's range widened by itself on each side (by at least 10 % of its midpoint).
    static func plausibleRange(_ series: TimeSeries) -> ClosedRange<Double> {
        var lo = Double.infinity, hi = -Double.infinity
        for v in series.values where v.isFinite { lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
        guard lo <= hi else { return -Double.infinity...Double.infinity }
        let widen = Swift.max(hi - lo, 0.1 * abs((lo + hi) / 2), 1e-300)
        return (lo - widen)...(hi + widen)
    }

    public mutating func update(_ series: TimeSeries) throws(ForecastError) {
        guard fitted.contains(true) else { throw .notFitted }
        var lastError = ForecastError.notFitted
        var any = false
        for i in members.indices where fitted[i] {
            do { try members[i].update(series); any = true } catch { fitted[i] = false; lastError = error }
        }
        guard any else { throw lastError }
        plausible = Self.plausibleRange(series)
    }

    public func forecast(steps: Int) -> Forecast {
        let all = members.indices.filter { fitted.indices.contains($0) && fitted[$0] }.map { members[$0].forecast(steps: steps) }
        let credible = all.filter { $0.values.allSatisfy { plausible.contains($0) } }
        let parts = credible.isEmpty ? all : credible
        guard let first = parts.first else {
            return Forecast(model: name, origin: 0, step: step, values: [Double](repeating: .nan, count: steps),
                            standardErrors: [Double](repeating: .nan, count: steps))
        }
        let n = Double(parts.count)
        var values = [Double](repeating: 0, count: steps), variances = [Double](repeating: 0, count: steps)
        for p in parts {
            for h in 0..<steps {
                values[h] += p.values[h] / n
                variances[h] += p.standardErrors[h] * p.standardErrors[h] / n
            }
        }
        return Forecast(model: name, origin: first.origin, step: first.step, values: values,
                        standardErrors: variances.map { $0.squareRoot() })
    }
}
