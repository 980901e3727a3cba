import Foundation
import WattEnergy

/// Why a grid series file cannot be used.
public struct GridSeriesError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension StepSeries {
    /// How long a series value holds when the rows after it are missing, by default: 2 h.
    public static let defaultMaxHold: Double = 7200

    /// A two-column CSV (`time,value`, `GridCarbonCSV` format) as a step series, values times
    /// `scale`. Each value holds until the next row with a value, but for at most `maxHold`
    /// seconds: over a longer gap in the file (rows missing, or rows with no value) the
    /// series has no value (`value(at:)` is nil) until the next row with one. Rows must be in
    /// time order (a row at the same time as the previous one replaces it). A value outside
    /// `bounds` is an error naming its line and the range (`unit` names the file's unit in
    /// it); an empty value or `NaN` is a missing value (a gap), `inf` an error.
    public static func gridCSV(path: String, named name: String? = nil, scale: Double, maxHold: Double = defaultMaxHold,
                               bounds: ClosedRange<Double> = ClusterLimits.gramsPerKWh, unit: String = "g/kWh") throws(GridSeriesError) -> StepSeries {
        let name = name ?? path
        guard FileManager.default.fileExists(atPath: path) else {
            throw GridSeriesError(message: "cannot read `\(name)`: no such file")
        }
        let rows: [(line: Int, sample: Sample)]
        do {
            rows = try GridCarbonCSV.rows(path: path).filter { $0.sample.value.isFinite }
        } catch {
            throw GridSeriesError(message: "`\(name)`: \(error)")
        }
        var times: [Double] = [], values: [Double] = []
        for (line, row) in rows {
            if !bounds.contains(row.value) {
                let range = bounds.lowerBound == 0 && row.value < 0 ? "≥ 0" : "from \(ClusterText.number(bounds.lowerBound)) to \(ClusterText.number(bounds.upperBound))"
                throw GridSeriesError(message: "`\(name)`: line \(line): must be a number of \(unit) \(range), found `\(ClusterText.number(row.value))`")
            }
            // A gap longer than the hold: no value from the end of the hold to this row.
            if let last = times.last, row.time - last > maxHold { times.append(last + maxHold); values.append(.nan) }
            times.append(row.time); values.append(row.value * scale)
        }
        guard rows.count >= 2 else { throw GridSeriesError(message: "`\(name)` has fewer than 2 rows with a value") }
        let spacing = rows[rows.count - 1].sample.time - rows[rows.count - 2].sample.time
        do {
            return try StepSeries(times: times, values: values, lastDuration: Swift.min(spacing, maxHold), allowsNegative: bounds.lowerBound < 0)
        } catch {
            throw GridSeriesError(message: "`\(name)`: \(error)")
        }
    }
}

extension ClusterDefinition {
    /// The same cluster on another grid's carbon intensity (`watt run --grid FILE`: a CSV of
    /// g/kWh), which must cover the run from `start` to `end`.
    public func withCarbonIntensity(csv path: String, from start: Double, to end: Double) throws(GridSeriesError) -> ClusterDefinition {
        let series = try StepSeries.gridCSV(path: path, scale: 1 / SI.joulesPerKWh)
        // A gap inside the series (at the window's edge too) is reported by the run, not refused.
        guard start >= series.start, end <= series.end else {
            throw GridSeriesError(message: "`\(path)` covers \(ClusterText.instant(series.start)) to \(ClusterText.instant(series.end)); the run from \(ClusterText.instant(start)) to \(ClusterText.instant(end)) is not inside it")
        }
        var copy = self
        copy.grid.carbonIntensity = .series(series)
        copy.grid.region = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return copy
    }
}
