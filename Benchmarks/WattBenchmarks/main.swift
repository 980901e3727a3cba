import Foundation

// Every benchmark of the project, by area; each area lives in its own file.
let all: [Benchmark] = LanguageBenchmarks.all + EnergyBenchmarks.all + ClusterBenchmarks.all

let filter = CommandLine.arguments.dropFirst().first
#if DEBUG
print("warning: benchmarks built in debug mode; use `swift run -c release watt-bench`")
#endif
print("benchmark".padding(toLength: 48, withPad: " ", startingAt: 0) + "median/iter   iterations")
for benchmark in all where filter == nil || benchmark.name.contains(filter!) {
    let result = Harness.run(benchmark)
    print(benchmark.name.padding(toLength: 48, withPad: " ", startingAt: 0)
          + Harness.format(result.median).padding(toLength: 14, withPad: " ", startingAt: 0) + "\(result.iterations)")
}
