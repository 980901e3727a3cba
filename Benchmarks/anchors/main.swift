import Foundation
import WattLanguage
#if canImport(Glibc)
import Glibc
#endif

// The anchor benchmark's Watt engine: `watt-anchor SNAPSHOT.json [--iters N] [--warmup W]
// [--policy tick.watt]` loads the snapshot into tables once, compiles the policy once, then
// times each tick: the program's evaluation over the loaded world and the summary of its
// proposed actions. Prints the harness's JSON record as its last line.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("watt-anchor: \(message)\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var iterations = 100, warmup = 5
var snapshotPath: String?
// `--boxed`: hand the program boxed records instead of tables, to measure what tables buy.
var boxed = false
// The policy next to this source file, unless given.
var policyPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("tick.watt").path
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--iters", "--warmup", "--policy":
        guard let value = arguments.first else { fail("\(argument) needs a value") }
        arguments.removeFirst()
        if argument == "--policy" { policyPath = value; continue }
        guard let n = Int(value), n >= 0 else { fail("\(argument) needs a whole number, not `\(value)`") }
        if argument == "--iters" { iterations = max(1, n) } else { warmup = n }
    case "--boxed": boxed = true
    default: snapshotPath = argument
    }
}
guard let snapshotPath else { fail("usage: watt-anchor SNAPSHOT.json [--iters N] [--warmup W] [--policy FILE]") }

let vocabulary: Vocabulary
let world: (inputs: Inputs, nodes: Int, jobs: Int)
let program: Program
do {
    vocabulary = try AnchorWorld.vocabulary()
    var loaded = try AnchorWorld.load(snapshotPath, vocabulary: vocabulary)
    if boxed { loaded.inputs = AnchorWorld.boxed(loaded.inputs) }
    world = loaded
    guard let bytes = FileManager.default.contents(atPath: policyPath) else { fail("cannot read `\(policyPath)`") }
    let source = SourceFile(name: policyPath, bytes: Array(bytes))
    let result = Compilation.compile([source], vocabulary: vocabulary)
    guard let compiled = result.program, result.diagnostics.errors.isEmpty else {
        fail("the policy does not compile:\n" + DiagnosticRenderer.text(result.diagnostics))
    }
    program = compiled
} catch {
    fail("\(error)")
}

func nanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

let now = Date().timeIntervalSince1970
@inline(never)
func tick() -> AnchorSummary { AnchorSummary(program.evaluate(world.inputs, now: now)) }

var first = tick()
for _ in 0..<warmup { first = tick() }
if let failed = program.evaluate(world.inputs, now: now).outcomes.first(where: { $0.diagnostic != nil }) {
    fail("rule `\(failed.rule)` failed: \(failed.diagnostic!.message)")
}
var times: [Double] = []
times.reserveCapacity(iterations)
var last = first
for _ in 0..<iterations {
    let t0 = nanoseconds()
    last = tick()
    let t1 = nanoseconds()
    times.append(Double(t1 - t0) / 1000)
}
if last != first { fail("the summary changed between iterations") }
times.sort()
let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
print("{\"engine\": \"\(boxed ? "watt-boxed" : "watt")\", \"nodes\": \(world.nodes), \"jobs\": \(world.jobs), \"iters\": \(iterations), "
    + "\"warmup\": \(warmup), \"median_us\": \(median), \"min_us\": \(times.first!), \"max_us\": \(times.last!), "
    + "\"summary\": \(first.json)}")
