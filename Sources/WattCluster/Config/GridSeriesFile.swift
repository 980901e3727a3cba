import Foundation
import WattEnergy

/// Why a grid series file cannot be used.
public struct GridSeriesError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension StepSeries {
    /// A two-column CSV (`time,value`, `GridCarbonCSV` format) as a step series, values times
    /// `scale`; rows with no value are dropped (the previous value holds over them), and so are
    /// rows out of time order.
    public static func gridCSV(path: String, named name: String? = nil, scale: Double) throws(GridSeriesError) -> StepSeries {
        let name = name ?? path
        guard FileManager.default.fileExists(atPath: path) else {
            throw GridSeriesError(message: "cannot read `\(name)`: no such file")
        }
        do {
            let rows = try GridCarbonCSV.samples(path: path).filter { $0.value.isFinite }
            var times: [Double] = [], values: [Double] = []
            for r in rows {
                if let last = times.last, r.time <= last { continue }
                times.append(r.time); values.append(r.value * scale)
            }
            guard times.count >= 2 else { throw GridSeriesError(message: "`\(name)` has fewer than 2 rows with a value") }
            return try StepSeries(times: times, values: values)
        } catch let error as GridSeriesError {
            throw error
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
        guard series.value(at: start) != nil, series.value(at: end - 1) != nil else {
            throw GridSeriesError(message: "`\(path)` covers \(ClusterText.instant(series.start)) to \(ClusterText.instant(series.end)); the run from \(ClusterText.instant(start)) to \(ClusterText.instant(end)) is not inside it")
        }
        var copy = self
        copy.grid.carbonIntensity = .series(series)
        copy.grid.region = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return copy
    }
}
