import Foundation
import WattSupport

/// One job of a trace: what is submitted, when, and how much work it is.
public struct JobSpec: Sendable, Equatable {
    /// Unique id.
    public var id: String
    /// Seconds after the start of the run (the cluster's `start`) the job is submitted.
    public var submit: Double
    public var user: String
    /// The pool it is submitted to; nil = the cluster's default pool.
    public var pool: String?
    /// GPUs, on one node (0 for a CPU job).
    public var gpus: Int
    /// CPU cores, on the same node.
    public var cpus: Int
    /// Run time at full speed, s: on uncapped GPUs of the reference GPU model, at the job's
    /// own utilization (docs/cluster.md).
    public var duration: Double
    /// Mean utilization of its GPUs while it runs, (0, 1] (default 1).
    public var utilization: Double
    /// May be deferred and moved (batch work).
    public var flexible: Bool
    /// May be checkpointed and requeued (default: the same as `flexible`).
    public var preemptible: Bool
    /// Seconds after the start of the run it must be done by; nil = no deadline.
    public var deadline: Double?
    /// Larger runs first.
    public var priority: Int

    public init(id: String, submit: Double, user: String = "user", pool: String? = nil, gpus: Int, cpus: Int? = nil,
                duration: Double, utilization: Double = 1, flexible: Bool = false, preemptible: Bool? = nil,
                deadline: Double? = nil, priority: Int = 0) {
        self.id = id
        self.submit = submit
        self.user = user
        self.pool = pool
        self.gpus = gpus
        self.cpus = cpus ?? max(1, 8 * gpus)
        self.duration = duration
        self.utilization = utilization
        self.flexible = flexible
        self.preemptible = preemptible ?? flexible
        self.deadline = deadline
        self.priority = priority
    }
}

/// A problem in a trace file:
/// ``week.csv: line 12: column gpus: must be a whole number ≥ 0, found `two` ``. The first
/// problem; the bad lines after it are in `more` (up to `JobTrace.maxReported` in all), and
/// `omitted` counts those beyond. The description lists them all, one a line.
public struct TraceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 for the whole file.
    public var line: Int
    public var column: String?
    public var message: String
    /// The problems of later lines.
    public var more: [TraceError] = []
    /// Problems found beyond those reported.
    public var omitted = 0

    public init(file: String, line: Int, column: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// Every problem reported, the first one first.
    public var all: [TraceError] {
        var first = self
        first.more = []
        first.omitted = 0
        return [first] + more
    }

    public var description: String {
        var parts = [file]
        if line > 0 { parts.append("line \(line)") }
        if let column { parts.append("column \(column)") }
        parts.append(message)
        var text = parts.joined(separator: ": ")
        for problem in more { text += "\n" + problem.description }
        if omitted > 0 { text += "\n\(file): \(omitted) more bad line\(omitted == 1 ? "" : "s") not shown" }
        return text
    }
}

/// Job traces as CSV: a header naming the columns (any order), then one job per line.
///
/// | column | required | meaning |
/// |---|---|---|
/// | `id` | no (default `j` + line number) | unique job id |
/// | `submit` | yes | s after the start of the run |
/// | `user` | no (`user`) | who submitted it |
/// | `pool` | no (default pool) | the pool it is submitted to |
/// | `gpus` | yes | GPUs, whole number ≥ 0 |
/// | `cpus` | no (8 per GPU, at least 1) | CPU cores, whole number ≥ 1 |
/// | `duration` | yes | s at full speed, > 0 |
/// | `utilization` | no (1) | GPU utilization while running, (0, 1] |
/// | `flexible` | yes | `true`/`false` (also `1`/`0`, `yes`/`no`) |
/// | `preemptible` | no (= flexible) | `true`/`false` |
/// | `deadline` | no (none) | s after the start of the run; empty = none |
/// | `priority` | no (0) | whole number, larger runs first |
///
/// Lines starting with `#` and blank lines are skipped. Every problem names its line and
/// column; a problem in the header stops reading, a bad job line does not: every bad line is
/// reported (the first `maxReported`), then loading fails.
public enum JobTrace {
    /// The most bad lines one error lists.
    public static let maxReported = 20

    public static let columns = ["id", "submit", "user", "pool", "gpus", "cpus", "duration", "utilization",
                                 "flexible", "preemptible", "deadline", "priority"]
    public static let requiredColumns = ["submit", "gpus", "duration", "flexible"]

    public static func load(path: String) throws(TraceError) -> [JobSpec] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
            throw TraceError(file: path, line: 0, message: why)
        }
        let bytes = Array(data)
        if let problem = TextCheck.problem(bytes) { throw TraceError(file: path, line: problem.line, message: problem.message) }
        return try parse(csv: TextCheck.decoded(bytes), file: path)
    }

    public static func parse(csv text: String, file: String) throws(TraceError) -> [JobSpec] {
        var header: [String]?
        var index: [String: Int] = [:]
        var jobs: [JobSpec] = []
        var seen: [String: Int] = [:]
        var lineNumber = 0
        var headerLine = 0
        var problems: [TraceError] = []
        var found = 0
        // Split on bytes: "\r\n" is one Character in Swift, so CRLF files need this.
        for rawLine in TextCheck.withoutByteOrderMark(text).utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var bytes = rawLine[...]
            if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
            let line = String(decoding: bytes, as: UTF8.self)
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let cells = bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self).trimmingWhitespace() }
            guard let columns = header else {
                // Not a trace at all (a path that names another file): say so without
                // quoting the line (`TextExcerpt`).
                guard cells.contains(where: Self.columns.contains) else {
                    throw TraceError(file: file, line: lineNumber,
                                     message: "not a trace header: no column of a job trace is named (\(requiredColumns.map { "`\($0)`" }.joined(separator: ", ")) are required); is this a job trace CSV?")
                }
                for (i, name) in cells.enumerated() {
                    guard Self.columns.contains(name) else {
                        let hint = ClusterNames.suggestion(for: name, among: Self.columns).map { "; did you mean `\($0)`?" } ?? ""
                        throw TraceError(file: file, line: lineNumber, column: name.isEmpty ? "\(i + 1)" : TextExcerpt.short(name),
                                         message: "unknown column\(hint)")
                    }
                    if index[name] != nil {
                        throw TraceError(file: file, line: lineNumber, column: name, message: "duplicate column")
                    }
                    index[name] = i
                }
                for name in requiredColumns where index[name] == nil {
                    throw TraceError(file: file, line: lineNumber, column: name, message: "missing required column")
                }
                header = cells
                headerLine = lineNumber
                continue
            }
            do throws(TraceError) {
                jobs.append(try job(cells: cells, columns: columns, index: index, file: file, line: lineNumber, headerLine: headerLine,
                                    seen: &seen))
            } catch {
                found += 1
                if problems.count < maxReported { problems.append(error) }
            }
        }
        if header == nil { throw TraceError(file: file, line: 0, message: "no header line") }
        if var first = problems.first {
            first.more = Array(problems.dropFirst())
            first.omitted = found - problems.count
            throw first
        }
        return jobs
    }

    /// One job line.
    private static func job(cells: [String], columns: [String], index: [String: Int], file: String, line lineNumber: Int,
                            headerLine: Int, seen: inout [String: Int]) throws(TraceError) -> JobSpec {
        guard cells.count == columns.count else {
            let hint = cells.count < columns.count ? "is the line cut short?" : "cells cannot be quoted or hold commas"
            throw TraceError(file: file, line: lineNumber,
                             message: "expected \(columns.count) fields, one per column of the header (line \(headerLine)), found \(cells.count); \(hint)")
        }
        let row = Row(cells: cells, index: index, file: file, line: lineNumber)
        let id = row.text("id") ?? "j\(lineNumber)"
        if let first = seen[id] {
            throw TraceError(file: file, line: lineNumber, column: "id", message: "duplicate job id `\(id)`, first on line \(first)")
        }
        seen[id] = lineNumber
        let seconds = ClusterLimits.traceSeconds
        let submit = try row.number("submit", "a number of seconds from 0 to \(ClusterText.number(seconds.upperBound))") {
            seconds.contains($0)
        }!
        let gpus = try row.integer("gpus", ClusterLimits.jobGPUs)!
        let cpus = try row.integer("cpus", ClusterLimits.jobCPUs)
        let lengths = ClusterLimits.jobDurationSeconds
        let duration = try row.number("duration", "a number of seconds above 0 and at most \(ClusterText.number(lengths.upperBound)) (a year)") {
            $0 > 0 && $0 <= lengths.upperBound
        }!
        let utilization = try row.number("utilization", "a number in (0, 1]") { $0 > 0 && $0 <= 1 } ?? 1
        let flexible = try row.bool("flexible")!
        let preemptible = try row.bool("preemptible") ?? flexible
        let deadline = try row.number("deadline", "a number of seconds from submit (\(ClusterText.number(submit))) to \(ClusterText.number(seconds.upperBound))") {
            $0 >= submit && $0 <= seconds.upperBound
        }
        let priority = try row.integer("priority", ClusterLimits.jobPriority) ?? 0
        if let pool = row.text("pool"), !ClusterFileLoader.isValidName(pool) {
            throw TraceError(file: file, line: lineNumber, column: "pool", message: "must use only letters, digits and `-_.`, found `\(pool)`")
        }
        return JobSpec(id: id, submit: submit, user: row.text("user") ?? "user", pool: row.text("pool"), gpus: gpus,
                       cpus: cpus, duration: duration, utilization: utilization, flexible: flexible,
                       preemptible: preemptible, deadline: deadline, priority: priority)
    }

    private struct Row {
        let cells: [String]
        let index: [String: Int]
        let file: String
        let line: Int

        /// The cell, nil when the column is absent or the cell empty.
        func text(_ column: String) -> String? {
            guard let i = index[column], !cells[i].isEmpty else { return nil }
            return cells[i]
        }

        func fail(_ column: String, _ what: String) -> TraceError {
            TraceError(file: file, line: line, column: column, message: "must be \(what), found `\(cells[index[column]!])`")
        }

        func number(_ column: String, _ what: String, _ ok: (Double) -> Bool) throws(TraceError) -> Double? {
            guard let t = text(column) else {
                if Self.required(column), index[column] != nil {
                    throw TraceError(file: file, line: line, column: column, message: "missing value")
                }
                return nil
            }
            guard let v = Double(t), v.isFinite, ok(v) else { throw fail(column, what) }
            return v
        }

        func integer(_ column: String, _ range: ClosedRange<Int>) throws(TraceError) -> Int? {
            guard let t = text(column) else {
                if Self.required(column), index[column] != nil {
                    throw TraceError(file: file, line: line, column: column, message: "missing value")
                }
                return nil
            }
            guard let v = Int(t), range.contains(v) else {
                throw fail(column, "a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return v
        }

        func bool(_ column: String) throws(TraceError) -> Bool? {
            guard let t = text(column) else {
                if Self.required(column), index[column] != nil {
                    throw TraceError(file: file, line: line, column: column, message: "missing value")
                }
                return nil
            }
            switch t.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default: throw fail(column, "`true` or `false`")
            }
        }

        static func required(_ column: String) -> Bool { JobTrace.requiredColumns.contains(column) }
    }

    /// The jobs as CSV with every column (what `parse` reads back unchanged).
    public static func csv(_ jobs: [JobSpec], comment: String? = nil) -> String {
        var out = ""
        if let comment {
            for line in comment.split(separator: "\n", omittingEmptySubsequences: false) { out += "# \(line)\n" }
        }
        out += columns.joined(separator: ",") + "\n"
        for j in jobs {
            let fields: [String] = [
                j.id, ClusterText.number(j.submit), j.user, j.pool ?? "", String(j.gpus), String(j.cpus),
                ClusterText.number(j.duration), ClusterText.number(j.utilization), j.flexible ? "true" : "false",
                j.preemptible ? "true" : "false", j.deadline.map(ClusterText.number) ?? "", String(j.priority),
            ]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }
}
