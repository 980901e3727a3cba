import WattCluster
import WattEnergy

/// The world as policies read it: one declaration per field of `site`, `grid`, `pools`,
/// `nodes` and `jobs`. Adding a field is one line here (docs/architecture.md): its schema,
/// its table column, its telemetry check, `given`, its Prometheus gauge, `watt vocab` and
/// docs/vocabulary.md follow from it.
extension EnergyFields {
    public static let site = WorldRecord("site", \World.site, doc: "the site", record: RecordDeclaration(
        "site", doc: "The data center site.", fields: [
            .quantity("power", \.itPower, .dimension(.power), doc: "IT power now", bounds: .nonNegative, history: true,
                      exported: ExportedMetric("watt_site_power_watts", help: "IT power.",
                                               forecast: ("watt_site_power_forecast_watts", "IT power")),
                      settable: true),
            .quantity("facility_power", \.facilityPower, .dimension(.power), doc: "IT power × PUE", bounds: .nonNegative,
                      history: true,
                      exported: ExportedMetric("watt_site_facility_power_watts", help: "Facility power (IT power times PUE)."),
                      settable: true),
            .quantity("power_cap", \.powerCap, .dimension(.power), doc: "the site's contracted power limit", bounds: .positive,
                      exported: ExportedMetric("watt_site_power_cap_watts", help: "The site's power limit."), settable: true),
            .quantity("pue", \.pue, .plain, doc: "power usage effectiveness now", bounds: .atLeastOne, history: true,
                      settable: true),
            .quantity("outdoor_temperature", \.outdoorTemperature, .dimension(.temperature), doc: "missing without a sensor",
                      bounds: .temperature, history: true, settable: true),
            .quantity("energy", \.itEnergy, .dimension(.energy), doc: "IT energy since the start of the run",
                      bounds: .nonNegative),
            .quantity("energy_today", \.itEnergyToday, .dimension(.energy), doc: "IT energy since 00:00 UTC",
                      bounds: .nonNegative),
        ]))

    public static let grid = WorldRecord("grid", \World.grid, doc: "the grid", record: RecordDeclaration(
        "grid", doc: "The electricity grid the site draws from.", fields: [
            .quantity("carbon_intensity", \.carbonIntensity, .dimension(.carbonIntensity),
                      doc: "average (location-based) carbon intensity now; missing outside its series",
                      bounds: .nonNegative, history: true,
                      exported: ExportedMetric("watt_grid_carbon_intensity_grams_per_kwh",
                                               help: "Grid carbon intensity (location-based average).", scale: 3.6e6,
                                               forecast: ("watt_grid_carbon_intensity_forecast_grams_per_kwh",
                                                          "grid carbon intensity")),
                      settable: true),
            .quantity("price", \.price, .price,
                      doc: "energy price now, in the currency of the cluster file's `grid.price` (USD, EUR or GBP)",
                      bounds: .nonNegative, history: true, settable: true),
            .text("region", \.region, doc: "grid region, e.g. DE"),
        ]))

    public static let pools = WorldCollection(
        "pools", \World.pools, doc: "every pool", id: \.name, sizeHint: { max(1, $0.pools.count) }, record: RecordDeclaration(
            "pool", doc: "A pool (partition) of identical nodes.", fields: [
                .text("name", \.name, allowed: .pools),
                .count("nodes", \.nodeCount, doc: "node count"),
                .quantity("power", \.power, .dimension(.power), doc: "IT power of its nodes", bounds: .nonNegative),
                .text("profile", \.nodeProfile, doc: "node hardware profile", allowed: .profiles),
            ]))

    public static let nodes = WorldCollection(
        "nodes", \World.nodes, doc: "every node", id: \.id, sizeHint: { _ in 2000 }, record: RecordDeclaration(
            "node", doc: "A compute node.", fields: [
                .text("id", \.id),
                .text("pool", \.pool, allowed: .pools),
                .text("profile", \.profile, allowed: .profiles),
                .choice("state", \.state, settable: true),
                .quantity("power", \.power, .dimension(.power), doc: "measured power; missing on a telemetry gap",
                          bounds: .nonNegative, settable: true),
                .quantity("power_cap", \.powerCap, .dimension(.power), doc: "per-GPU power cap; missing when uncapped",
                          bounds: .positive, settable: true),
                .quantity("utilization", \.utilization, .plain, doc: "GPU utilization, 0 to 1", bounds: .unit, settable: true),
                .quantity("temperature", \.temperature, .dimension(.temperature), bounds: .temperature, settable: true),
                .texts("jobs", \.jobs, doc: "ids of the jobs running on it"),
                .count("gpus", \.gpus),
                .count("gpus_free", \.gpusFree),
                .text("cap_rule", \.capRule, doc: "the rule whose cap it has; missing unless a Watt rule set the cap", settable: true),
                .text("cap_pack", \.capPack, doc: "that rule's pack (the folder of its policy file)", settable: true),
                .instant("capped_since", \.cappedSince, doc: "when that rule capped it", settable: true),
                .text("suspend_rule", \.suspendRule, doc: "the rule that suspended it; missing unless a Watt rule did"),
                .text("suspend_pack", \.suspendPack, doc: "that rule's pack"),
                .instant("suspended_since", \.suspendedSince, doc: "when that rule suspended it"),
                .instant("uncapped_at", \.uncappedAt, doc: "when a Watt rule last lifted its cap (missing if none has in the last day, or it is capped)",
                         settable: true),
                .instant("woken_at", \.wokenAt, doc: "when a Watt rule last woke it (missing if none has in the last day, or it is suspended)"),
            ]))

    public static let jobs = WorldCollection(
        "jobs", \World.jobs, doc: "every job not done", id: \.id, includes: .where(\.state) { $0 != .done },
        sizeHint: { _ in 20_000 }, record: RecordDeclaration(
            "job", doc: "A job.", fields: [
                .text("id", \.id),
                .text("user", \.user),
                .text("pool", \.pool, allowed: .pools),
                .text("node", \.node, doc: "where it runs; missing unless running"),
                .choice("state", \.state),
                .count("gpus", \.gpus),
                .count("cpus", \.cpus),
                .count("priority", \.priority),
                .flag("flexible", \.flexible, doc: "may be deferred or moved"),
                .flag("preemptible", \.preemptible, doc: "may be checkpointed and requeued"),
                .instant("submitted", \.submitted, bounds: .finite),
                .instant("started", \.started, bounds: .finite),
                .instant("deadline", \.deadline, bounds: .finite),
                .quantity("remaining", \.remainingTime, .dimension(.time), doc: "estimated remaining time at full speed",
                          bounds: .nonNegative),
                .quantity("energy", \.remainingEnergy, .dimension(.energy), doc: "estimated remaining energy",
                          bounds: .nonNegative),
                .quantity("run_time", \.runTime, .dimension(.time), doc: "how long it has run so far, over all its runs",
                          bounds: .nonNegative),
                .quantity("checkpoint_overhead", \.checkpointOverhead, .dimension(.time),
                          doc: "extra run time one checkpoint and resume cost it (0 when unknown)", bounds: .nonNegative),
                .text("hold_rule", \.holdRule, doc: "the rule holding it back (`defer`, `preempt until`, `shift`); missing unless a Watt rule does"),
                .text("hold_pack", \.holdPack, doc: "that rule's pack"),
                .instant("held_since", \.heldSince, doc: "when that rule held it"),
            ]))
}
