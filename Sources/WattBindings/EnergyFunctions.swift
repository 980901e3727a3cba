import WattEnergy
import WattLanguage

extension EnergyVocabulary {
    static func historySchemaName(_ d: Dimension) -> String { "history_" + forecastSchemaName(d).dropFirst("forecast_".count) }

    static func registerFunctions(_ v: inout Vocabulary, models: TelemetryModels, catalog: HardwareCatalog,
                                  profiles: [String], dimensions: [Dimension]) throws {
        var forecastOverloads: [FunctionOverload] = []
        var historyOverloads: [FunctionOverload] = []
        for d in dimensions {
            let q = WattType.quantity(d)
            let forecastSchema = v.schemas[forecastSchemaName(d)]!
            forecastOverloads.append(FunctionOverload(
                parameters: [.pathOf(d), .exact(.duration)], parameterNames: ["metric", "horizon"],
                result: .exact(.record(forecastSchema.name)), cost: 50
            ) { args in
                guard case .string(let path) = args[0], case .number(let horizon) = args[1],
                      let f = models.forecast(path, horizon: horizon) else { return .missing }
                func number(_ x: Double) -> Value { x.isFinite ? .number(x) : .missing }
                return .record(Record(schema: forecastSchema, fields: [
                    .number(f.mean), .number(f.low), .number(f.high), .number(f.min), .number(f.max), .number(f.average),
                    f.argmin.map { .instant($0) } ?? .missing, f.argmax.map { .instant($0) } ?? .missing, .string(f.model),
                    number(f.saving), number(f.savingLow), .bool(f.informative),
                ]))
            })
            let historySchema = RecordSchema(name: historySchemaName(d), fields: [
                FieldSchema("avg", q, doc: "average over the window"), FieldSchema("max", q), FieldSchema("min", q),
                FieldSchema("rate", .quantity(d / .time), doc: "least-squares slope per second"),
            ], doc: "Aggregates of a \(q.description) over a past window.", valueField: "avg")
            try v.register(historySchema)
            historyOverloads.append(FunctionOverload(
                parameters: [.pathOf(d), .exact(.duration)], parameterNames: ["metric", "window"],
                result: .exact(.record(historySchema.name)), cost: 20
            ) { args in
                guard case .string(let path) = args[0], case .number(let window) = args[1],
                      let h = models.history(path, window: window) else { return .missing }
                return .record(Record(schema: historySchema, fields: [.number(h.average), .number(h.max), .number(h.min), .number(h.rate)]))
            })
        }
        try v.register(HostFunction("forecast", doc: "forecast(metric, horizon): the forecast of a telemetry path, learnt from its history; a value (its mean) with .low/.high (80 % interval), .min/.max/.avg/.argmin/.argmax over the window; .argmin is missing unless .informative (a clear saving against now: .saving, .saving_low)",
                                    overloads: forecastOverloads))
        try v.register(HostFunction("history", doc: "history(metric, window): .avg (the value), .max, .min, .rate of a telemetry path over the past window",
                                    overloads: historyOverloads))

        let profileSchema = v.schemas["profile"]!
        try v.register(HostFunction("profile", doc: "profile(name): a node or device profile from the hardware catalog", overloads: [
            FunctionOverload(parameters: [.exact(.string)], parameterNames: ["name"], result: .exact(.record("profile")),
                             isPure: true, allowedValues: [0: profiles]) { args in
                guard case .string(let name) = args[0] else { return .missing }
                if let node = try? catalog.node(named: name) {
                    return .record(Record(schema: profileSchema, fields: [
                        .string(node.name), .string("node"), .number(node.idleW), .number(node.maxW),
                        .number(Double(node.count(of: .gpu))), .number(node.peakFLOPS / 1e12), .missing, .missing,
                    ]))
                }
                if let device = try? catalog.device(named: name) {
                    return .record(Record(schema: profileSchema, fields: [
                        .string(device.name), .string(device.kind == .gpu ? "gpu" : "cpu"), .number(device.idleW),
                        .number(device.maxW), .number(device.kind == .gpu ? 1 : 0), .number(device.peakFLOPS / 1e12),
                        .number(device.capRangeW.lowerBound), .number(device.capRangeW.upperBound),
                    ]))
                }
                return .missing
            },
        ]))
        try v.register(HostFunction("energy", doc: "energy(job): the job's estimated remaining energy", overloads: [
            FunctionOverload(parameters: [.exact(.record("job"))], parameterNames: ["job"], result: .exact(.quantity(.energy))) { args in
                guard case .record(let job) = args[0] else { return .missing }
                return job["energy"] ?? .missing
            },
        ]))
        for (name, component) in [("hour", Builtins.TimeComponent.hour), ("weekday", .weekday)] {
            try v.register(HostFunction(name, doc: "\(name)(t): the \(name) of a time instant, UTC\(name == "weekday" ? " (Monday 1 … Sunday 7)" : "")", overloads: [
                FunctionOverload(parameters: [.exact(.instant)], parameterNames: ["time"], result: .exact(.number), isPure: true) { args in
                    guard case .instant(let t) = args[0] else { return .missing }
                    return .number(TimeCalendar.component(component, of: t))
                },
            ]))
        }
    }

    static func registerVerbs(_ v: inout Vocabulary, pools: [String]) throws {
        let jobs: [TypePattern] = [.exact(.list(.record("job"))), .exact(.record("job"))]
        let nodes: [TypePattern] = [.exact(.list(.record("node"))), .exact(.record("node"))]
        try v.register(VerbSignature("move", doc: "move queued jobs to another pool or node", targets: jobs, slots: [
            SlotSignature("to pool", .exact(.string), allowedValues: pools), SlotSignature("to node", .exact(.string)),
        ], exactlyOneOf: [["to pool", "to node"]]))
        try v.register(VerbSignature("defer", doc: "hold queued jobs until a time or for a duration", targets: jobs, slots: [
            SlotSignature("until", .exact(.instant)), SlotSignature("for", .exact(.duration)),
        ], exactlyOneOf: [["until", "for"]]))
        try v.register(VerbSignature("release", doc: "release deferred jobs to the queue", targets: jobs))
        try v.register(VerbSignature("preempt", doc: "checkpoint running jobs and requeue them", targets: jobs))
        try v.register(VerbSignature("cap", doc: "cap each GPU of the nodes at a power", targets: nodes, slots: [
            SlotSignature("at", .exact(.quantity(.power)), required: true),
        ]))
        try v.register(VerbSignature("uncap", doc: "remove the nodes' power caps", targets: nodes))
        try v.register(VerbSignature("suspend", doc: "suspend idle nodes (power saving)", targets: nodes))
        try v.register(VerbSignature("wake", doc: "wake suspended nodes", targets: nodes))
        try v.register(VerbSignature("drain", doc: "take nodes out of service: no new jobs, running ones finish", targets: nodes))
        try v.register(VerbSignature("resume", doc: "return drained nodes to service", targets: nodes))
        try v.register(VerbSignature("alert", doc: "tell the operators", targets: [.exact(.string)], slots: [
            SlotSignature("with severity", .exact(.string), allowedValues: ["info", "warning", "critical"]),
        ]))
    }
}
