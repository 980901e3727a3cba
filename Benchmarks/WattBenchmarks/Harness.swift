import Foundation

/// A small release-mode benchmark harness: each benchmark runs a warm-up, then timed
/// batches until a time budget is spent, and reports the median time per iteration.
/// Run with `make bench` (`swift run -c release watt-bench [FILTER]`).
struct Benchmark {
    var name: String
    /// Prepares state once and returns the operation to time.
    var setUp: () -> () -> Void
}

enum Harness {
    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    static func run(_ benchmark: Benchmark, budget: Double = 1.0) -> (median: Double, iterations: Int) {
        let operation = benchmark.setUp()
        operation()
        // Pick a batch size that takes about 10 ms.
        var batch = 1
        while true {
            let start = now()
            for _ in 0..<batch { operation() }
            if now() - start > 0.01 || batch > 1 << 24 { break }
            batch *= 2
        }
        var samples: [Double] = []
        let end = now() + budget
        repeat {
            let start = now()
            for _ in 0..<batch { operation() }
            samples.append((now() - start) / Double(batch))
        } while now() < end && samples.count < 1000
        samples.sort()
        return (samples[samples.count / 2], samples.count * batch)
    }

    static func format(_ seconds: Double) -> String {
        if seconds < 1e-6 { return String(format: "%.1f ns", seconds * 1e9) }
        if seconds < 1e-3 { return String(format: "%.2f µs", seconds * 1e6) }
        if seconds < 1 { return String(format: "%.2f ms", seconds * 1e3) }
        return String(format: "%.2f s", seconds)
    }
}
