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
///   `SI.gramsPerKWh` converts to the library's g/J). An empty value is a missing sample (NaN).
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
        var result: [Sample] = []
        var lineNumber = 0
        var bytes = Array(text.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var lineStart = 0
        for i in 0..<bytes.count where bytes[i] == UInt8(ascii: "\n") {
            lineNumber += 1
            var end = i
            if end > lineStart && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = bytes[lineStart..<end]
            lineStart = i + 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            if lineNumber == 1, let first = line.first, !(48...57).contains(first) { continue }
            guard let comma = line.firstIndex(of: UInt8(ascii: ",")) else {
                throw Error(line: lineNumber, message: "expected `time,value`")
            }
            guard let time = parseTimestamp(line[line.startIndex..<comma]) else {
                throw Error(line: lineNumber, message: "bad timestamp `\(String(decoding: line[line.startIndex..<comma], as: UTF8.self))`")
            }
            var valueBytes = line[(comma + 1)...]
            if let next = valueBytes.firstIndex(of: UInt8(ascii: ",")) { valueBytes = valueBytes[..<next] }
            let valueText = String(decoding: valueBytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            let value: Double
            if valueText.isEmpty || valueText.lowercased() == "nan" {
                value = .nan
            } else if let v = Double(valueText) {
                value = v
            } else {
                throw Error(line: lineNumber, message: "bad value `\(valueText)`")
            }
            if let previous = result.last {
                if time < previous.time { throw Error(line: lineNumber, message: "time goes backwards") }
                if time == previous.time { result[result.count - 1].value = value; continue }
            }
            result.append(Sample(time: time, value: value))
        }
        return result
    }

    public static func samples(path: String) throws(Error) -> [Sample] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Error(line: 0, message: "cannot read `\(path)`")
        }
        return try samples(text: String(decoding: data, as: UTF8.self))
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

    /// Seconds since 1970-01-01 UTC for `YYYY-MM-DD[ T]HH:MM[:SS[.fff]][Z]`.
    public static func parseTimestamp(_ text: some Collection<UInt8>) -> Double? {
        let b = Array(text.drop { $0 == 32 })
        func number(_ from: Int, _ length: Int) -> Int? {
            guard from + length <= b.count else { return nil }
            var v = 0
            for k in from..<(from + length) {
                guard (48...57).contains(b[k]) else { return nil }
                v = v * 10 + Int(b[k] - 48)
            }
            return v
        }
        guard b.count >= 16, b[4] == 45, b[7] == 45, b[10] == 32 || b[10] == 84, b[13] == 58,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60 else { return nil }
        var seconds = 0.0
        var k = 16
        if b.count > 16, b[16] == 58 {
            guard let s = number(17, 2), s < 61 else { return nil }
            seconds = Double(s)
            k = 19
            if k < b.count, b[k] == 46 {
                var scale = 0.1
                k += 1
                while k < b.count, (48...57).contains(b[k]) { seconds += Double(b[k] - 48) * scale; scale /= 10; k += 1 }
            }
        }
        while k < b.count, b[k] == 32 { k += 1 }
        if k < b.count, b[k] == 90 { k += 1 }
        while k < b.count, b[k] == 32 { k += 1 }
        guard k == b.count else { return nil }
        return Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
            + Double(hour * 3600 + minute * 60) + seconds
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int { CivilCalendar.daysFromCivil(year: year, month: month, day: day) }
}
