import WattCluster
import WattEnergy

/// Node power for the world from Slurm: the configured source first, the model estimate
/// (`ModelPowerEstimate`) for the nodes it does not cover or could not measure this time. A
/// measurement of part of a node (GPUs, CPU packages) gets the model's estimate of the rest
/// added, so node power stays whole and comparable with the site's cap. Each node's
/// `powerSource` names where its power came from (`rapl`, `nvidia-smi`, `prometheus`, `model`);
/// the journal records the count per source every tick.
public struct PowerTelemetry: Sendable {
    public static let modelName = "model"

    public var source: (any NodePowerSource)?
    public var model: ModelPowerEstimate

    public init(source: (any NodePowerSource)? = nil, model: ModelPowerEstimate = ModelPowerEstimate()) {
        self.source = source
        self.model = model
    }

    /// Fills node, pool and site power in the parsed world; returns the source's problems.
    /// The source's commands fit in `seconds` (what is left of the tick's budget).
    func fill(_ parsed: inout SlurmSnapshot.Parsed, within seconds: Double = .infinity) -> [String] {
        let survey = source?.measure(parsed.world.nodes, within: seconds) ?? PowerSurvey()
        var byNode: [String: Double] = [:]
        var total = 0.0
        for i in parsed.world.nodes.indices {
            let node = parsed.world.nodes[i]
            let hardware = i < parsed.hardware.count ? parsed.hardware[i] : nil
            let profile = i < parsed.matches.count ? parsed.matches[i].model : NodeProfile(name: node.profile, devices: [], overheadW: 0)
            let watts: Double
            if let source, let measured = survey.measured[node.id], measured.watts.isFinite, measured.watts >= 0 {
                watts = measured.watts + model.watts(node, profile: profile, hardware: hardware, leaving: measured.covers)
                parsed.world.nodes[i].powerSource = source.name
            } else {
                watts = model.watts(node, profile: profile, hardware: hardware)
                parsed.world.nodes[i].powerSource = Self.modelName
            }
            parsed.world.nodes[i].power = watts
            byNode[node.id] = watts
            total += watts
        }
        for p in parsed.world.pools.indices {
            let members = parsed.poolMembers[parsed.world.pools[p].name] ?? []
            parsed.world.pools[p].power = members.reduce(0) { $0 + (byNode[$1] ?? 0) }
        }
        parsed.world.site.itPower = total
        parsed.world.site.facilityPower = total * parsed.world.site.pue
        return survey.problems
    }
}
