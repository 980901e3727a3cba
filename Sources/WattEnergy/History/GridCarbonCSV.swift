import WattSupport
import Foundation

/// Loads two-column time-series CSV files such as the grid carbon-intensity series in
/// `examples/data/grid/` (Wiesner et al., "Let's Wait Awhile: How Temporal Workload Shifting
/// Can Reduce Carbon Emissions in the Cloud", Middleware 2021):
///
/// ```
/// Time,Carbon Intensity
/// 2019-12-20 00:00:00,218.29003068829462
/// ```
///
/// - The first column is a timestamp `YYYY-MM-DD HH:MM[:SS]` (or with `T`, optionally ending
///   in `Z`); timestamps without a zone are read as UTC.
/// - The second column is the value in the file's own unit (gCO2eq/kWh for the grid files;
///   `SI.gramsPerKWh` converts to the library's g/J). An empty value (or `NaN`) is a missing
///   sample (NaN); `inf` and text are errors.
/// - A first line that does not start with a digit is a header. Blank lines are skipped.
/// - Rows must be in non-decreasing time order; a row with the same time as the previous one
///   replaces it (as `MetricHistory` does); an earlier time is an error.
public enum GridCarbonCSV {
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { line > 0 ? "line \(line): \(message)" : message }
    }

    /// The rows as samples, in file order.
    public static func samples(text: String) throws(Error) -> [Sample] {
        try rows(text: text).map(\.sample)
    }

    /// The rows as samples with their line numbers (1-based), in file order.
    public static func rows(text: String) throws(Error) -> [(line: Int, sample: Sample)] {
        var result: [(line: Int, sample: Sample)] = []
        var lineNumber = 0
        var bytes = Array(TextCheck.withoutByteOrderMark(text).utf8)
        bytes.append(UInt8(ascii: "\n"))
        var lineStart = 0
        // A file's content is quoted only once it has shown itself a series (a row read):
        // a path that names another file (`../../etc/shadow`) must not print its lines.
        func shown(_ b: some Collection<UInt8>) -> String { TextExcerpt.short(String(decoding: b, as: UTF8.self)) }
        func notASeries(_ what: String) -> Error {
            Error(line: lineNumber, message: "\(what); no row before it was one either: is this a two-column time series CSV?")
        }
        for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "\n") {
            lineNumber += 1
            var end = i
            if end > lineStart && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = bytes[lineStart..<end]
            lineStart = i + 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            if lineNumber == 1, let first = line.first, !(48...57).contains(first) { continue }
            guard let comma = line.firstIndex(of: UInt8(ascii: ",")) else {
                if result.isEmpty { throw notASeries("expected two columns `time,value`") }
                throw Error(line: lineNumber, message: "expected two columns `time,value`, found `\(shown(line))`")
            }
            guard let time = parseTimestamp(line[line.startIndex..<comma]) else {
                let text = line[line.startIndex..<comma]
                let why = if case .failure(let f) = InstantText.check(bytes: text) { ": \(f.reason)" } else { "" }
                if result.isEmpty { throw notASeries("bad timestamp\(why) (expected `YYYY-MM-DD HH:MM[:SS]`)") }
                throw Error(line: lineNumber, message: "bad timestamp `\(shown(text))`\(why) (expected `YYYY-MM-DD HH:MM[:SS]`, UTC unless a zone is given)")
            }
            var valueBytes = line[(comma + 1)...]
            if let next = valueBytes.firstIndex(of: UInt8(ascii: ",")) { valueBytes = valueBytes[..<next] }
            let valueText = String(decoding: valueBytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            let value: Double
            if valueText.isEmpty || valueText.lowercased() == "nan" {
                value = .nan
            } else if let v = Double(valueText), v.isFinite {
                value = v
            } else {
                if result.isEmpty { throw notASeries("bad value: expected a number, or nothing for a missing value") }
                throw Error(line: lineNumber, message: "bad value `\(shown(valueBytes))`: expected a number, or nothing for a missing value")
            }
            if let previous = result.last {
                if time < previous.sample.time {
                    throw Error(line: lineNumber, message: "time goes backwards: `\(shown(line[line.startIndex..<comma]))` is before the row on line \(previous.line); sort the file by time")
                }
                if time == previous.sample.time { result[result.count - 1] = (lineNumber, Sample(time: time, value: value)); continue }
            }
            result.append((lineNumber, Sample(time: time, value: value)))
        }
        return result
    }

    public static func samples(path: String) throws(Error) -> [Sample] {
        try rows(path: path).map(\.sample)
    }

    /// The rows of a file; a file that is not text (binary, not UTF-8) is refused with the line
    /// where it stops being text.
    public static func rows(path: String) throws(Error) -> [(line: Int, sample: Sample)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Error(line: 0, message: "cannot read `\(path)`")
        }
        let bytes = Array(data)
        if let problem = TextCheck.problem(bytes) { throw Error(line: problem.line, message: problem.message) }
        return try rows(text: TextCheck.decoded(bytes))
    }

    /// Loads a file onto a regular grid: `step` seconds (default: the most common spacing in
    /// the file), starting at the first row, values taken at the grid times
    /// (`ResamplingMethod.point`). The GB file mixes 30- and 15-minute rows; its default grid
    /// is 30 minutes, which is also the grid of the published statistics.
    public static func load(path: String, step: Double? = nil) throws(Error) -> TimeSeries {
        let rows = try samples(path: path)
        let step = step ?? TimeSeries.typicalStep(of: rows)
        guard step > 0, let first = rows.first else {
            throw Error(line: 0, message: "fewer than two rows in `\(path)`")
        }
        return TimeSeries.resample(rows, step: step, start: first.time, method: .point)
    }

    /// Seconds since 1970-01-01 UTC of a timestamp (`InstantText`, the one instant parser).
    public static func parseTimestamp(_ text: some Collection<UInt8>) -> Double? { InstantText.parse(bytes: text) }
}
