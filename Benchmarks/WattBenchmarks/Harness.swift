import CMallocCounter
import Foundation

/// A small release-mode benchmark harness: each benchmark runs a warm-up, then timed
/// batches until a time budget is spent, and reports the median time per iteration and the
/// allocations per iteration (counted by the interposed allocator, `CMallocCounter`).
/// Run with `make bench` (`swift run -c release watt-bench [FILTER]`).
struct Benchmark {
    var name: String
    /// The goal for the median time per iteration, s (the table says PASS or MISS).
    var target: Double?
    /// The goal for allocations per iteration, when the count matters (e.g. a tick that must
    /// allocate per action, not per job).
    var allocationLimit: Double?
    /// Wall-clock seconds to spend on timed samples (at least one is always taken).
    var budget: Double
    /// Units of work one call of the operation does (e.g. a cycle of 12 ticks, so that every
    /// call does the same work); the figures are per unit.
    var units: Int
    /// Prepares state once and returns the operation to time.
    var setUp: () -> () -> Void

    init(name: String, target: Double? = nil, allocationLimit: Double? = nil, budget: Double = 1.0, units: Int = 1,
         setUp: @escaping () -> () -> Void) {
        self.name = name
        self.target = target
        self.allocationLimit = allocationLimit
        self.budget = budget
        self.units = units
        self.setUp = setUp
    }
}

/// One benchmark's figures, as printed and as stored in JSON (`--json`, baselines).
struct BenchmarkResult: Codable {
    var name: String
    /// Median seconds per iteration (per unit of work, see `Benchmark.units`).
    var median: Double
    /// Units of work timed, over every sample.
    var iterations: Int
    /// Allocations and bytes requested per iteration (the least over the samples: the
    /// count is nearly deterministic, the minimum drops one-off growth of caches).
    var allocations: Double
    var bytes: Double
    var target: Double?
    var allocationLimit: Double?

    /// PASS or MISS against the goals; nil without any.
    var verdict: String? {
        guard target != nil || allocationLimit != nil else { return nil }
        let fast = target.map { median <= $0 } ?? true
        let lean = allocationLimit.map { allocations <= $0 } ?? true
        return fast && lean ? "PASS" : "MISS"
    }
}

/// What `--json`, `--record` and `--check` read and write.
struct BenchmarkReport: Codable {
    var machine: String
    var cores: Int
    var date: String
    var results: [BenchmarkResult]
}

enum Harness {
    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    static func allocationCounts() -> (allocations: UInt64, bytes: UInt64) {
        let c = watt_malloc_counts_now()
        return (c.allocations, c.bytes)
    }

    static func run(_ benchmark: Benchmark, budgetScale: Double = 1) -> BenchmarkResult {
        let operation = benchmark.setUp()
        let warmStart = now()
        operation()
        let warmUp = now() - warmStart
        // Batches of about 10 ms for fast operations; one iteration per sample for slow ones.
        var batch = 1
        if warmUp < 0.01 {
            while true {
                let start = now()
                for _ in 0..<batch { operation() }
                if now() - start > 0.01 || batch > 1 << 24 { break }
                batch *= 2
            }
        }
        var samples: [Double] = []
        var allocations = Double.infinity, bytes = Double.infinity
        samples.reserveCapacity(1000)
        let end = now() + benchmark.budget * budgetScale
        repeat {
            let before = allocationCounts()
            let start = now()
            for _ in 0..<batch { operation() }
            let elapsed = now() - start
            let after = allocationCounts()
            let units = Double(batch * benchmark.units)
            samples.append(elapsed / units)
            allocations = min(allocations, Double(after.allocations - before.allocations) / units)
            bytes = min(bytes, Double(after.bytes - before.bytes) / units)
        } while now() < end && samples.count < 1000
        samples.sort()
        return BenchmarkResult(name: benchmark.name, median: samples[samples.count / 2],
                               iterations: samples.count * batch * benchmark.units,
                               allocations: allocations, bytes: bytes, target: benchmark.target,
                               allocationLimit: benchmark.allocationLimit)
    }

    static func format(_ seconds: Double) -> String {
        if seconds < 1e-6 { return String(format: "%.1f ns", seconds * 1e9) }
        if seconds < 1e-3 { return String(format: "%.2f µs", seconds * 1e6) }
        if seconds < 1 { return String(format: "%.2f ms", seconds * 1e3) }
        return String(format: "%.2f s", seconds)
    }

    /// A count per iteration: whole numbers as such, amortised fractions with one decimal,
    /// large ones with a k or M suffix.
    static func count(_ n: Double) -> String {
        if n >= 10_000_000 { return String(format: "%.1fM", n / 1e6) }
        if n >= 100_000 { return String(format: "%.0fk", n / 1e3) }
        if n == n.rounded() { return String(format: "%.0f", n) }
        return String(format: "%.1f", n)
    }

    static func bytes(_ n: Double) -> String {
        if n >= 1_073_741_824 { return String(format: "%.1f GiB", n / 1_073_741_824) }
        if n >= 1_048_576 { return String(format: "%.1f MiB", n / 1_048_576) }
        if n >= 1024 { return String(format: "%.1f KiB", n / 1024) }
        return String(format: "%.0f B", n)
    }

    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let n = s.count
        guard n < width else { return s }
        let space = String(repeating: " ", count: width - n)
        return right ? space + s : s + space
    }

    static let nameWidth = 58

    static var header: String {
        pad("benchmark", nameWidth) + pad("median", 11, right: true) + pad("iters", 9, right: true)
            + pad("allocs/iter", 13, right: true) + pad("bytes/iter", 12, right: true) + "   target"
    }

    static func row(_ r: BenchmarkResult) -> String {
        var goal = ""
        if let t = r.target { goal += "< " + format(t) }
        if let a = r.allocationLimit { goal += (goal.isEmpty ? "" : ", ") + "≤ \(count(a)) allocs" }
        if let verdict = r.verdict { goal += " " + verdict }
        return pad(r.name, nameWidth) + pad(format(r.median), 11, right: true) + pad("\(r.iterations)", 9, right: true)
            + pad(count(r.allocations), 13, right: true) + pad(bytes(r.bytes), 12, right: true) + "   " + goal
    }

    /// The CPU model, as /proc/cpuinfo names it.
    static var machine: String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
              let colon = line.firstIndex(of: ":") else { return "unknown" }
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
}

/// Prints a line at once (unbuffered), so rows appear as they are measured, also through a pipe.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// Compares a run with stored baselines: slower than `timeFactor` × the baseline's median,
/// or more than `allocationSlack` (a fraction, plus a few) allocations per iteration than
/// the baseline, is a regression.
struct BaselineCheck {
    var timeFactor = 3.0
    var allocationSlack = 0.25

    enum Verdict: Equatable { case ok, slower, moreAllocations, slowerAndMoreAllocations, noBaseline }

    func verdict(_ result: BenchmarkResult, baseline: BenchmarkResult?) -> Verdict {
        guard let baseline else { return .noBaseline }
        let slower = result.median > baseline.median * timeFactor
        let more = result.allocations > baseline.allocations * (1 + allocationSlack) + 4
        switch (slower, more) {
        case (true, true): return .slowerAndMoreAllocations
        case (true, false): return .slower
        case (false, true): return .moreAllocations
        case (false, false): return .ok
        }
    }

    /// Prints one line per benchmark; returns the number of regressions.
    func report(_ results: [BenchmarkResult], baselines: [BenchmarkResult], filtered: Bool = false) -> Int {
        let byName = Dictionary(baselines.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        say("\ncheck against baselines (slower than \(String(format: "%g", timeFactor))× or more than "
              + "\(Int(allocationSlack * 100)) % + 4 more allocations per iteration fails)")
        say(Harness.pad("benchmark", Harness.nameWidth) + Harness.pad("baseline", 11, right: true)
              + Harness.pad("now", 11, right: true) + Harness.pad("ratio", 8, right: true)
              + Harness.pad("allocs base", 13, right: true) + Harness.pad("now", 9, right: true) + "   verdict")
        var failures = 0
        for r in results {
            let b = byName[r.name]
            let v = verdict(r, baseline: b)
            let text: String
            switch v {
            case .ok: text = "ok"
            case .noBaseline: text = "new (no baseline)"
            case .slower: text = "SLOWER"
            case .moreAllocations: text = "MORE ALLOCATIONS"
            case .slowerAndMoreAllocations: text = "SLOWER, MORE ALLOCATIONS"
            }
            if v != .ok && v != .noBaseline { failures += 1 }
            say(Harness.pad(r.name, Harness.nameWidth) + Harness.pad(b.map { Harness.format($0.median) } ?? "-", 11, right: true)
                  + Harness.pad(Harness.format(r.median), 11, right: true)
                  + Harness.pad(b.map { String(format: "%.2f", r.median / $0.median) } ?? "-", 8, right: true)
                  + Harness.pad(b.map { Harness.count($0.allocations) } ?? "-", 13, right: true)
                  + Harness.pad(Harness.count(r.allocations), 9, right: true) + "   " + text)
        }
        let missing = Set(byName.keys).subtracting(results.map(\.name))
        if filtered {
            if !missing.isEmpty { say("\(missing.count) baselines not selected by the filter") }
        } else if !missing.isEmpty {
            say("in the baselines but not run (renamed or removed?): \(missing.sorted().joined(separator: "; "))")
        }
        return failures
    }
}

/// The harness checks itself: a known number of allocations must be counted as such.
enum HarnessBenchmarks {
    /// Keeps the arrays alive (so none is promoted to the stack) until the next iteration.
    final class Sink { var arrays: [[Int]] = [] }

    /// 100 arrays of 128 Ints: 100 allocations of 32 + 1,024 bytes each.
    static func allocateArrays(into sink: Sink) {
        sink.arrays.removeAll(keepingCapacity: true)
        for i in 0..<100 { sink.arrays.append(Array(repeating: i, count: 128)) }
    }

    static var all: [Benchmark] { [
        Benchmark(name: "harness: 100 arrays of 128 Ints (100 allocations)", allocationLimit: 100) {
            let sink = Sink()
            sink.arrays.reserveCapacity(100)
            return { allocateArrays(into: sink) }
        },
    ] }

    /// Whether the allocation counter sees exactly the allocations made (it does unless the
    /// interposition failed, e.g. a static glibc or a preloaded allocator).
    static func counterWorks() -> Bool {
        let sink = Sink()
        sink.arrays.reserveCapacity(100)
        allocateArrays(into: sink)
        let before = Harness.allocationCounts()
        allocateArrays(into: sink)
        let after = Harness.allocationCounts()
        return after.allocations - before.allocations == 100
    }
}
