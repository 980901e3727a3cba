import Foundation
import Testing
import WattEnergy
@testable import WattCluster

/// Trace CSV files (exact errors per line and column) and the synthetic trace generator.
@Suite struct TraceCSVTests {
    static let header = "id,submit,user,pool,gpus,cpus,duration,utilization,flexible,preemptible,deadline,priority"

    static func error(_ csv: String) -> String? {
        do {
            _ = try JobTrace.parse(csv: csv, file: "week.csv")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func parsesEveryColumnAndDefaults() throws {
        let jobs = try JobTrace.parse(csv: """
        # a comment, then a blank line

        submit,gpus,duration,flexible
        0,1,3600,true
        60,0,120,no
        """, file: "t.csv")
        #expect(jobs == [
            JobSpec(id: "j4", submit: 0, user: "user", gpus: 1, cpus: 8, duration: 3600, utilization: 1, flexible: true,
                    preemptible: true, deadline: nil, priority: 0),
            JobSpec(id: "j5", submit: 60, gpus: 0, cpus: 1, duration: 120, flexible: false),
        ])
        let full = try JobTrace.parse(csv: Self.header + "\na,10,ana,batch,8,64,7200,0.9,true,false,90000,3\n", file: "t.csv")
        #expect(full == [JobSpec(id: "a", submit: 10, user: "ana", pool: "batch", gpus: 8, cpus: 64, duration: 7200, utilization: 0.9,
                                 flexible: true, preemptible: false, deadline: 90000, priority: 3)])
        // Windows line ends.
        let crlf = try JobTrace.parse(csv: "submit,gpus,duration,flexible\r\n0,1,60,true\r\n5,2,60,false\r\n", file: "t.csv")
        #expect(crlf.map(\.gpus) == [1, 2] && crlf.map(\.id) == ["j2", "j3"])
    }

    @Test func errorsNameTheLineAndColumn() {
        let row = "a,10,ana,batch,8,64,7200,0.9,true,false,,3"
        func with(_ column: Int, _ value: String) -> String {
            var cells = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            cells[column] = value
            return Self.header + "\n" + cells.joined(separator: ",")
        }
        #expect(Self.error("id,submit,gpu,duration,flexible\n") == "week.csv: line 1: column gpu: unknown column; did you mean `gpus`?")
        #expect(Self.error("submit,gpus,flexible\n") == "week.csv: line 1: column duration: missing required column")
        #expect(Self.error("submit,gpus,gpus,duration,flexible\n") == "week.csv: line 1: column gpus: duplicate column")
        #expect(Self.error(Self.header + "\n" + row + "\n\na,1,2\n") == "week.csv: line 4: expected 12 fields, one per column of the header (line 1), found 3; is the line cut short?")
        #expect(Self.error(with(4, "two")) == "week.csv: line 2: column gpus: must be a whole number from 0 to 1600000, found `two`")
        #expect(Self.error(with(5, "0")) == "week.csv: line 2: column cpus: must be a whole number from 1 to 409600000, found `0`")
        #expect(Self.error(with(6, "-5")) == "week.csv: line 2: column duration: must be a number of seconds above 0 and at most 31622400 (a year), found `-5`")
        #expect(Self.error(with(1, "")) == "week.csv: line 2: column submit: missing value")
        #expect(Self.error(with(1, "soon")) == "week.csv: line 2: column submit: must be a number of seconds from 0 to 315619200, found `soon`")
        #expect(Self.error(with(7, "0")) == "week.csv: line 2: column utilization: must be a number in (0, 1], found `0`")
        #expect(Self.error(with(8, "maybe")) == "week.csv: line 2: column flexible: must be `true` or `false`, found `maybe`")
        #expect(Self.error(with(10, "5")) == "week.csv: line 2: column deadline: must be a number of seconds from submit (10) to 315619200, found `5`")
        #expect(Self.error(with(11, "high")) == "week.csv: line 2: column priority: must be a whole number from -1000000000 to 1000000000, found `high`")
        #expect(Self.error(with(3, "my pool")) == "week.csv: line 2: column pool: must use only letters, digits and `-_.`, found `my pool`")
        #expect(Self.error(Self.header + "\n" + row + "\n" + row) == "week.csv: line 3: column id: duplicate job id `a`, first on line 2")
        #expect(Self.error("# only a comment\n") == "week.csv: no header line")
        #expect(throws: TraceError(file: "nope.csv", line: 0, message: "no such file")) { try JobTrace.load(path: "nope.csv") }
    }

    /// A trace saved by a spreadsheet starts with a byte-order mark: it is not part of the
    /// first column's name (it read `\u{FEFF}id`, an unknown column).
    @Test func aByteOrderMarkIsSkipped() throws {
        let jobs = try JobTrace.parse(csv: "\u{FEFF}id,submit,gpus,duration,flexible\r\na,0,1,60,true\r\n", file: "t.csv")
        #expect(jobs.map(\.id) == ["a"])
        let dir = try TemporaryDirectory()
        let path = dir.write("bom.csv", [0xEF, 0xBB, 0xBF] + Array("id,submit,gpus,duration,flexible\nb,0,2,60,false\n".utf8))
        #expect(try JobTrace.load(path: path).map(\.gpus) == [2])
    }

    /// A file that is not a trace (a path that names another file) is refused without
    /// printing its lines; an unknown column of a real header is quoted short and clean.
    @Test func aFileThatIsNotATraceIsNotQuoted() {
        let secret = "root:$6$saltsalt$5H0QpwprRiJQR19Y2nSH.gs2bWJ4R0g:19000:0:99999:7:::"
        let error = Self.error(secret + "\ndaemon:*:19000:0:99999:7:::\n") ?? ""
        #expect(error == "week.csv: line 1: not a trace header: no column of a job trace is named (`submit`, `gpus`, `duration`, `flexible` are required); is this a job trace CSV?")
        #expect(!error.contains("saltsalt") && !error.contains("root"))
        let long = String(repeating: "x", count: 200) + "\u{202E}"
        let column = Self.error("submit,gpus,duration,flexible," + long + "\n") ?? ""
        #expect(column.hasPrefix("week.csv: line 1: column xxxxxxxx") && column.count < 120 && !column.contains("\u{202E}"))
    }

    @Test func theSimulatorChecksPoolsAndSizes() {
        let cluster = Fixture.cluster([("default", "dgx-h100-like", 1), ("batch", "l40s-4gpu", 1)])
        #expect(throws: SimulatorError("job `a`: unknown pool `bach`; did you mean `batch`?")) {
            try Simulator(cluster: cluster, jobs: [Fixture.job("a", pool: "bach")])
        }
        #expect(throws: SimulatorError("job `a`: needs 8 GPUs but nodes of pool `batch` have 4 (a job runs on one node)")) {
            try Simulator(cluster: cluster, jobs: [Fixture.job("a", gpus: 8, pool: "batch")])
        }
        #expect(throws: SimulatorError("duplicate job id `a`")) {
            try Simulator(cluster: cluster, jobs: [Fixture.job("a"), Fixture.job("a")])
        }
    }

    @Test func csvRoundTrips() throws {
        let jobs = Fixture.syntheticJobs(gpus: 50)
        #expect(try JobTrace.parse(csv: JobTrace.csv(jobs, comment: "hello\nworld"), file: "t.csv") == jobs)
    }
}

@Suite struct TraceGeneratorTests {
    /// Four weeks for 100 GPUs: about six thousand jobs.
    static let month = TraceGenerator(seed: 8, start: Fixture.start, duration: 28 * 86_400, gpuCapacity: 100)
    static let jobs = month.generate()

    @Test func sameSeedSameTrace() {
        let a = TraceGenerator(seed: 4, start: Fixture.start, duration: 86_400, gpuCapacity: 200)
        var b = a
        #expect(a.generate() == b.generate())
        b.seed = 5
        #expect(a.generate() != b.generate())
    }

    @Test func arrivalsFollowTheDayAndTheWeek() {
        var byHour = [Int](repeating: 0, count: 24)
        var weekday = 0, weekend = 0
        for j in Self.jobs {
            let t = Fixture.start + j.submit
            byHour[Int((t.truncatingRemainder(dividingBy: 86_400)) / 3600)] += 1
            let day = Int(j.submit / 86_400) % 7          // the start is a Monday
            if day >= 5 { weekend += 1 } else { weekday += 1 }
        }
        // Peak at 14:00 UTC, trough at 02:00: with amplitude 0.5 the five hours around each
        // differ by about 2.3 : 1.
        let peak = byHour[12...16].reduce(0, +), trough = byHour[0...4].reduce(0, +)
        #expect(Double(peak) > 1.8 * Double(trough))
        // Weekend days at about 0.6 of a weekday.
        let ratio = (Double(weekend) / 2) / (Double(weekday) / 5)
        #expect(ratio > 0.5 && ratio < 0.7)
    }

    @Test func shapesOfTheJobs() {
        let jobs = Self.jobs
        let n = Double(jobs.count)
        #expect(jobs.count > 5000 && jobs.count < 7000)
        // GPU counts skewed to one, with some 8-GPU jobs.
        let one = Double(jobs.filter { $0.gpus == 1 }.count) / n
        let eight = Double(jobs.filter { $0.gpus == 8 }.count) / n
        #expect(one > 0.6 && eight > 0.05 && eight < 0.12)
        // Heavy-tailed run times: the 99th percentile of training is tens of times its median.
        let training = jobs.filter(\.flexible).map(\.duration).sorted()
        let median = training[training.count / 2], p99 = training[training.count * 99 / 100]
        #expect(abs(median - 5400) < 600)
        #expect(p99 / median > 20)
        #expect(training.reduce(0, +) / Double(training.count) > 2 * median)
        // The mix: flexible, mostly preemptible training; inflexible work never preemptible.
        let flexible = Double(training.count) / n
        #expect(abs(flexible - 0.55) < 0.03)
        #expect(jobs.filter { !$0.flexible }.allSatisfy { !$0.preemptible && $0.pool == "default" })
        #expect(Double(jobs.filter { $0.flexible && $0.preemptible }.count) / Double(training.count) > 0.85)
        // Deadlines come after submission.
        #expect(jobs.allSatisfy { $0.deadline == nil || $0.deadline! > $0.submit + $0.duration })
        // Offered load near the target (a heavy tail makes a month's sample noisy).
        let gpuSeconds = jobs.reduce(0.0) { $0 + Double($1.gpus) * $1.duration }
        #expect(abs(gpuSeconds / (28 * 86_400 * 100) - 0.6) < 0.15)
        // Users: a few heavy ones.
        let top = Dictionary(grouping: jobs, by: \.user).values.map(\.count).max()!
        #expect(Double(top) / n > 0.1)
    }

    @Test func theShippedWeekIsTheGeneratorsOutput() throws {
        let start = try #require(ClusterText.parseInstant("2020-06-01T00:00:00Z"))
        let text = try String(contentsOfFile: Fixture.path("examples/traces/week.csv"), encoding: .utf8)
        #expect(text == TraceGenerator(seed: 2020, start: start).csv())
        let cluster = try ClusterDefinition.load(path: Fixture.path("examples/clusters/demo.yaml"))
        #expect(try cluster.loadTrace().count == 14_653)
    }
}
