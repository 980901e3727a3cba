import Foundation

// Every benchmark of the project, by area; each area lives in its own file.
// `swift run -c release watt-bench [FILTER] [--json FILE] [--record FILE] [--check FILE]
//  [--tolerance X] [--alloc-tolerance F] [--budget-scale S] [--write-policy FILE] [--once [--runs N]] [--markdown] [--list]`
// FILTER keeps the benchmarks whose name contains it. Run from the repository root (the
// simulated week and the real-data backtests read examples/ and policies/).
let all: [Benchmark] = HarnessBenchmarks.all + LanguageBenchmarks.all + ControlBenchmarks.all + EnergyBenchmarks.all
    + ClusterBenchmarks.all

func usage(_ message: String) -> Never {
    FileHandle.standardError.write(Data("watt-bench: \(message)\n".utf8))
    FileHandle.standardError.write(Data("""
    usage: watt-bench [FILTER] [--json FILE] [--record FILE] [--check FILE] [--tolerance X]
                      [--alloc-tolerance F] [--budget-scale S] [--write-policy FILE] [--once [--runs N]]
                      [--markdown] [--list]

    """.utf8))
    exit(2)
}

var filter: String?
var jsonPath: String?
/// `--record`: like `--json`, but results of benchmarks not run this time are kept from the file.
var recordPath: String?
var checkPath: String?
var check = BaselineCheck()
var budgetScale = 1.0
/// `--once`: set up and run each selected benchmark once, untimed by the harness (for a
/// profiler: `valgrind --tool=callgrind .build/release/watt-bench --once NAME`).
var once = false
/// `--runs N` (with `--once`): run the operation N times after one setup. A profile of N runs
/// minus one of a single run is the cost of N - 1 steady iterations (the first iteration can
/// do one-off work, such as a tick's daily model reselection).
var runs = 1
/// `--markdown`: also print the results as a Markdown table (for docs/performance.md).
var markdown = false
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    func value() -> String {
        guard !arguments.isEmpty else { usage("\(argument) needs a value") }
        return arguments.removeFirst()
    }
    func number() -> Double {
        let v = value()
        guard let d = Double(v), d > 0 else { usage("\(argument) needs a positive number, not `\(v)`") }
        return d
    }
    switch argument {
    case "--json": jsonPath = value()
    case "--record": recordPath = value()
    case "--check": checkPath = value()
    case "--tolerance": check.timeFactor = number()
    case "--alloc-tolerance": check.allocationSlack = number()
    case "--budget-scale": budgetScale = number()
    case "--write-policy":
        let path = value()
        do { try LanguageBenchmarks.largePolicy().write(toFile: path, atomically: true, encoding: .utf8) } catch {
            usage("cannot write `\(path)`: \(error.localizedDescription)")
        }
        say("wrote \(path)")
        exit(0)
    case "--once": once = true
    case "--runs": runs = Int(number())
    case "--markdown": markdown = true
    case "--list":
        for b in all { say(b.name) }
        exit(0)
    case "-h", "--help": usage("benchmarks of the project (docs/performance.md)")
    default:
        if argument.hasPrefix("-") { usage("unknown option `\(argument)`") }
        filter = argument.isEmpty ? nil : argument
    }
}

var baselines: [BenchmarkResult]?
if let checkPath {
    guard let data = FileManager.default.contents(atPath: checkPath) else { usage("cannot read `\(checkPath)`") }
    do { baselines = try JSONDecoder().decode(BenchmarkReport.self, from: data).results } catch {
        usage("`\(checkPath)` is not a benchmark report: \(error)")
    }
}

#if DEBUG
say("warning: benchmarks built in debug mode; use `swift run -c release watt-bench`")
#endif
say("\(Harness.machine), \(ProcessInfo.processInfo.activeProcessorCount) cores")
if !HarnessBenchmarks.counterWorks() { say("warning: the allocation counter is not counting (allocations below are wrong)") }
say(Harness.header)
if once {
    for benchmark in all where filter == nil || benchmark.name.contains(filter!) {
        let operation = benchmark.setUp()
        let start = Harness.now()
        for _ in 0..<max(runs, 1) { operation() }
        say("\(benchmark.name): ran \(runs == 1 ? "once" : "\(runs) times") in \(Harness.format(Harness.now() - start))")
    }
    exit(0)
}
var results: [BenchmarkResult] = []
for benchmark in all where filter == nil || benchmark.name.contains(filter!) {
    let result = Harness.run(benchmark, budgetScale: budgetScale)
    results.append(result)
    say(Harness.row(result))
}
if markdown {
    say("\n| benchmark | median | allocations | bytes | target |\n|---|--:|--:|--:|---|")
    for r in results {
        var goal = ""
        if let t = r.target { goal += "< " + Harness.format(t) }
        if let a = r.allocationLimit { goal += (goal.isEmpty ? "" : ", ") + "≤ \(Harness.count(a)) allocations" }
        if let verdict = r.verdict { goal += " **" + verdict + "**" }
        say("| \(r.name) | \(Harness.format(r.median)) | \(Harness.count(r.allocations)) | \(Harness.bytes(r.bytes)) | \(goal) |")
    }
}
let missed = results.filter { $0.verdict == "MISS" }
if !missed.isEmpty { say("missed targets: \(missed.map(\.name).joined(separator: "; "))") }

func write(_ results: [BenchmarkResult], to path: String) {
    let report = BenchmarkReport(machine: Harness.machine, cores: ProcessInfo.processInfo.activeProcessorCount,
                                 date: ISO8601DateFormatter().string(from: Date()), results: results)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    do {
        try encoder.encode(report).write(to: URL(fileURLWithPath: path))
        say("wrote \(path)")
    } catch {
        usage("cannot write `\(path)`: \(error.localizedDescription)")
    }
}

if let jsonPath { write(results, to: jsonPath) }
if let recordPath {
    // Keep the stored results of benchmarks not run now (a filtered run records only its own).
    var merged = results
    if let data = FileManager.default.contents(atPath: recordPath),
       let old = try? JSONDecoder().decode(BenchmarkReport.self, from: data) {
        let ran = Set(results.map(\.name)), order = Dictionary(all.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        merged += old.results.filter { !ran.contains($0.name) && order[$0.name] != nil }
        merged.sort { order[$0.name] ?? 0 < order[$1.name] ?? 0 }
    }
    write(merged, to: recordPath)
}

if let baselines {
    let failures = check.report(results, baselines: baselines, filtered: filter != nil)
    if failures > 0 {
        say("bench-check: \(failures) regression\(failures == 1 ? "" : "s") against \(checkPath!)")
        exit(1)
    }
    say("bench-check: no regressions against \(checkPath!)")
}
