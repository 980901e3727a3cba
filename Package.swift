// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Watt",
    products: [
        // The embeddable language core: knows nothing about energy; hosts register the vocabulary.
        .library(name: "WattLanguage", targets: ["WattLanguage"]),
        // The energy domain: hardware profiles, power/energy/carbon/cost, forecasting.
        // Independent of the language; plain Doubles in SI units inside.
        .library(name: "WattEnergy", targets: ["WattEnergy"]),
        // The cluster: world model, actions, the Scheduler protocol, the simulator.
        .library(name: "WattCluster", targets: ["WattCluster"]),
        .executable(name: "watt", targets: ["watt"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        // Cluster definitions are YAML (examples/clusters/*.yaml).
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // The control loop's journal (SQLite, WAL).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // Small shared utilities (calendar arithmetic, edit distance) with no dependencies.
        .target(name: "WattSupport"),
        .target(name: "WattLanguage", dependencies: ["WattSupport"]),
        // A small host vocabulary (site, grid, nodes, jobs, verbs) and world for the language
        // core's own tests and fuzzing: depends on nothing but the core, so testing the core
        // builds no database, YAML, CLI or control code.
        .target(name: "WattDemoVocabulary", dependencies: ["WattLanguage"]),
        .target(name: "WattEnergy", dependencies: ["WattSupport"], resources: [.copy("Resources")]),
        // Resources: the built-in demo cluster (`--cluster demo`), copies of examples/ files.
        .target(name: "WattCluster", dependencies: ["WattEnergy", "WattSupport", .product(name: "Yams", package: "Yams")],
                resources: [.copy("Resources")]),
        // The energy vocabulary of the language: the world, forecasts and verbs, bound.
        .target(name: "WattBindings", dependencies: ["WattLanguage", "WattEnergy", "WattCluster"]),
        // The control loop: rule timers, arbitration, guardrails, the tick, the baseline report.
        .target(name: "WattControl", dependencies: ["WattLanguage", "WattEnergy", "WattCluster", "WattBindings",
                                                    .product(name: "GRDB", package: "GRDB.swift")]),
        // GNU readline for the REPL's terminal (libreadline-dev; `make` installs it).
        .systemLibrary(name: "CReadline", path: "Sources/CReadline", providers: [.apt(["libreadline-dev"])]),
        // The Slurm adapter: the only code that runs external commands.
        .target(name: "WattSlurm", dependencies: ["WattCluster", "WattEnergy", "WattSupport"]),
        // `watt test`: runs the test blocks of policy files against the simulator.
        .target(name: "WattTesting", dependencies: ["WattLanguage", "WattCluster", "WattBindings", "WattControl"]),
        .target(
            name: "WattCLI",
            dependencies: [
                "WattTesting",
                "WattSlurm",
                "WattSupport",
                "CReadline",
                "WattLanguage",
                "WattEnergy",
                "WattCluster",
                "WattBindings",
                "WattControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "watt", dependencies: ["WattCLI", "WattSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // How a host program embeds the language core with its own vocabulary.
        .executableTarget(name: "watt-embedding-example", dependencies: ["WattLanguage"], path: "examples/embedding"),
        .testTarget(
            name: "WattLanguageTests",
            dependencies: [
                "WattLanguage",
                "WattDemoVocabulary",
                "WattTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Corpus"]
        ),
        // What the test targets share: reliability figures (docs/reliability.md).
        .target(name: "WattTestSupport", path: "Tests/WattTestSupport"),
        .testTarget(name: "WattSupportTests", dependencies: ["WattSupport"]),
        .testTarget(name: "WattEnergyTests", dependencies: ["WattEnergy", "WattSupport", "WattTestSupport"]),
        .testTarget(name: "WattClusterTests", dependencies: ["WattCluster", "WattEnergy", "WattTestSupport"]),
        .testTarget(name: "WattControlTests", dependencies: ["WattControl", "WattBindings", "WattLanguage", "WattCluster", "WattTestSupport"]),
        .testTarget(name: "WattSlurmTests", dependencies: ["WattSlurm", "WattCluster"], exclude: ["Fixtures"]),
        .testTarget(name: "WattTestingTests", dependencies: ["WattTesting", "WattControl", "WattLanguage", "WattTestSupport"]),
        .testTarget(name: "WattBindingsTests", dependencies: ["WattBindings", "WattLanguage", "WattEnergy", "WattCluster", "WattTestSupport"]),
        // Release-mode benchmarks: `make bench`, `make bench-check` (never timed assertions in
        // tests; docs/performance.md). CMallocCounter interposes malloc to count allocations:
        // it is linked into watt-bench only.
        .target(name: "CMallocCounter", path: "Benchmarks/MallocCounter"),
        .executableTarget(name: "watt-bench", dependencies: ["CMallocCounter", "WattEnergy", "WattLanguage", "WattCluster",
                                                             "WattBindings", "WattControl"],
                          path: "Benchmarks/WattBenchmarks"),
        // The side-by-side anchor benchmark's Watt engine (docs/performance.md).
        .executableTarget(name: "watt-anchor", dependencies: ["WattLanguage"], path: "Benchmarks/anchors",
                          exclude: ["tick.watt", "harness"]),
        .testTarget(name: "WattCLITests", dependencies: ["WattCLI", "WattLanguage", "WattBindings", "WattCluster", "WattControl", "WattSupport", "WattTestSupport"],
                    exclude: ["Fixtures", "Snapshots"]),
    ],
    swiftLanguageModes: [.v6]
)
