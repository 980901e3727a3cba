import Foundation
import WattLanguage

/// The anchor benchmark's host: the vocabulary of its snapshot (`site`, `nodes`, `jobs`
/// with units) and verbs, registered as any host registers its own, and the snapshot
/// loaded into tables — the form a host hands large collections to a program in.
enum AnchorWorld {
    static let node = RecordSchema(name: "Node", fields: [
        FieldSchema("id", .quantity(.dimensionless)),
        FieldSchema("pool", .string, allowedValues: ["hot", "efficient", "cpu"]),
        FieldSchema("gpus", .quantity(.dimensionless)),
        FieldSchema("tdp", .quantity(.power)),
        FieldSchema("power", .quantity(.power)),
        FieldSchema("utilization", .quantity(.dimensionless)),
        FieldSchema("temperature", .quantity(.temperature)),
        FieldSchema("jobs_running", .quantity(.dimensionless)),
    ])
    static let job = RecordSchema(name: "Job", fields: [
        FieldSchema("id", .quantity(.dimensionless)),
        FieldSchema("state", .string, allowedValues: ["queued", "running"]),
        FieldSchema("gpus", .quantity(.dimensionless)),
        FieldSchema("flexible", .bool),
        FieldSchema("priority", .quantity(.dimensionless)),
        FieldSchema("node", .optional(.quantity(.dimensionless)), doc: "the id of the node running the job"),
        FieldSchema("estimated_remaining", .quantity(.time)),
    ])
    static let site = RecordSchema(name: "Site", fields: [
        FieldSchema("power", .quantity(.power)),
        FieldSchema("power_cap", .quantity(.power)),
        FieldSchema("forecast_power_1h", .quantity(.power)),
        FieldSchema("carbon_intensity", .quantity(.carbonIntensity)),
        FieldSchema("carbon_min_6h", .quantity(.carbonIntensity)),
    ])

    static func vocabulary() throws -> Vocabulary {
        var v = Vocabulary()
        for schema in [node, job, site] { try v.register(schema) }
        try v.register(HostName("site", .record("Site")))
        try v.register(HostName("nodes", .list(.record("Node")), sizeHint: 2_000))
        try v.register(HostName("jobs", .list(.record("Job")), sizeHint: 20_000))
        let jobs: [TypePattern] = [.exact(.list(.record("Job")))]
        let nodes: [TypePattern] = [.exact(.list(.record("Node")))]
        try v.register(VerbSignature("move", targets: jobs, slots: [
            SlotSignature("to pool", .exact(.string), required: true, allowedValues: ["hot", "efficient", "cpu"])]))
        try v.register(VerbSignature("defer", targets: jobs))
        try v.register(VerbSignature("cap", doc: "cap each node at a share of its TDP", targets: nodes, slots: [
            SlotSignature("at", .exact(.quantity(.dimensionless)), required: true, doc: "share of the node's TDP")]))
        try v.register(VerbSignature("suspend", targets: nodes))
        try v.validate()
        return v
    }

    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    static func unit(_ symbol: String) -> (Double) -> Double {
        guard let u = UnitTable.lookup(symbol) else { preconditionFailure("unit `\(symbol)`") }
        return u.toCanonical
    }

    /// Reads `snapshot.json` (see the harness's README) into inputs for `vocabulary`.
    static func load(_ path: String, vocabulary: Vocabulary) throws -> (inputs: Inputs, nodes: Int, jobs: Int) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let siteObject = root["site"] as? [String: Any],
              let nodeObjects = root["nodes"] as? [[String: Any]],
              let jobObjects = root["jobs"] as? [[String: Any]] else {
            throw LoadError(description: "\(path): expected an object with `site`, `nodes` and `jobs`")
        }
        func number(_ object: [String: Any], _ key: String, _ what: String) throws -> Double {
            guard let n = object[key] as? NSNumber else { throw LoadError(description: "\(path): `\(what).\(key)` is not a number") }
            return n.doubleValue
        }
        let kW = unit("kW"), W = unit("W"), gPerKWh = unit("g/kWh"), degC = unit("degC"), h = unit("h")
        let siteRecord = Record(schema: site, fields: [
            .number(kW(try number(siteObject, "power_kw", "site"))),
            .number(kW(try number(siteObject, "power_cap_kw", "site"))),
            .number(kW(try number(siteObject, "forecast_power_kw_1h", "site"))),
            .number(gPerKWh(try number(siteObject, "carbon_g_per_kwh", "site"))),
            .number(gPerKWh(try number(siteObject, "carbon_min_6h", "site"))),
        ])
        var nodeRows = TableBuilder(schema: node, capacity: nodeObjects.count)
        for (i, n) in nodeObjects.enumerated() {
            let what = "nodes[\(i)]"
            nodeRows.append([
                .number(try number(n, "id", what)), .string(n["pool"] as? String ?? ""),
                .number(try number(n, "gpus", what)), .number(W(try number(n, "tdp_w", what))),
                .number(W(try number(n, "power_w", what))), .number(try number(n, "util", what)),
                .number(degC(try number(n, "temp_c", what))), .number(try number(n, "jobs_running", what)),
            ])
        }
        var jobRows = TableBuilder(schema: job, capacity: jobObjects.count)
        for (i, j) in jobObjects.enumerated() {
            let what = "jobs[\(i)]"
            jobRows.append([
                .number(try number(j, "id", what)), .string(j["state"] as? String ?? ""),
                .number(try number(j, "gpus", what)), .bool((j["flexible"] as? Bool) ?? false),
                .number(try number(j, "priority", what)),
                (j["node"] as? NSNumber).map { .number($0.doubleValue) } ?? .missing,
                .number(h(try number(j, "est_hours", what))),
            ])
        }
        var inputs = Inputs(vocabulary: vocabulary)
        try inputs.set("site", .record(siteRecord))
        try inputs.set("nodes", .rows(Rows(nodeRows.build())))
        try inputs.set("jobs", .rows(Rows(jobRows.build())))
        return (inputs, nodeObjects.count, jobObjects.count)
    }
}

extension AnchorWorld {
    /// The same inputs with every table as a list of boxed records.
    static func boxed(_ inputs: Inputs) -> Inputs {
        var copy = inputs
        for (slot, value) in inputs.values.enumerated() {
            if case .rows(let rows) = value { copy.set(slot: slot, .list(rows.records)) }
        }
        return copy
    }
}

/// The harness's summary of one tick: per verb the number of targets and the sum of their
/// ids, and the total of the cap watts.
struct AnchorSummary: Equatable {
    var counts: [String: (count: Int, idSum: Int)] = [:]
    var capWatts = 0.0

    static func == (a: AnchorSummary, b: AnchorSummary) -> Bool {
        a.capWatts == b.capWatts && a.counts.count == b.counts.count
            && a.counts.allSatisfy { k, v in b.counts[k].map { $0 == v } ?? false }
    }

    init() {}

    /// Reads the targets' id (and TDP) columns straight from the selected rows.
    init(_ evaluation: Evaluation) {
        for outcome in evaluation.outcomes {
            for action in outcome.actions {
                if case .list(let records)? = action.target {
                    summarizeBoxed(action, records)
                    continue
                }
                guard case .rows(let rows)? = action.target else { continue }
                let table = rows.table
                guard case .number(let ids) = table.columns[0] else { continue }
                var entry = counts[action.verb] ?? (0, 0)
                entry.count += rows.count
                for i in 0..<rows.count { entry.idSum += Int(ids[rows.row(i)]) }
                counts[action.verb] = entry
                if action.verb == "cap", case .number(let share)? = action.slots.first(where: { $0.key == "at" })?.value,
                   let tdpIndex = table.schema.fieldIndex("tdp"), case .number(let tdp) = table.columns[tdpIndex] {
                    for i in 0..<rows.count { capWatts += share * tdp[rows.row(i)] }
                }
            }
        }
    }

    private mutating func summarizeBoxed(_ action: ProposedAction, _ records: [Value]) {
        var entry = counts[action.verb] ?? (0, 0)
        let share: Double? = { if case .number(let s)? = action.slots.first(where: { $0.key == "at" })?.value { return s } else { return nil } }()
        for case .record(let record) in records {
            guard case .number(let id) = record.fields[0] else { continue }
            entry.count += 1
            entry.idSum += Int(id)
            if action.verb == "cap", let share, case .number(let tdp)? = record["tdp"] { capWatts += share * tdp }
        }
        counts[action.verb] = entry
    }

    var json: String {
        func pair(_ verb: String) -> String {
            let e = counts[verb] ?? (0, 0)
            return "[\(e.count), \(e.idSum)]"
        }
        return "{\"move\": \(pair("move")), \"defer\": \(pair("defer")), \"cap\": \(pair("cap")), "
            + "\"suspend\": \(pair("suspend")), \"cap_w\": \(capWatts)}"
    }
}
