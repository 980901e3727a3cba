import WattLanguage

/// A small host vocabulary for the language core's own tests, corpus and fuzzer: a site, a
/// grid, nodes and jobs, a persistence `forecast`, and the usual action verbs, with a world
/// of five nodes and five jobs. It shows how a host binds the core; it is not the energy
/// vocabulary users write policies against (WattBindings), and it depends on nothing but
/// the core.
public enum DemoVocabulary {
    /// The demo world's pools: pool names in policies are checked against them.
    public static let poolNames = ["default", "efficient", "batch"]

    public static func make() -> Vocabulary {
        var v = Vocabulary()
        do {
            try v.register(RecordSchema(name: "site", fields: [
                FieldSchema("power", .quantity(.power), doc: "IT power now"),
                FieldSchema("facility_power", .quantity(.power), doc: "IT power times PUE"),
                FieldSchema("power_cap", .quantity(.power), doc: "contracted site power limit"),
                FieldSchema("pue", .number, doc: "power usage effectiveness"),
                FieldSchema("outdoor_temperature", .optional(.quantity(.temperature)), doc: "may be missing"),
                FieldSchema("energy_today", .quantity(.energy), doc: "IT energy since midnight UTC"),
            ], doc: "the data center site"))
            try v.register(RecordSchema(name: "grid", fields: [
                FieldSchema("carbon_intensity", .quantity(.carbonIntensity), doc: "grid carbon intensity now"),
                FieldSchema("price", .quantity(.usd / .energy), doc: "energy price now"),
                FieldSchema("region", .string, doc: "grid region code"),
            ], doc: "the electricity grid"))
            try v.register(RecordSchema(name: "node", fields: [
                FieldSchema("id", .string), FieldSchema("pool", .string, allowedValues: poolNames),
                FieldSchema("state", .string, doc: "on, idle, suspended, waking, draining",
                            allowedValues: ["on", "idle", "suspended", "waking", "draining"]),
                FieldSchema("power", .optional(.quantity(.power)), doc: "measured power, missing on a telemetry gap"),
                FieldSchema("power_cap", .quantity(.power)), FieldSchema("utilization", .number, doc: "0..1"),
                FieldSchema("temperature", .quantity(.temperature)), FieldSchema("gpus", .number),
                FieldSchema("gpus_free", .number),
            ], doc: "a compute node"))
            try v.register(RecordSchema(name: "job", fields: [
                FieldSchema("id", .string), FieldSchema("user", .string), FieldSchema("pool", .string, allowedValues: poolNames),
                FieldSchema("state", .string, doc: "queued, running, deferred, held, done",
                            allowedValues: ["queued", "running", "deferred", "held", "done"]),
                FieldSchema("gpus", .number), FieldSchema("priority", .number), FieldSchema("flexible", .bool),
                FieldSchema("energy", .quantity(.energy), doc: "estimated remaining energy"),
                FieldSchema("deadline", .optional(.instant)),
            ], doc: "a job"))
            try v.register(HostName("site", .record("site"), doc: "the site"))
            try v.register(HostName("grid", .record("grid"), doc: "the grid"))
            try v.register(HostName("nodes", .list(.record("node")), doc: "all nodes", sizeHint: 1000))
            try v.register(HostName("jobs", .list(.record("job")), doc: "all jobs", sizeHint: 10000))
            try v.register(HostName("pools", .list(.string), doc: "pool names", sizeHint: 10))
            try v.register(HostFunction("forecast", doc: "forecast(x, horizon): persistence forecast (the value now); the energy vocabulary replaces it with learnt models", overloads: [
                FunctionOverload(parameters: [.anyQuantity(0), .exact(.duration)], parameterNames: ["value", "horizon"],
                                 result: .anyQuantity(0), cost: 1) { args in args[0] },
            ]))
            let jobs: [TypePattern] = [.exact(.list(.record("job"))), .exact(.record("job"))]
            let nodes: [TypePattern] = [.exact(.list(.record("node"))), .exact(.record("node"))]
            try v.register(VerbSignature("move", doc: "move jobs to another pool or node", targets: jobs, slots: [
                SlotSignature("to pool", .exact(.string), allowedValues: poolNames), SlotSignature("to node", .exact(.string)),
            ], exactlyOneOf: [["to pool", "to node"]]))
            try v.register(VerbSignature("defer", doc: "hold queued jobs until a time or for a duration", targets: jobs, slots: [
                SlotSignature("until", .exact(.instant)), SlotSignature("for", .exact(.duration)),
            ], exactlyOneOf: [["until", "for"]]))
            try v.register(VerbSignature("release", doc: "release deferred jobs", targets: jobs))
            try v.register(VerbSignature("preempt", doc: "checkpoint and requeue jobs", targets: jobs))
            try v.register(VerbSignature("cap", doc: "cap nodes at a power", targets: nodes, slots: [
                SlotSignature("at", .exact(.quantity(.power)), required: true),
            ]))
            try v.register(VerbSignature("uncap", doc: "remove power caps", targets: nodes))
            try v.register(VerbSignature("suspend", doc: "suspend idle nodes", targets: nodes))
            try v.register(VerbSignature("wake", doc: "wake suspended nodes", targets: nodes))
            try v.register(VerbSignature("drain", doc: "take nodes out of service: no new jobs, running ones finish", targets: nodes))
            try v.register(VerbSignature("resume", doc: "return drained nodes to service", targets: nodes))
            try v.register(VerbSignature("alert", doc: "tell the operators", targets: [.exact(.string)], slots: [
                SlotSignature("with severity", .exact(.string)),
            ]))
            try v.validate()
        } catch {
            preconditionFailure("demo vocabulary is inconsistent: \(error)")
        }
        return v
    }

    /// The demo world as JSON (the same format `--data` reads).
    public static let worldJSON = #"""
    {
      "now": "2026-11-29T18:00:00Z",
      "site": {"power": "850 kW", "facility_power": "1.105 MW", "power_cap": "1 MW", "pue": 1.3,
               "outdoor_temperature": "8 degC", "energy_today": "15.3 MWh"},
      "grid": {"carbon_intensity": "412 g/kWh", "price": "0.21 USD/kWh", "region": "DE"},
      "pools": ["default", "efficient", "batch"],
      "nodes": [
        {"id": "n01", "pool": "default", "state": "on", "power": "6.1 kW", "power_cap": "10.2 kW", "utilization": 0.92, "temperature": "71 degC", "gpus": 8, "gpus_free": 0},
        {"id": "n02", "pool": "default", "state": "on", "power": "5.4 kW", "power_cap": "10.2 kW", "utilization": 0.71, "temperature": "66 degC", "gpus": 8, "gpus_free": 2},
        {"id": "n03", "pool": "efficient", "state": "on", "power": "3.9 kW", "power_cap": "7 kW", "utilization": 0.55, "temperature": "58 degC", "gpus": 8, "gpus_free": 4},
        {"id": "n04", "pool": "efficient", "state": "idle", "power": "1.2 kW", "power_cap": "7 kW", "utilization": 0.02, "temperature": "41 degC", "gpus": 8, "gpus_free": 8},
        {"id": "n05", "pool": "batch", "state": "idle", "power": null, "power_cap": "10.2 kW", "utilization": 0.0, "temperature": "38 degC", "gpus": 8, "gpus_free": 8}
      ],
      "jobs": [
        {"id": "j1", "user": "ana", "pool": "default", "state": "running", "gpus": 8, "priority": 5, "flexible": true, "energy": "42 kWh", "deadline": "2026-11-30T06:00:00Z"},
        {"id": "j2", "user": "ben", "pool": "default", "state": "running", "gpus": 6, "priority": 8, "flexible": false, "energy": "18 kWh", "deadline": null},
        {"id": "j3", "user": "ana", "pool": "efficient", "state": "running", "gpus": 4, "priority": 3, "flexible": true, "energy": "7.5 kWh", "deadline": null},
        {"id": "j4", "user": "cho", "pool": "default", "state": "queued", "gpus": 2, "priority": 1, "flexible": true, "energy": "3 kWh", "deadline": "2026-11-30T12:00:00Z"},
        {"id": "j5", "user": "dev", "pool": "batch", "state": "queued", "gpus": 0, "priority": 2, "flexible": true, "energy": "0.4 kWh", "deadline": null}
      ]
    }
    """#
}
