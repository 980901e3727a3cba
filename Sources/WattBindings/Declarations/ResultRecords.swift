import WattEnergy

/// The records functions return: `forecast(metric, horizon)` (one record type per metric
/// dimension, all from the one field list below), `history(metric, window)` and
/// `profile(name)`. Adding a field is one line in its list (and the property it reads).
extension EnergyFields {
    /// `forecast(metric, horizon)`, read from the models' `Summary`; the quantities have the
    /// metric's dimension.
    public static let forecast = RecordDeclaration<TelemetryModels.Summary>(
        "forecast", doc: "A forecast over the window from now to the horizon.", valueField: "mean", fields: [
            .quantity("mean", \.mean, .metric, doc: "point forecast at the horizon"),
            .quantity("low", \.low, .metric, doc: "80 % interval, lower end, at the horizon"),
            .quantity("high", \.high, .metric, doc: "80 % interval, upper end, at the horizon"),
            .quantity("min", \.min, .metric, doc: "lowest forecast value in the window"),
            .quantity("max", \.max, .metric, doc: "highest forecast value in the window"),
            .quantity("avg", \.average, .metric, doc: "average forecast over the window"),
            .instant("argmin", \.argmin, doc: "when the lowest value is forecast; missing unless informative"),
            .instant("argmax", \.argmax, doc: "when the highest value is forecast; missing unless clearly above starting now"),
            .text("model", \.model, doc: "the model that made it"),
            .quantity("saving", \.saving, .metricDifference,
                      doc: "starting now (the first forecast point) minus the window's lowest: what waiting for argmin saves"),
            .quantity("saving_low", \.savingLow, .metricDifference,
                      doc: "the saving's lower bound, calibrated on past forecasts' own choices (75 % confidence by default)"),
            .flag("informative", \.informative, doc: "whether saving_low > 0: the forecast supports moving work to argmin"),
        ])

    /// `carbon_plan(job, ...)`: when a job should run for less carbon (`JobTiming`).
    public static let carbonPlan = RecordDeclaration<JobTiming.Plan>(
        "carbon_plan", doc: "A job's carbon plan now: run now, or wait for cleaner hours within its deadline and wait allowance.",
        fields: [
            .instant("start", \.start,
                     doc: "when to start (queued) or resume (running: checkpointed now); missing when it should run now"),
            .instant("end", \.end, doc: "the planned end"),
            .quantity("saving", \.saving, .dimension(.mass), doc: "expected carbon saved against running now, overheads counted (0 unless shifted)"),
            .quantity("saving_low", \.savingLow, .dimension(.mass), doc: "the saving less its uncertainty (one standard deviation)"),
            .quantity("relative_saving", \.relativeSaving, .dimension(.dimensionless),
                      doc: "the saving over the carbon of the planned work run now (0 unless shifted)"),
            .quantity("delay", \.delay, .dimension(.time), doc: "how much later than running now the plan ends"),
            .count("interruptions", \.interruptions, doc: "pauses in the plan (holding a running job counts one)"),
            .flag("shifted", \.shifted, doc: "whether the plan moves work in time, now or later"),
            .instant("latest_end", \.latestEnd, doc: "the latest end its deadline (with margin) and wait allowance leave"),
            .text("reason", \.reason, doc: "why, in a few words"),
        ])

    /// `history(metric, window)`: aggregates of a metric over a past window.
    public static let history = RecordDeclaration<HistoryAggregates>(
        "history", doc: "Aggregates over a past window.", valueField: "avg", fields: [
            .quantity("avg", \.average, .metric, doc: "average over the window"),
            .quantity("max", \.max, .metric),
            .quantity("min", \.min, .metric),
            .quantity("rate", \.rate, .metricRate, doc: "least-squares slope per second"),
        ])

    /// `profile(name)`: a node or device profile of the hardware catalog.
    public static let profile = RecordDeclaration<HardwareProfileFacts>(
        "profile", doc: "Hardware data from the catalog.", fields: [
            .text("name", \.name),
            .text("kind", \.kind, doc: "node, gpu or cpu"),
            .quantity("idle_power", \.idlePower, .dimension(.power)),
            .quantity("max_power", \.maxPower, .dimension(.power)),
            .quantity("gpus", \.gpus, .plain, doc: "GPUs (1 for a GPU profile, 0 for a CPU)"),
            .quantity("peak_tflops", \.peakTFLOPS, .plain, doc: "peak throughput, TFLOPS (see docs/hardware.md for the basis)"),
            .quantity("cap_min", \.capMin, .dimension(.power), doc: "lowest allowed power cap (devices; missing for a node)"),
            .quantity("cap_max", \.capMax, .dimension(.power), doc: "highest allowed power cap (devices; missing for a node)"),
        ])
}

/// What `history(metric, window)` returns, in the metric's SI unit (rate: per second).
public struct HistoryAggregates: Sendable, Equatable {
    public var average: Double
    public var max: Double
    public var min: Double
    public var rate: Double
    public init(average: Double, max: Double, min: Double, rate: Double) {
        self.average = average; self.max = max; self.min = min; self.rate = rate
    }
}

/// What `profile(name)` returns for a node or a device profile of the catalog (SI units).
public struct HardwareProfileFacts: Sendable, Equatable {
    public var name: String
    /// `node`, `gpu` or `cpu`.
    public var kind: String
    public var idlePower: Double
    public var maxPower: Double
    public var gpus: Double
    public var peakTFLOPS: Double
    /// The power-cap range of a device; nil for a node.
    public var capMin: Double?
    public var capMax: Double?

    /// The profile named `name` in the catalog (node profiles first), or nil.
    public init?(named name: String, in catalog: HardwareCatalog) {
        if let node = try? catalog.node(named: name) {
            self.name = node.name; kind = "node"; idlePower = node.idleW; maxPower = node.maxW
            gpus = Double(node.count(of: .gpu)); peakTFLOPS = node.peakFLOPS / 1e12
        } else if let device = try? catalog.device(named: name) {
            self.name = device.name; kind = device.kind == .gpu ? "gpu" : "cpu"; idlePower = device.idleW
            maxPower = device.maxW; gpus = device.kind == .gpu ? 1 : 0; peakTFLOPS = device.peakFLOPS / 1e12
            capMin = device.capRangeW.lowerBound; capMax = device.capRangeW.upperBound
        } else {
            return nil
        }
    }
}
