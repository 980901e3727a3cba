import WattEnergy
import WattLanguage

/// The energy vocabulary of the language: the world's records and collections with their
/// units, `forecast(...)`, `history(...)`, `profile(...)`, and the action verbs. Pool and
/// profile names come from the live inventory, so a misspelt name is a check-time error.
public enum EnergyVocabulary {
    /// Metric paths with history and forecasts, and their dimensions.
    public static func metrics(currency: Dimension) -> [(path: String, dimension: Dimension)] {
        [("site.power", .power), ("site.facility_power", .power), ("site.pue", .dimensionless),
         ("site.outdoor_temperature", .temperature), ("grid.carbon", .carbonIntensity),
         ("grid.price", currency / .energy)]
    }

    public struct Inventory: Sendable {
        public var pools: [String]
        public var nodeProfiles: [String]
        public var deviceProfiles: [String]
        /// The currency of grid prices: `USD`, `EUR` or `GBP`.
        public var currency: String
        public init(pools: [String], nodeProfiles: [String], deviceProfiles: [String], currency: String = "USD") {
            self.pools = pools; self.nodeProfiles = nodeProfiles; self.deviceProfiles = deviceProfiles
            self.currency = currency
        }
        var currencyDimension: Dimension { UnitTable.units[currency]?.dimension ?? .usd }
    }

    static func forecastSchemaName(_ d: Dimension) -> String {
        "forecast_" + (d.isDimensionless ? "number" : d.name.replacingOccurrences(of: " ", with: "_")
            .replacingOccurrences(of: "(", with: "").replacingOccurrences(of: ")", with: "").replacingOccurrences(of: "/", with: "_per_"))
    }

    public static func make(inventory: Inventory, models: TelemetryModels, catalog: HardwareCatalog) -> Vocabulary {
        var v = Vocabulary()
        let states = ["on", "idle", "suspended", "waking", "draining"]
        let jobStates = ["queued", "running", "deferred", "held", "done"]
        let profiles = inventory.nodeProfiles + inventory.deviceProfiles
        do {
            try v.register(RecordSchema(name: "site", fields: [
                FieldSchema("power", .quantity(.power), doc: "IT power now"),
                FieldSchema("facility_power", .quantity(.power), doc: "IT power × PUE"),
                FieldSchema("power_cap", .quantity(.power), doc: "the site's contracted power limit"),
                FieldSchema("pue", .number, doc: "power usage effectiveness now"),
                FieldSchema("outdoor_temperature", .optional(.quantity(.temperature)), doc: "missing without a sensor"),
                FieldSchema("energy", .quantity(.energy), doc: "IT energy since the start of the run"),
                FieldSchema("energy_today", .quantity(.energy), doc: "IT energy since 00:00 UTC"),
            ], doc: "The data center site."))
            try v.register(RecordSchema(name: "grid", fields: [
                FieldSchema("carbon", .optional(.quantity(.carbonIntensity)),
                            doc: "average (location-based) carbon intensity now; missing outside its series"),
                FieldSchema("price", .optional(.quantity(inventory.currencyDimension / .energy)), doc: "energy price now"),
                FieldSchema("region", .string, doc: "grid region, e.g. DE"),
            ], doc: "The electricity grid the site draws from."))
            try v.register(RecordSchema(name: "pool", fields: [
                FieldSchema("name", .string, allowedValues: inventory.pools),
                FieldSchema("nodes", .number, doc: "node count"),
                FieldSchema("power", .quantity(.power), doc: "IT power of its nodes"),
                FieldSchema("profile", .string, doc: "node hardware profile", allowedValues: profiles),
            ], doc: "A pool (partition) of identical nodes."))
            try v.register(RecordSchema(name: "node", fields: [
                FieldSchema("id", .string), FieldSchema("pool", .string, allowedValues: inventory.pools),
                FieldSchema("profile", .string, allowedValues: profiles),
                FieldSchema("state", .string, doc: states.joined(separator: ", "), allowedValues: states),
                FieldSchema("power", .optional(.quantity(.power)), doc: "measured power; missing on a telemetry gap"),
                FieldSchema("power_cap", .optional(.quantity(.power)), doc: "per-GPU power cap; missing when uncapped"),
                FieldSchema("utilization", .number, doc: "GPU utilization, 0 to 1"),
                FieldSchema("temperature", .quantity(.temperature)),
                FieldSchema("jobs", .list(.string), doc: "ids of the jobs running on it"),
                FieldSchema("gpus", .number), FieldSchema("gpus_free", .number),
            ], doc: "A compute node."))
            try v.register(RecordSchema(name: "job", fields: [
                FieldSchema("id", .string), FieldSchema("user", .string),
                FieldSchema("pool", .string, allowedValues: inventory.pools),
                FieldSchema("node", .optional(.string), doc: "where it runs; missing unless running"),
                FieldSchema("state", .string, doc: jobStates.joined(separator: ", "), allowedValues: jobStates),
                FieldSchema("gpus", .number), FieldSchema("cpus", .number), FieldSchema("priority", .number),
                FieldSchema("flexible", .bool, doc: "may be deferred or moved"),
                FieldSchema("preemptible", .bool, doc: "may be checkpointed and requeued"),
                FieldSchema("submitted", .instant), FieldSchema("started", .optional(.instant)),
                FieldSchema("deadline", .optional(.instant)),
                FieldSchema("remaining", .duration, doc: "estimated remaining time at full speed"),
                FieldSchema("energy", .quantity(.energy), doc: "estimated remaining energy"),
            ], doc: "A job."))
            try v.register(RecordSchema(name: "profile", fields: [
                FieldSchema("name", .string), FieldSchema("kind", .string, doc: "node, gpu or cpu"),
                FieldSchema("idle_power", .quantity(.power)), FieldSchema("max_power", .quantity(.power)),
                FieldSchema("gpus", .number, doc: "GPUs (1 for a GPU profile, 0 for a CPU)"),
                FieldSchema("peak_tflops", .number, doc: "peak throughput, TFLOPS (see docs/hardware.md for the basis)"),
                FieldSchema("cap_min", .quantity(.power), doc: "lowest allowed power cap (devices)"),
                FieldSchema("cap_max", .quantity(.power), doc: "highest allowed power cap (devices)"),
            ], doc: "Hardware data from the catalog."))

            var dimensions: [Dimension] = []
            for (_, d) in metrics(currency: inventory.currencyDimension) where !dimensions.contains(d) { dimensions.append(d) }
            for d in dimensions {
                let q = WattType.quantity(d)
                try v.register(RecordSchema(name: forecastSchemaName(d), fields: [
                    FieldSchema("mean", q, doc: "point forecast at the horizon"),
                    FieldSchema("low", q, doc: "80 % interval, lower end, at the horizon"),
                    FieldSchema("high", q, doc: "80 % interval, upper end, at the horizon"),
                    FieldSchema("min", q, doc: "lowest forecast value in the window"),
                    FieldSchema("max", q, doc: "highest forecast value in the window"),
                    FieldSchema("avg", q, doc: "average forecast over the window"),
                    FieldSchema("argmin", .optional(.instant),
                                doc: "when the lowest value is forecast; missing unless informative"),
                    FieldSchema("argmax", .optional(.instant),
                                doc: "when the highest value is forecast; missing unless clearly above starting now"),
                    FieldSchema("model", .string, doc: "the model that made it"),
                    FieldSchema("saving", .optional(q),
                                doc: "starting now (the first forecast point) minus the window's lowest: what waiting for argmin saves"),
                    FieldSchema("saving_low", .optional(q),
                                doc: "the saving's lower bound, calibrated on past forecasts' own choices (75 % confidence by default)"),
                    FieldSchema("informative", .bool, doc: "whether saving_low > 0: the forecast supports moving work to argmin"),
                ], doc: "A forecast of a \(q.description) over the window from now to the horizon.", valueField: "mean"))
            }

            try v.register(HostName("site", .record("site"), doc: "the site"))
            try v.register(HostName("grid", .record("grid"), doc: "the grid"))
            try v.register(HostName("pools", .list(.record("pool")), doc: "every pool", sizeHint: max(1, inventory.pools.count)))
            try v.register(HostName("nodes", .list(.record("node")), doc: "every node", sizeHint: 2000))
            try v.register(HostName("jobs", .list(.record("job")), doc: "every job not done", sizeHint: 20000))

            try registerFunctions(&v, models: models, catalog: catalog, profiles: profiles,
                                  dimensions: dimensions)
            try registerVerbs(&v, pools: inventory.pools)
            try v.validate()
        } catch {
            preconditionFailure("energy vocabulary is inconsistent: \(error)")
        }
        return v
    }
}
