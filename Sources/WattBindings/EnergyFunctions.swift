import WattEnergy
import WattLanguage

/// The functions of the energy vocabulary: `forecast`, `history`, `profile`, `carbon_plan`
/// (their records declared in ResultRecords.swift), `energy`, `hour` and `weekday`.
extension EnergyVocabulary {
    static func registerFunctions(_ v: inout Vocabulary, models: TelemetryModels, catalog: HardwareCatalog,
                                  declarations: EnergyDeclarations, context: DeclarationContext, plans: CarbonPlans) throws {
        // One forecast and one history record type per dimension of the metrics with history,
        // in the order the metrics are declared.
        var dimensions: [Dimension] = []
        for (_, type) in declarations.historyPaths(context: context) {
            let d = type.dimension ?? .dimensionless
            if !dimensions.contains(d) { dimensions.append(d) }
        }
        let horizonBounds = ArgumentBounds(above: 0, atMost: ForecastSettings.horizonLimit)
        let windowBounds = ArgumentBounds(above: 0, atMost: ForecastSettings.historyLimit)
        var forecastOverloads: [FunctionOverload] = []
        var historyOverloads: [FunctionOverload] = []
        for d in dimensions {
            let q = WattType.quantity(d)
            var metric = context
            metric.metric = d
            let forecast = declarations.forecast
            let forecastSchema = forecast.schema(in: metric, name: forecastSchemaName(d),
                                                 doc: "A forecast of a \(q.description) over the window from now to the horizon.")
            try v.register(forecastSchema)
            forecastOverloads.append(FunctionOverload(
                parameters: [.pathOf(d), .exact(.duration)], parameterNames: ["metric", "horizon"],
                result: .exact(.record(forecastSchema.name)), cost: 50, bounds: [1: horizonBounds]
            ) { args in
                guard case .string(let path) = args[0], case .number(let horizon) = args[1], horizonBounds.contains(horizon),
                      let f = models.forecast(path, horizon: horizon) else { return .missing }
                return .record(forecast.record(f, schema: forecastSchema))
            })
            let history = declarations.history
            let historySchema = history.schema(in: metric, name: historySchemaName(d),
                                               doc: "Aggregates of a \(q.description) over a past window.")
            try v.register(historySchema)
            historyOverloads.append(FunctionOverload(
                parameters: [.pathOf(d), .exact(.duration)], parameterNames: ["metric", "window"],
                result: .exact(.record(historySchema.name)), cost: 20, bounds: [1: windowBounds]
            ) { args in
                guard case .string(let path) = args[0], case .number(let window) = args[1], windowBounds.contains(window),
                      let h = models.history(path, window: window) else { return .missing }
                let aggregates = HistoryAggregates(average: h.average, max: h.max, min: h.min, rate: h.rate)
                return .record(history.record(aggregates, schema: historySchema))
            })
        }
        try v.register(HostFunction("forecast", doc: "forecast(metric, horizon): the forecast of a telemetry path, learnt from its history; a value (its mean) with .low/.high (80 % interval), .min/.max/.avg/.argmin/.argmax over the window; .argmin is missing unless .informative (a clear saving against now: .saving, .saving_low)",
                                    overloads: forecastOverloads))
        try v.register(HostFunction("history", doc: "history(metric, window): .avg (the value), .max, .min, .rate of a telemetry path over the past window",
                                    overloads: historyOverloads))

        let profile = declarations.profile
        let profileSchema = profile.schema(in: context)
        try v.register(profileSchema)
        try v.register(HostFunction("profile", doc: "profile(name): a node or device profile from the hardware catalog", overloads: [
            FunctionOverload(parameters: [.exact(.string)], parameterNames: ["name"], result: .exact(.record(profileSchema.name)),
                             isPure: true, allowedValues: [0: context.profiles]) { args in
                guard case .string(let name) = args[0], let facts = HardwareProfileFacts(named: name, in: catalog) else { return .missing }
                return .record(profile.record(facts, schema: profileSchema))
            },
        ]))
        let carbonPlan = declarations.carbonPlan
        let planSchema = carbonPlan.schema(in: context)
        try v.register(planSchema)
        let plan: @Sendable ([Value]) -> Value = { args in
            guard case .record(let job) = args[0] else { return .missing }
            var budget: Double?, share: Double?
            if args.count == 3 {
                guard case .number(let b) = args[1], case .number(let s) = args[2] else { return .missing }
                budget = b; share = s
            }
            return plans.value(of: job, budget: budget, share: share) { .record(carbonPlan.record($0, schema: planSchema)) }
        }
        try v.register(HostFunction("carbon_plan", doc: "carbon_plan(job[, budget, share]): when the job should run for less carbon: .start (missing: run now; else hold a queued job, or checkpoint a running one, until then), .saving, .saving_low, .delay; within its deadline (with margin) and a wait allowance of min(budget, share × its length) from its submission (default 6 h, 25 %); a flat or uncertain forecast plans nothing (docs/carbon.md)",
                                    overloads: [
            FunctionOverload(parameters: [.exact(.record("job"))], parameterNames: ["job"], result: .exact(.record(planSchema.name)),
                             cost: 200, implementation: plan),
            FunctionOverload(parameters: [.exact(.record("job")), .exact(.duration), .exact(.number)],
                             parameterNames: ["job", "budget", "share"], result: .exact(.record(planSchema.name)),
                             cost: 200, implementation: plan),
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
}
