import Yams

extension ClusterFileLoader {
    /// `guardrails:` — the limits the control loop keeps whatever the policies say.
    mutating func guardrails(_ node: Yams.Node, pools: [PoolDefinition]) -> GuardrailSettings? {
        guard let f = fields(node, "guardrails", allowed: ["max_capped_gpu_share", "min_cap_w", "max_jobs_moved_per_hour", "never_suspend"])
        else { return nil }
        var g = GuardrailSettings()
        if let n = f["max_capped_gpu_share"] { g.maxCappedGPUShare = number(n, "guardrails.max_capped_gpu_share", of: nil, .unit) ?? g.maxCappedGPUShare }
        if let n = f["min_cap_w"] { g.minCapWatts = number(n, "guardrails.min_cap_w", of: "watts", .within(ClusterLimits.nodeWatts)) ?? g.minCapWatts }
        if let n = f["max_jobs_moved_per_hour"] { g.maxJobsMovedPerHour = integer(n, "guardrails.max_jobs_moved_per_hour", minimum: 0, maximum: ClusterLimits.jobsMovedPerHour.upperBound) ?? g.maxJobsMovedPerHour }
        if let n = f["never_suspend"], let items = list(n, "guardrails.never_suspend") {
            // Node ids are `POOL-NNN` (numbered from 1, at least three digits).
            let ids = pools.flatMap { p in (1...max(1, p.count)).map { "\(p.name)-\(String($0).leftPadded(max(3, String(p.count).count)))" } }
            let known = Set(ids)
            var seen: [String: Int] = [:]
            for (i, item) in items.enumerated() {
                guard let id = string(item, "guardrails.never_suspend[\(i)]") else { continue }
                if let first = seen[id] {
                    error("guardrails.never_suspend[\(i)]", item, "node `\(id)` is listed twice, first at never_suspend[\(first)]")
                    continue
                }
                seen[id] = i
                if known.contains(id) || pools.isEmpty {
                    g.neverSuspend.append(id)
                } else {
                    error("guardrails.never_suspend[\(i)]", item, ClusterNames.unknown("node", id, among: ids))
                }
            }
        }
        return g
    }
}
