import WattLanguage

/// The language core on a synthetic world: compile once, evaluate per tick.
enum LanguageBenchmarks {
    static func world(nodes: Int, jobs: Int) -> (Vocabulary, Inputs) {
        var vocabulary = Vocabulary()
        let node = RecordSchema(name: "node", fields: [
            FieldSchema("id", .string), FieldSchema("pool", .string), FieldSchema("power", .quantity(.power)),
            FieldSchema("temperature", .quantity(.temperature)), FieldSchema("gpus_free", .number),
        ])
        let job = RecordSchema(name: "job", fields: [
            FieldSchema("id", .string), FieldSchema("gpus", .number), FieldSchema("flexible", .bool),
            FieldSchema("energy", .quantity(.energy)),
        ])
        try! vocabulary.register(node)
        try! vocabulary.register(job)
        try! vocabulary.register(HostName("nodes", .list(.record("node")), sizeHint: nodes))
        try! vocabulary.register(HostName("jobs", .list(.record("job")), sizeHint: jobs))
        try! vocabulary.register(VerbSignature("cap", targets: [.exact(.list(.record("node")))], slots: [
            SlotSignature("at", .exact(.quantity(.power)), required: true),
        ]))
        try! vocabulary.register(VerbSignature("move", targets: [.exact(.list(.record("job")))], slots: [
            SlotSignature("to pool", .exact(.string), required: true),
        ]))
        var inputs = Inputs(vocabulary: vocabulary)
        var seed: UInt64 = 42
        func random() -> Double {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Double(seed >> 11) / Double(1 << 53)
        }
        try! inputs.set("nodes", .list((0..<nodes).map { i in
            .record(Record(schema: node, fields: [.string("n\(i)"), .string(i % 3 == 0 ? "efficient" : "default"),
                                                  .number(2000 + 8000 * random()), .number(40 + 50 * random()),
                                                  .number(Double(Int(random() * 9)))]))
        }))
        try! inputs.set("jobs", .list((0..<jobs).map { i in
            .record(Record(schema: job, fields: [.string("j\(i)"), .number(Double(Int(random() * 9))),
                                                 .bool(random() < 0.5), .number(3.6e6 * 100 * random())]))
        }))
        return (vocabulary, inputs)
    }

    static let policy = """
    let hot = nodes where temperature > 85 degC
    rule cap_hot { when count(hot) > 0 then cap hot at 5 kW }
    rule shave { when sum(nodes.power) > 1 MW then move top 10 of jobs where flexible and gpus > 0 by energy to pool "efficient" }
    rule idle { when count(nodes where gpus_free == 8) > 10 then cap nodes where gpus_free == 8 and pool == "default" at 2 kW }
    """

    static var all: [Benchmark] { [
        Benchmark(name: "language: compile 3-rule policy") {
            let (vocabulary, _) = world(nodes: 1, jobs: 1)
            return { _ = Compilation.compile([SourceFile(name: "p", text: policy)], vocabulary: vocabulary) }
        },
        Benchmark(name: "language: tick, 2,000 nodes / 20,000 jobs") {
            let (vocabulary, inputs) = world(nodes: 2000, jobs: 20000)
            let program = Compilation.compile([SourceFile(name: "p", text: policy)], vocabulary: vocabulary).program!
            return { _ = program.evaluate(inputs, now: 0) }
        },
    ] }
}
