import Foundation
import WattEnergy
import WattSupport
import Yams

/// A problem in a cluster file, e.g.
/// ``demo.yaml: line 19: pools[1].profile: unknown node profile `dgx-h10`; did you mean `dgx-h100-like`?``
/// Messages are lowercase with no final period; text from the file is in backticks.
public struct ClusterFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as it was named to the loader.
    public var file: String
    /// Where in the file: `pools[1].profile`, `site.power_cap_w`; nil for the whole file.
    public var path: String?
    /// The line in the file (1-based), when known: where the value, or the mapping that
    /// lacks a field, starts.
    public var line: Int?
    public var message: String

    public init(file: String, path: String? = nil, line: Int? = nil, message: String) {
        self.file = file
        self.path = path
        self.line = line
        self.message = message
    }

    /// `file: line N: path: message`, leaving out what is not known.
    public var description: String {
        [file, line.map { "line \($0)" }, path, message].compactMap { $0 }.joined(separator: ": ")
    }
}

/// Every problem found in a cluster file (loading reports them all, then fails).
public struct ClusterLoadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [ClusterFileError]
    public init(_ errors: [ClusterFileError]) { self.errors = errors }
    /// One problem per line.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

extension ClusterDefinition {
    /// The name of the built-in demo cluster (`--cluster demo`): a copy of
    /// examples/clusters/demo.yaml, its trace and its grid series, shipped as resources so
    /// that it is there whatever the working directory.
    public static let builtInDemoName = "demo"

    /// The built-in demo cluster's file (in the library's resources).
    public static var builtInDemoPath: String? {
        Bundle.module.url(forResource: "demo", withExtension: "yaml", subdirectory: "Resources/demo/clusters")?.path
    }

    /// The file a cluster argument names: the built-in demo for `demo` (unless a file of
    /// that name exists), else the path itself.
    public static func resolve(_ path: String) -> String {
        guard path == builtInDemoName, !FileManager.default.fileExists(atPath: path), let demo = builtInDemoPath else { return path }
        return demo
    }

    /// Reads a cluster file (`demo`: the built-in demo cluster). Relative paths inside it
    /// (`profiles`, series files, the trace) are resolved against the file's folder.
    public static func load(path given: String, catalog: HardwareCatalog = .builtIn) throws(ClusterLoadError) -> ClusterDefinition {
        let path = resolve(given)
        guard let data = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
            throw ClusterLoadError([ClusterFileError(file: path, message: why)])
        }
        let bytes = Array(data)
        if let problem = TextCheck.problem(bytes) {
            throw ClusterLoadError([ClusterFileError(file: path, line: problem.line, message: problem.message)])
        }
        let base = (path as NSString).deletingLastPathComponent
        return try parse(yaml: TextCheck.decoded(bytes), file: path,
                         baseDirectory: base.isEmpty ? "." : base, catalog: catalog)
    }

    /// Reads a cluster file given as text; `file` names it in errors and `baseDirectory`
    /// resolves the relative paths inside it.
    public static func parse(yaml: String, file: String, baseDirectory: String = ".",
                             catalog: HardwareCatalog = .builtIn) throws(ClusterLoadError) -> ClusterDefinition {
        var loader = ClusterFileLoader(file: file, base: baseDirectory, catalog: catalog)
        let root: Yams.Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            let (line, column, problem) = ClusterFileLoader.describeYAMLError(error)
            let at = line != nil ? column.map { " at column \($0)" } ?? "" : ""
            throw ClusterLoadError([ClusterFileError(file: file, line: line, message: "invalid YAML\(at): \(problem)")])
        }
        guard let root else { throw ClusterLoadError([ClusterFileError(file: file, message: "the file is empty")]) }
        let definition = loader.definition(root)
        if !loader.errors.isEmpty { throw ClusterLoadError(loader.errors) }
        return definition!
    }

    /// Reads the job trace the file names (`jobs.trace`); no trace is an empty list.
    public func loadTrace() throws(TraceError) -> [JobSpec] {
        guard let tracePath else { return [] }
        return try JobTrace.load(path: tracePath)
    }
}

/// Walks the YAML tree, collecting every problem with its path.
struct ClusterFileLoader {
    let file: String
    let base: String
    var catalog: HardwareCatalog
    var errors: [ClusterFileError] = []

    init(file: String, base: String, catalog: HardwareCatalog) {
        self.file = file
        self.base = base
        self.catalog = catalog
    }

    // MARK: The file

    static let topLevelKeys = ["name", "start", "tick_s", "seed", "profiles", "reference_gpu", "default_pool", "site", "grid",
                               "pools", "nodes", "jobs", "guardrails", "forecast"]

    mutating func definition(_ root: Yams.Node) -> ClusterDefinition? {
        // Not a cluster file at all (a path that names another file): say so, without
        // quoting its lines as unknown keys.
        if case .mapping(let mapping) = root,
           !mapping.keys.contains(where: { ClusterFileLoader.topLevelKeys.contains($0.scalar?.string ?? "") }) {
            error(nil, root, "not a cluster file: no key of a cluster file is there (`start`, `site`, `grid` and `pools` are required)")
            return nil
        }
        guard let top = fields(root, nil, allowed: ClusterFileLoader.topLevelKeys, required: ["start", "site", "grid", "pools"])
        else { return nil }
        let name = top["name"].flatMap { string($0, "name") }
            ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let start = top["start"].flatMap { instant($0, "start") }
        let tick = top["tick_s"].flatMap { number($0, "tick_s", of: "seconds", .within(ClusterLimits.tickSeconds)) } ?? 300
        let seed = top["seed"].flatMap { seedValue($0, "seed") } ?? 0
        if let profiles = top["profiles"] { loadProfiles(profiles) }
        let site = top["site"].flatMap { self.site($0) }
        let grid = top["grid"].flatMap { self.grid($0, start: start) }
        let pools = top["pools"].flatMap { self.pools($0, referenceName: top["reference_gpu"]) } ?? []
        var defaultPool = pools.first?.name ?? ""
        if let node = top["default_pool"], let name = string(node, "default_pool") {
            if pools.contains(where: { $0.name == name }) {
                defaultPool = name
            } else if !pools.isEmpty {
                error("default_pool", node, ClusterNames.unknown("pool", name, among: pools.map(\.name)))
            }
        }
        let nodes = top["nodes"].flatMap { self.nodeBehavior($0) } ?? NodeBehavior()
        let (jobs, trace) = top["jobs"].map { self.jobBehavior($0) } ?? (JobBehavior(), nil)
        let guardrails = top["guardrails"].flatMap { self.guardrails($0, pools: pools) } ?? GuardrailSettings()
        let forecast = top["forecast"].flatMap { self.forecastSettings($0) } ?? [:]
        guard errors.isEmpty, let start, let site, let grid, !pools.isEmpty else { return nil }
        var definition = ClusterDefinition(name: name, start: start, tick: tick, seed: seed, powerCap: site.powerCap, pue: site.pue,
                                 outdoorTemperature: site.outdoor, grid: grid, pools: pools, defaultPool: defaultPool,
                                 nodes: nodes, jobs: jobs, tracePath: trace, catalog: catalog)
        definition.guardrails = guardrails
        definition.forecast = forecast
        return definition
    }

    mutating func loadProfiles(_ node: Yams.Node) {
        guard let items = list(node, "profiles") else { return }
        var paths: [String] = []
        for (i, item) in items.enumerated() {
            if let p = string(item, "profiles[\(i)]") { paths.append(resolve(p)) }
        }
        let (extended, problems) = catalog.adding(files: paths)
        catalog = extended
        for p in problems { error("profiles", node, p.description) }
    }

    struct Site { var powerCap: Double; var pue: PUEModel; var outdoor: OutdoorTemperatureModel }

    mutating func site(_ node: Yams.Node) -> Site? {
        guard let f = fields(node, "site", allowed: ["power_cap_w", "pue", "outdoor_temperature"], required: ["power_cap_w"]) else { return nil }
        let cap = f["power_cap_w"].flatMap { number($0, "site.power_cap_w", of: "watts", .positiveUpTo(ClusterLimits.powerCapWatts)) }
        let pue = f["pue"].map { self.pue($0, "site.pue") } ?? .constant(1.3)
        let outdoor = f["outdoor_temperature"].map { self.outdoor($0, "site.outdoor_temperature") } ?? OutdoorTemperatureModel.none
        guard let cap, let pue, let outdoor else { return nil }
        return Site(powerCap: cap, pue: pue, outdoor: outdoor)
    }

    mutating func pue(_ node: Yams.Node, _ path: String) -> PUEModel? {
        if node.scalar != nil {
            guard let v = number(node, path, of: nil, .any) else { return nil }
            return validated(.constant(v), path, node)
        }
        guard let f = fields(node, path, allowed: ["model", "value", "base", "threshold_c", "per_degree", "max", "points"],
                             required: ["model"]),
              let modelNode = f["model"], let model = string(modelNode, path + ".model") else { return nil }
        let models = ["constant", "temperature_linear", "curve"]
        let keys: [String: [String]] = ["constant": ["value"], "temperature_linear": ["base", "threshold_c", "per_degree", "max"],
                                        "curve": ["points"]]
        guard let needed = keys[model] else {
            error(path + ".model", modelNode, unknownChoice("PUE model", model, models))
            return nil
        }
        for key in f.keys where key != "model" && !needed.contains(key) {
            error(path + "." + key, f[key], "not a field of the `\(model)` model (it has \(ClusterText.list(needed.map { "`\($0)`" })))")
        }
        for key in needed where f[key] == nil { error(path + "." + key, node, "missing required field") }
        switch model {
        case "constant":
            guard let v = f["value"].flatMap({ number($0, path + ".value", of: nil, .any) }) else { return nil }
            return validated(.constant(v), path, node)
        case "temperature_linear":
            let base = f["base"].flatMap { number($0, path + ".base", of: nil, .any) }
            let threshold = f["threshold_c"].flatMap { number($0, path + ".threshold_c", of: "°C", .within(ClusterLimits.temperatureC)) }
            let slope = f["per_degree"].flatMap { number($0, path + ".per_degree", of: nil, .within(0...1)) }
            let max = f["max"].flatMap { number($0, path + ".max", of: nil, .any) }
            guard let base, let threshold, let slope, let max else { return nil }
            return validated(.temperatureLinear(base: base, threshold: threshold, perDegree: slope, max: max), path, node)
        default:
            guard let pointsNode = f["points"], let items = list(pointsNode, path + ".points") else { return nil }
            var points: [(temperature: Double, pue: Double)] = []
            for (i, item) in items.enumerated() {
                let p = "\(path).points[\(i)]"
                guard let pair = item.sequence.map(Array.init), pair.count == 2 else {
                    error(p, item, "must be a pair `[°C, PUE]`, found \(found(item))")
                    continue
                }
                if let t = number(pair[0], p, of: "°C", .within(ClusterLimits.temperatureC)), let v = number(pair[1], p, of: nil, .any) {
                    points.append((t, v))
                }
            }
            guard points.count == items.count else { return nil }
            return validated(.curve(points), path, node)
        }
    }

    mutating func validated(_ model: PUEModel, _ path: String, _ node: Yams.Node) -> PUEModel? {
        do {
            try model.validate()
            return model
        } catch {
            self.error(path, node, "\(error)")
            return nil
        }
    }

    mutating func outdoor(_ node: Yams.Node, _ path: String) -> OutdoorTemperatureModel? {
        guard let f = fields(node, path, allowed: ["file", "max_hold_s", "mean_c", "daily_amplitude_c", "annual_amplitude_c", "peak_hour"])
        else { return nil }
        if let fileNode = f["file"] {
            for key in f.keys where key != "file" && key != "max_hold_s" { error(path + "." + key, f[key], "not used with `file`") }
            guard let hold = maxHold(f, path) else { return nil }
            return seriesFile(fileNode, path + ".file", scale: 1, maxHold: hold, bounds: ClusterLimits.temperatureC, unit: "°C").map { .series($0) }
        }
        if f["max_hold_s"] != nil { error(path + ".max_hold_s", f["max_hold_s"], "only used with `file`") }
        guard let mean = f["mean_c"].flatMap({ number($0, path + ".mean_c", of: "°C", .within(ClusterLimits.temperatureC)) }) else {
            if f["mean_c"] == nil { error(path, node, "give `file` or `mean_c`") }
            return nil
        }
        let daily = f["daily_amplitude_c"].map { number($0, path + ".daily_amplitude_c", of: "°C", .within(ClusterLimits.temperatureAmplitudeC)) } ?? 0
        let annual = f["annual_amplitude_c"].map { number($0, path + ".annual_amplitude_c", of: "°C", .within(ClusterLimits.temperatureAmplitudeC)) } ?? 0
        let peak = f["peak_hour"].map { number($0, path + ".peak_hour", of: "hours", .hourOfDay) } ?? 15
        guard let daily, let annual, let peak else { return nil }
        return .diurnal(mean: mean, dailyAmplitude: daily, annualAmplitude: annual, peakHour: peak)
    }

    mutating func grid(_ node: Yams.Node, start: Double?) -> GridDefinition? {
        guard let f = fields(node, "grid", allowed: ["region", "carbon_intensity", "price"],
                             required: ["region", "carbon_intensity", "price"]) else { return nil }
        let region = f["region"].flatMap { string($0, "grid.region") }
        var intensity: RateModel?
        if let ci = f["carbon_intensity"],
           let g = fields(ci, "grid.carbon_intensity", allowed: ["file", "g_per_kwh", "max_hold_s"]) {
            intensity = rate(g, ci, "grid.carbon_intensity", constantKey: "g_per_kwh", unit: "g/kWh", bounds: ClusterLimits.gramsPerKWh, start: start)
        }
        var price: RateModel?
        var currency: String?
        if let pn = f["price"],
           let p = fields(pn, "grid.price", allowed: ["currency", "per_kwh", "time_of_use", "file", "max_hold_s"], required: ["currency"]) {
            currency = p["currency"].flatMap { string($0, "grid.price.currency") }
            // Policies write prices in these units (`0.2 EUR/kWh`): another currency could
            // only be misread as one of them.
            if let c = currency, !["USD", "EUR", "GBP"].contains(c) {
                error("grid.price.currency", p["currency"], "must be USD, EUR or GBP (the currencies policies can write), found `\(c)`")
                currency = nil
            }
            if let tou = p["time_of_use"] {
                for key in ["per_kwh", "file"] where p[key] != nil { error("grid.price.\(key)", p[key], "give one of `per_kwh`, `time_of_use` or `file`") }
                if p["max_hold_s"] != nil { error("grid.price.max_hold_s", p["max_hold_s"], "only used with `file`") }
                price = timeOfUse(tou, "grid.price.time_of_use")
            } else {
                price = rate(p, pn, "grid.price", constantKey: "per_kwh", unit: "\(currency ?? "currency")/kWh", bounds: ClusterLimits.pricePerKWh, start: start)
            }
        }
        guard let region, let intensity, let price, let currency else { return nil }
        return GridDefinition(region: region, carbonIntensity: intensity, price: price, currency: currency)
    }

    /// A constant (`constantKey`, per kWh) or a series file (values per kWh).
    mutating func rate(_ f: Fields, _ node: Yams.Node, _ path: String, constantKey: String, unit: String, bounds: ClosedRange<Double>,
                       start: Double?) -> RateModel? {
        switch (f["file"], f[constantKey]) {
        case (nil, nil):
            error(path, node, "give `\(constantKey)` or `file`")
            return nil
        case (.some, .some):
            error(path + "." + constantKey, f[constantKey], "give `\(constantKey)` or `file`, not both")
            return nil
        case (nil, .some(let v)):
            if f["max_hold_s"] != nil { error(path + ".max_hold_s", f["max_hold_s"], "only used with `file`") }
            return number(v, path + "." + constantKey, of: unit, .within(bounds)).map { .constant($0 / SI.joulesPerKWh) }
        case (.some(let fileNode), nil):
            guard let hold = maxHold(f, path),
                  let series = seriesFile(fileNode, path + ".file", scale: 1 / SI.joulesPerKWh, maxHold: hold, bounds: bounds, unit: unit)
            else { return nil }
            if let start, series.value(at: start) == nil {
                if start >= series.start && start < series.end {
                    error(path + ".file", fileNode, "the series has no value at the start \(ClusterText.instant(start)): no row with a value in the \(ClusterText.number(hold)) s before it (`max_hold_s`)")
                } else {
                    error(path + ".file", fileNode, "the series covers \(ClusterText.instant(series.start)) to \(ClusterText.instant(series.end)); the start \(ClusterText.instant(start)) is outside it")
                }
                return nil
            }
            return .series(series)
        }
    }

    /// `max_hold_s`: how long a series value holds over missing rows (default 2 h).
    mutating func maxHold(_ f: Fields, _ path: String) -> Double? {
        guard let node = f["max_hold_s"] else { return StepSeries.defaultMaxHold }
        return number(node, path + ".max_hold_s", of: "seconds", .positiveUpTo(ClusterLimits.maxHoldSeconds))
    }

    /// A two-column CSV (`time,value`, `GridCarbonCSV` format) as a step series; over rows
    /// with no value (or missing rows) the previous value holds for at most `maxHold` seconds.
    mutating func seriesFile(_ node: Yams.Node, _ path: String, scale: Double, maxHold: Double, bounds: ClosedRange<Double>,
                             unit: String) -> StepSeries? {
        guard let name = string(node, path) else { return nil }
        do {
            return try StepSeries.gridCSV(path: resolve(name), named: name, scale: scale, maxHold: maxHold, bounds: bounds, unit: unit)
        } catch {
            self.error(path, node, error.message)
            return nil
        }
    }

    mutating func timeOfUse(_ node: Yams.Node, _ path: String) -> RateModel? {
        guard let items = list(node, path) else { return nil }
        var steps: [TimeOfUseStep] = []
        var ok = true
        for (i, item) in items.enumerated() {
            let p = "\(path)[\(i)]"
            guard let f = fields(item, p, allowed: ["from", "per_kwh"], required: ["from", "per_kwh"]) else { ok = false; continue }
            let from = f["from"].flatMap { timeOfDay($0, p + ".from") }
            let price = f["per_kwh"].flatMap { number($0, p + ".per_kwh", of: "currency/kWh", .within(ClusterLimits.pricePerKWh)) }
            guard let from, let price else { ok = false; continue }
            if let last = steps.last, from <= last.secondOfDay {
                error(p + ".from", f["from"], "times must increase: `\(f["from"]!.scalar!.string)` does not follow the previous step")
                ok = false
                continue
            }
            steps.append(TimeOfUseStep(secondOfDay: from, rate: price / SI.joulesPerKWh))
        }
        if items.isEmpty { error(path, node, "needs at least one step"); return nil }
        return ok ? .timeOfUse(steps) : nil
    }

    mutating func pools(_ node: Yams.Node, referenceName: Yams.Node?) -> [PoolDefinition]? {
        guard let items = list(node, "pools") else { return nil }
        if items.isEmpty { error("pools", node, "needs at least one pool"); return nil }
        var reference: DeviceProfile?
        if let refNode = referenceName, let name = string(refNode, "reference_gpu") {
            let gpus = catalog.devices.filter { $0.kind == .gpu }
            if let d = gpus.first(where: { $0.name == name }) {
                reference = d
            } else {
                error("reference_gpu", refNode, ClusterNames.unknown("GPU", name, among: gpus.map(\.name)))
            }
        }
        var result: [PoolDefinition] = []
        var seen: [String: Int] = [:]
        var gpuPools: [(index: Int, speedGiven: Bool, node: Yams.Node)] = []
        for (i, item) in items.enumerated() {
            let p = "pools[\(i)]"
            guard let f = fields(item, p, allowed: ["name", "profile", "nodes", "gpu_cap_w", "cpus_per_node", "speed"],
                                 required: ["name", "profile", "nodes"]) else { continue }
            var name = f["name"].flatMap { string($0, p + ".name") }
            if let n = name {
                if !ClusterFileLoader.isValidName(n) {
                    error(p + ".name", f["name"], "must use only letters, digits and `-_.`, found `\(n)`")
                    name = nil
                } else if let first = seen[n] {
                    error(p + ".name", f["name"], "duplicate pool name `\(n)`, already defined at pools[\(first)]")
                    name = nil
                } else {
                    seen[n] = i
                }
            }
            var profile: NodeProfile?
            if let pn = f["profile"], let pname = string(pn, p + ".profile") {
                if let found = catalog.nodes.first(where: { $0.name == pname }) {
                    let gpuModels = Set(found.devices.filter { $0.device.kind == .gpu }.map(\.device.name))
                    if gpuModels.count > 1 {
                        error(p + ".profile", pn, "node profile `\(pname)` has \(gpuModels.count) GPU models; the simulator needs one per node")
                    } else {
                        profile = found
                    }
                } else {
                    error(p + ".profile", pn, ClusterNames.unknown("node profile", pname, among: catalog.nodes.map(\.name)))
                }
            }
            let count = f["nodes"].flatMap { integer($0, p + ".nodes", minimum: ClusterLimits.nodesPerPool.lowerBound, maximum: ClusterLimits.nodesPerPool.upperBound) }
            var cap: Double?
            if let capNode = f["gpu_cap_w"], let v = number(capNode, p + ".gpu_cap_w", of: "watts", .positive), let profile {
                if let gpu = profile.devices.first(where: { $0.device.kind == .gpu })?.device {
                    if gpu.capRangeW.contains(v) {
                        cap = v
                    } else {
                        error(p + ".gpu_cap_w", capNode, "must be within the GPU cap range \(ClusterText.number(gpu.capRangeW.lowerBound))–\(ClusterText.number(gpu.capRangeW.upperBound)) W of `\(gpu.name)`, found `\(capNode.scalar!.string)`")
                    }
                } else {
                    error(p + ".gpu_cap_w", capNode, "node profile `\(profile.name)` has no GPUs")
                }
            }
            let cpus = f["cpus_per_node"].flatMap { integer($0, p + ".cpus_per_node", minimum: 1, maximum: ClusterLimits.cpusPerNode.upperBound) }
            let speed = f["speed"].flatMap { number($0, p + ".speed", of: nil, .positiveUpTo(ClusterLimits.speed)) }
            guard let name, let profile, let count else { continue }
            let pool = PoolDefinition(name: name, node: profile, count: count, gpuCap: cap, cpusPerNode: cpus, speed: speed ?? 1)
            if pool.gpu != nil { gpuPools.append((result.count, speed != nil, f["profile"]!)) }
            if reference == nil, let gpu = pool.gpu { reference = gpu }
            result.append(pool)
        }
        // The simulator allocates per node: the sum is bounded too, before anything is built.
        let total = result.reduce(0) { $0 + $1.count }
        if total > ClusterLimits.totalNodes {
            error("pools", node, "the pools have \(total) nodes in all; a cluster may have at most \(ClusterLimits.totalNodes)")
            return nil
        }
        // Speeds relative to the reference GPU, by peak throughput on the same basis.
        if let reference {
            for (index, given, node) in gpuPools where !given {
                let gpu = result[index].gpu!
                guard gpu.peakBasis == reference.peakBasis else {
                    error("pools[\(index)].profile", node, "its GPU `\(gpu.name)` counts peak throughput as `\(gpu.peakBasis)` and the reference GPU `\(reference.name)` as `\(reference.peakBasis)`; give the pool a `speed`")
                    continue
                }
                result[index].speed = gpu.peakFLOPS / reference.peakFLOPS
            }
        }
        return result.count == items.count ? result : nil
    }

    mutating func nodeBehavior(_ node: Yams.Node) -> NodeBehavior? {
        guard let f = fields(node, "nodes", allowed: ["suspended_power_w", "suspend_s", "wake_s", "telemetry_gap_probability"]) else { return nil }
        var b = NodeBehavior()
        if let n = f["suspended_power_w"] { b.suspendedPower = number(n, "nodes.suspended_power_w", of: "watts", .within(ClusterLimits.nodeWatts)) ?? b.suspendedPower }
        if let n = f["suspend_s"] { b.suspendSeconds = number(n, "nodes.suspend_s", of: "seconds", .within(ClusterLimits.shortSeconds)) ?? b.suspendSeconds }
        if let n = f["wake_s"] { b.wakeSeconds = number(n, "nodes.wake_s", of: "seconds", .within(ClusterLimits.shortSeconds)) ?? b.wakeSeconds }
        if let n = f["telemetry_gap_probability"] {
            b.telemetryGapProbability = number(n, "nodes.telemetry_gap_probability", of: nil, .unit) ?? b.telemetryGapProbability
        }
        return b
    }

    mutating func jobBehavior(_ node: Yams.Node) -> (JobBehavior, String?) {
        guard let f = fields(node, "jobs", allowed: ["trace", "checkpoint_overhead_s", "done_retention_s"]) else { return (JobBehavior(), nil) }
        var b = JobBehavior()
        if let n = f["checkpoint_overhead_s"] { b.checkpointOverhead = number(n, "jobs.checkpoint_overhead_s", of: "seconds", .within(ClusterLimits.shortSeconds)) ?? b.checkpointOverhead }
        if let n = f["done_retention_s"] { b.doneRetention = number(n, "jobs.done_retention_s", of: "seconds", .within(ClusterLimits.retentionSeconds)) ?? b.doneRetention }
        var trace: String?
        if let n = f["trace"], let name = string(n, "jobs.trace") {
            let full = resolve(name)
            if FileManager.default.fileExists(atPath: full) {
                trace = full
            } else {
                error("jobs.trace", n, "cannot read `\(name)`: no such file")
            }
        }
        return (b, trace)
    }
}
