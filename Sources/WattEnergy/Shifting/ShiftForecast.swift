/// A carbon-intensity forecast over a planning window, on a regular grid of steps:
/// `values[i]` is the expected intensity over `[start + i * step, start + (i + 1) * step)`
/// (grid data are interval averages), `sigmas[i]` the standard deviation of its error
/// (0 for a known value, NaN where unknown). Any intensity unit works (g/J or g/kWh): plans
/// report savings in that unit times joules.
public struct ShiftForecast: Sendable, Equatable {
    public var start: Double
    public var step: Double
    public var values: [Double]
    public var sigmas: [Double]

    public init(start: Double, step: Double, values: [Double], sigmas: [Double]) {
        precondition(step > 0 && step.isFinite, "a forecast step must be positive")
        precondition(values.count == sigmas.count, "one sigma per value")
        self.start = start; self.step = step; self.values = values; self.sigmas = sigmas
    }

    public var count: Int { values.count }
    public var end: Double { start + Double(values.count) * step }
    public func time(at index: Int) -> Double { start + Double(index) * step }

    /// The steps of a `Forecast` (whose point `i` is at `origin + (i + 1) * step`), read as the
    /// intervals that start at those points: the usual reading of a grid series, where the
    /// value stamped `t` is the average over `[t, t + step)`.
    public init(_ forecast: Forecast) {
        self.init(start: forecast.time(at: 0), step: forecast.step, values: forecast.values,
                  sigmas: forecast.standardErrors)
    }

    public static func == (a: ShiftForecast, b: ShiftForecast) -> Bool {
        func same(_ x: [Double], _ y: [Double]) -> Bool {
            x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
        }
        return a.start == b.start && a.step == b.step && same(a.values, b.values) && same(a.sigmas, b.sigmas)
    }
}
