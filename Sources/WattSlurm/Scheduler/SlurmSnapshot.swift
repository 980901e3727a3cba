import Foundation
import WattCluster
import WattSupport

/// Slurm's view (`squeue --json`, `sinfo --json`, openapi v0.0.38 as Slurm 22.05 prints it)
/// mapped to the world model. Conventions (docs/slurm.md):
/// - partitions are pools; a node in several partitions belongs to the first one `sinfo`
///   lists for it (its pool for policies), and shows in every partition's node count;
/// - GPUs come from GRES (`gres`/`gres_used` = `gpu:N` on nodes, `tres_per_node` =
///   `gres:gpu:N` on jobs, times the job's node count);
/// - a job is flexible when its comment contains `watt:flexible`, preemptible when it
///   contains `watt:preemptible` (or is flexible); its deadline is `watt:deadline=ISO8601`;
/// - pending jobs are `held` when Slurm holds them (`JobHeld*` reason, or priority 0),
///   `deferred` when their begin time (`eligible_time`) is in the future, else `queued`;
/// - finished jobs (22.05 lists them for a while) are left out;
/// - a node's profile is the catalog node profile its GRES type and features map to
///   (`SlurmHardwareMap`), a pool's the profile of its first node;
/// - node power comes from a telemetry source (`PowerTelemetry`), not from Slurm (nil here),
///   and temperature is not known (0).
public enum SlurmSnapshot {
    public struct Site: Sendable {
        public var powerCap: Double
        public var pue: Double
        public var carbonIntensity: Double?
        public var price: Double?
        public var region: String
        public var currency: String
        public init(powerCap: Double, pue: Double = 1.2, carbonIntensity: Double? = nil, price: Double? = nil,
                    region: String = "unknown", currency: String = "EUR") {
            self.powerCap = powerCap; self.pue = pue; self.carbonIntensity = carbonIntensity; self.price = price
            self.region = region; self.currency = currency
        }
    }

    static let finished: Set<String> = ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL",
                                        "BOOT_FAIL", "DEADLINE", "PREEMPTED", "REVOKED", "SPECIAL_EXIT"]

    /// `gpu:2`, `gpu:a100:2(IDX:0-1)`, `gres:gpu:1`, `N/A`: the GPU count.
    static func gpus(_ text: String?) -> Int {
        guard let text, !text.isEmpty, text != "N/A", text != "(null)" else { return 0 }
        var total = 0
        for entry in text.split(separator: ",") {
            let parts = (entry.split(separator: "(").first ?? "").split(separator: ":").map(String.init)
            guard let i = parts.firstIndex(of: "gpu"), parts.count > i + 1, let count = Int(parts[parts.count - 1]) else { continue }
            total += count
        }
        return total
    }

    static func json(_ text: String, _ what: String) throws(SlurmError) -> [String: Any] {
        guard let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw SlurmError("`\(what)` did not print JSON: \(text.prefix(120))")
        }
        if let errors = object["errors"] as? [[String: Any]], !errors.isEmpty {
            throw SlurmError("`\(what)` reported: \(errors.map { "\($0["error"] ?? $0)" }.joined(separator: "; "))")
        }
        return object
    }

    static func int(_ v: Any?) -> Int? { (v as? NSNumber)?.intValue }
    static func double(_ v: Any?) -> Double? { (v as? NSNumber)?.doubleValue }

    /// A node's features: a comma-separated string in 22.05, a list in later versions.
    static func features(_ v: Any?) -> [String] {
        let items = (v as? [String]) ?? (v as? String).map { $0.split(separator: ",").map(String.init) } ?? []
        return items.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }

    static func hardware(_ n: [String: Any], name: String) -> SlurmNodeHardware {
        SlurmNodeHardware(name: name, gpus: gpus(n["gres"] as? String), gpuTypes: SlurmNodeHardware.gpuTypes(n["gres"] as? String),
                          features: features(n["features"]), sockets: int(n["sockets"]) ?? 0, cpus: int(n["cpus"]) ?? 0,
                          allocCPUs: int(n["alloc_cpus"]) ?? 0, cpuLoad: double(n["cpu_load"]))
    }

    public static func world(squeue: String, sinfo: String, now: Double, site: Site,
                             hardware map: SlurmHardwareMap = SlurmHardwareMap()) throws(SlurmError) -> World {
        try parse(squeue: squeue, sinfo: sinfo, now: now, site: site, hardware: map).world
    }

    /// The world, with what telemetry needs beside it.
    struct Parsed {
        var world: World
        /// Each node's hardware and catalog match, in the world's node order.
        var hardware: [SlurmNodeHardware]
        var matches: [SlurmHardwareMap.Match]
        /// The nodes of each partition (a node can be in several).
        var poolMembers: [String: [String]]
        /// Why each node is drained or down, as Slurm records it (`watt: too_hot`); empty otherwise.
        var reasons: [String: String] = [:]
    }

    static func parse(squeue: String, sinfo: String, now: Double, site: Site, hardware map: SlurmHardwareMap) throws(SlurmError) -> Parsed {
        let nodesJSON = (try json(sinfo, "sinfo --json"))["nodes"] as? [[String: Any]] ?? []
        let jobsJSON = (try json(squeue, "squeue --json"))["jobs"] as? [[String: Any]] ?? []

        var running: [String: [String]] = [:]
        var jobs: [World.Job] = []
        for j in jobsJSON {
            guard let id = int(j["job_id"]).map(String.init), let state = j["job_state"] as? String,
                  !finished.contains(state) else { continue }
            let comment = j["comment"] as? String ?? ""
            let flexible = comment.contains("watt:flexible")
            let reason = j["state_reason"] as? String ?? ""
            let eligible = double(j["eligible_time"]) ?? 0
            let worldState: JobState
            switch state {
            case "RUNNING", "CONFIGURING", "COMPLETING", "STAGE_OUT", "RESIZING": worldState = .running
            case "SUSPENDED": worldState = .held
            default:
                if reason.hasPrefix("JobHeld") || int(j["priority"]) == 0 { worldState = .held }
                else if eligible > now + 1 { worldState = .deferred }
                else { worldState = .queued }
            }
            let nodeList = (j["nodes"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            let nodeCount = max(1, int(j["node_count"]) ?? 1)
            let start = double(j["start_time"]).flatMap { $0 > 0 ? $0 : nil }
            let end = double(j["end_time"]).flatMap { $0 > 0 ? $0 : nil }
            let limitMinutes = double(j["time_limit"])
            let remaining: Double
            if worldState == .running, let end { remaining = max(0, end - now) } else { remaining = (limitMinutes ?? 0) * 60 }
            var deadline: Double?
            if let range = comment.range(of: "watt:deadline=") {
                let value = comment[range.upperBound...].prefix { !$0.isWhitespace && $0 != "," && $0 != ";" }
                deadline = InstantText.parse(String(value))
            }
            let node = worldState == .running ? nodeList : nil
            if let node { running[node, default: []].append(id) }
            jobs.append(World.Job(id: id, user: j["user_name"] as? String ?? "", pool: j["partition"] as? String ?? "",
                                  node: node, state: worldState, gpus: gpus(j["tres_per_node"] as? String) * nodeCount,
                                  cpus: int(j["cpus"]) ?? 0, priority: int(j["priority"]) ?? 0, flexible: flexible,
                                  preemptible: flexible || comment.contains("watt:preemptible"),
                                  submitted: double(j["submit_time"]) ?? now, started: worldState == .running ? start : nil,
                                  deadline: deadline, remainingTime: remaining, remainingEnergy: 0,
                                  // Since its current start (Slurm restarts the clock on a requeue).
                                  runTime: worldState == .running ? max(0, now - (start ?? now)) : 0))
        }

        var nodes: [World.Node] = []
        var hardware: [SlurmNodeHardware] = []
        var matches: [SlurmHardwareMap.Match] = []
        var poolOrder: [String] = []
        var poolNodes: [String: [World.Node]] = [:]
        var reasons: [String: String] = [:]
        for n in nodesJSON {
            guard let name = n["name"] as? String else { continue }
            reasons[name] = n["reason"] as? String ?? ""
            let partitions = n["partitions"] as? [String] ?? []
            let flags = Set((n["state_flags"] as? [String] ?? []).map { $0.uppercased() })
            let base = (n["state"] as? String ?? "").lowercased()
            let state: NodeState
            if flags.contains("POWERED_DOWN") || flags.contains("POWERING_DOWN") { state = .suspended }
            else if flags.contains("POWERING_UP") || flags.contains("NOT_RESPONDING") && base == "down" { state = .waking }
            else if flags.contains("DRAIN") || base == "drain" || base == "draining" || base == "down" { state = .draining }
            else if base == "allocated" || base == "mixed" { state = .on }
            else { state = .idle }
            let gpuTotal = gpus(n["gres"] as? String)
            let gpuUsed = gpus(n["gres_used"] as? String)
            let cpuTotal = int(n["cpus"]) ?? 0
            let cpuUsed = int(n["alloc_cpus"]) ?? 0
            let utilization = gpuTotal > 0 ? Double(gpuUsed) / Double(gpuTotal) : cpuTotal > 0 ? Double(cpuUsed) / Double(cpuTotal) : 0
            // A draining node takes no new jobs: nothing of it is free.
            let takes = state != .draining
            let info = Self.hardware(n, name: name)
            let match = map.match(info)
            hardware.append(info)
            matches.append(match)
            let node = World.Node(id: name, pool: partitions.first ?? "", profile: match.profile, state: state, power: nil, powerCap: nil,
                                  utilization: utilization, temperature: 0, jobs: running[name] ?? [],
                                  gpus: gpuTotal, gpusFree: takes ? max(0, gpuTotal - gpuUsed) : 0, cpus: cpuTotal,
                                  cpusFree: takes ? max(0, cpuTotal - cpuUsed) : 0)
            nodes.append(node)
            for p in partitions {
                if poolNodes[p] == nil { poolOrder.append(p) }
                poolNodes[p, default: []].append(node)
            }
        }
        let pools = poolOrder.map { name in
            let members = poolNodes[name] ?? []
            return World.Pool(name: name, nodeProfile: members.first?.profile ?? map.defaultGPUNode, nodeCount: members.count, power: 0,
                              gpus: members.reduce(0) { $0 + $1.gpus }, gpusFree: members.reduce(0) { $0 + $1.gpusFree })
        }
        let itPower = nodes.compactMap(\.power).reduce(0, +)
        let world = World(now: now,
                     site: World.Site(itPower: itPower, facilityPower: itPower * site.pue, powerCap: site.powerCap, pue: site.pue,
                                      outdoorTemperature: nil, itEnergy: 0, itEnergyToday: 0),
                     grid: World.Grid(carbonIntensity: site.carbonIntensity, price: site.price, region: site.region, currency: site.currency),
                     pools: pools, nodes: nodes, jobs: jobs)
        return Parsed(world: world, hardware: hardware, matches: matches, poolMembers: poolNodes.mapValues { $0.map(\.id) },
                      reasons: reasons)
    }
}
