import Testing
import WattEnergy
@testable import WattCluster

/// Cluster files: the shipped examples load, and every problem has an exact message naming
/// the file, the path and the field.
@Suite struct ClusterFileTests {
    static let base = Fixture.path("examples/clusters")

    /// A valid file; `edit` replaces lines to break it.
    static let valid = """
    name: t
    start: 2020-06-01T00:00:00Z
    tick_s: 300
    site:
      power_cap_w: 50000
      pue: 1.2
    grid:
      region: DE
      carbon_intensity:
        g_per_kwh: 300
      price:
        currency: EUR
        time_of_use:
          - {from: "00:00", per_kwh: 0.1}
          - {from: "08:00", per_kwh: 0.3}
    pools:
      - name: a
        profile: dgx-h100-like
        nodes: 2
      - name: batch
        profile: l40s-4gpu
        nodes: 1
    """

    static func errors(_ yaml: String) -> [String] {
        do {
            _ = try ClusterDefinition.parse(yaml: yaml, file: "demo.yaml", baseDirectory: base)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    static func replacing(_ old: String, with new: String) -> String {
        precondition(valid.contains(old), old)
        return valid.replacingOccurrences(of: old, with: new)
    }

    @Test func theExamplesLoad() throws {
        let demo = try ClusterDefinition.load(path: Fixture.path("examples/clusters/demo.yaml"))
        #expect(demo.name == "demo" && demo.tick == 300 && demo.seed == 2020)
        #expect(demo.pools.map(\.name) == ["default", "efficient", "batch"])
        #expect(demo.pools.map(\.count) == [50, 25, 50])
        #expect(demo.gpuCount == 1000)
        #expect(demo.pools[1].gpuCap == 450 && close(demo.pools[1].speed, 1))
        #expect(demo.pue == .temperatureLinear(base: 1.15, threshold: 18, perDegree: 0.015, max: 1.45))
        #expect(demo.powerCap == 1_200_000 && demo.grid.region == "DE" && demo.grid.currency == "EUR")
        #expect(demo.tracePath?.hasSuffix("examples/clusters/../traces/week.csv") == true)
        #expect(demo.defaultPool == "default")
        let small = try ClusterDefinition.load(path: Fixture.path("examples/clusters/small.yaml"))
        #expect(small.gpuCount == 24 && small.pue == .constant(1.25))
        let trace = try small.loadTrace()
        #expect(trace.count == 10)
        let sim = try Simulator(cluster: small, jobs: trace)
        sim.advance(by: 86_400)
        #expect(sim.report().jobsDone == 10)
    }

    @Test func aValidFileParses() throws {
        let c = try ClusterDefinition.parse(yaml: Self.valid, file: "demo.yaml", baseDirectory: Self.base)
        #expect(c.start == 1_590_969_600)
        #expect(c.grid.price.value(at: c.start + 9 * 3600) == SI.perKWh(0.3))
        #expect(c.pools[0].cpusPerNode == 128 && c.pools[1].cpusPerNode == 64)
    }

    @Test func unknownNodeProfileSuggestsOne() {
        #expect(Self.errors(Self.replacing("profile: l40s-4gpu", with: "profile: dgx-h10"))
                == ["demo.yaml: line 21: pools[1].profile: unknown node profile `dgx-h10`; did you mean `dgx-h100-like`?"])
    }

    @Test func fieldErrors() {
        let cases: [(String, String, String)] = [
            ("tick_s: 300", "tick: 300", "demo.yaml: line 3: tick: unknown field; did you mean `tick_s`?"),
            ("start: 2020-06-01T00:00:00Z\n", "", "demo.yaml: line 1: start: missing required field"),
            ("start: 2020-06-01T00:00:00Z", "start: June", "demo.yaml: line 2: start: must be a UTC timestamp such as `2020-06-01T00:00:00Z`, found `June`"),
            ("tick_s: 300", "tick_s: 0", "demo.yaml: line 3: tick_s: must be a number of seconds from 1 to 86400, found `0`"),
            ("power_cap_w: 50000", "power_cap_w: -5", "demo.yaml: line 5: site.power_cap_w: must be a number of watts > 0 and at most 10000000000, found `-5`"),
            ("power_cap_w: 50000", "power_cap_w: [1]", "demo.yaml: line 5: site.power_cap_w: must be a number of watts > 0 and at most 10000000000, found a list"),
            ("pue: 1.2", "pue: 0.9", "demo.yaml: line 6: site.pue: a PUE must be at least 1, found 0.9"),
            ("pue: 1.2", "pue: {model: temperature-linear}", "demo.yaml: line 6: site.pue.model: unknown PUE model `temperature-linear`; did you mean `temperature_linear`?"),
            ("pue: 1.2", "pue: {model: curve, points: [[10, 1.1], [5, 1.2]]}", "demo.yaml: line 6: site.pue: PUE curve temperatures must increase"),
            ("pue: 1.2", "pue: {model: constant, value: 1.2, base: 1}", "demo.yaml: line 6: site.pue.base: not a field of the `constant` model (it has `value`)"),
            ("nodes: 2", "nodes: 0", "demo.yaml: line 19: pools[0].nodes: must be a whole number from 1 to 100000, found `0`"),
            ("nodes: 2", "nodes: 2\n    gpu_cap_w: 100", "demo.yaml: line 20: pools[0].gpu_cap_w: must be within the GPU cap range 200–700 W of `h100-sxm5-80gb`, found `100`"),
            ("name: batch", "name: a", "demo.yaml: line 20: pools[1].name: duplicate pool name `a`, already defined at pools[0]"),
            ("name: batch", "name: b c", "demo.yaml: line 20: pools[1].name: must use only letters, digits and `-_.`, found `b c`"),
            ("region: DE", "", "demo.yaml: line 9: grid.region: missing required field"),
            ("g_per_kwh: 300", "g_per_kwh: 300\n    file: x.csv", "demo.yaml: line 10: grid.carbon_intensity.g_per_kwh: give `g_per_kwh` or `file`, not both"),
            ("g_per_kwh: 300", "file: nope.csv", "demo.yaml: line 10: grid.carbon_intensity.file: cannot read `nope.csv`: no such file"),
            ("{from: \"08:00\", per_kwh: 0.3}", "{from: \"25:00\", per_kwh: 0.3}", "demo.yaml: line 15: grid.price.time_of_use[1].from: must be a time of day `HH:MM` (UTC), found `25:00`"),
            ("{from: \"08:00\", per_kwh: 0.3}", "{from: \"00:00\", per_kwh: 0.3}", "demo.yaml: line 15: grid.price.time_of_use[1].from: times must increase: `00:00` does not follow the previous step"),
            ("currency: EUR", "currency: EUR\n    per_kwh: 0.2", "demo.yaml: line 13: grid.price.per_kwh: give one of `per_kwh`, `time_of_use` or `file`"),
        ]
        for (old, new, message) in cases {
            #expect(Self.errors(Self.replacing(old, with: new)) == [message], "\(new)")
        }
    }

    @Test func guardrails() throws {
        let given = Self.valid + "\nguardrails:\n  max_capped_gpu_share: 0.25\n  min_cap_w: 300\n  max_jobs_moved_per_hour: 40\n  never_suspend: [a-001, batch-001]\n"
        let c = try ClusterDefinition.parse(yaml: given, file: "demo.yaml", baseDirectory: Self.base)
        #expect(c.guardrails.maxCappedGPUShare == 0.25)
        #expect(c.guardrails.minCapWatts == 300)
        #expect(c.guardrails.maxJobsMovedPerHour == 40)
        #expect(c.guardrails.neverSuspend == ["a-001", "batch-001"])
        #expect(try ClusterDefinition.parse(yaml: Self.valid, file: "demo.yaml", baseDirectory: Self.base).guardrails == GuardrailSettings())
        #expect(Self.errors(Self.valid + "\nguardrails:\n  never_suspend: [a-003]\n")
                == ["demo.yaml: line 24: guardrails.never_suspend[0]: unknown node `a-003`; did you mean `a-001`?"])
        #expect(Self.errors(Self.valid + "\nguardrails:\n  max_capped_gpu_share: 2\n").first?.hasPrefix("demo.yaml: line 24: guardrails.max_capped_gpu_share: must be") == true)
        #expect(Self.errors(Self.valid + "\nguardrails:\n  max_moves: 2\n").first?.hasPrefix("demo.yaml: line 24: guardrails.max_moves: unknown field") == true)
    }

    /// `forecast:` replaces a metric's forecast settings; every number is checked.
    @Test func forecastSettings() throws {
        let given = Self.valid + "\nforecast:\n  grid.carbon_intensity:\n    horizons_s: [3600, 43200]\n    windows_s: [604800]\n"
            + "    models: [daily-profile, holt-winters-1d]\n    shift_confidence: 0.9\n  grid.price:\n    non_negative: true\n"
        let c = try ClusterDefinition.parse(yaml: given, file: "demo.yaml", baseDirectory: Self.base)
        var carbon = ForecastSettings.defaults(for: "grid.carbon_intensity")
        carbon.horizons = [3600, 43_200]
        carbon.trainingWindows = [604_800]
        carbon.models = ["daily-profile", "holt-winters(1d)"]
        carbon.shiftConfidence = 0.9
        #expect(c.forecast["grid.carbon_intensity"] == carbon)
        #expect(c.forecast["grid.price"]?.nonNegative == true)
        #expect(try ClusterDefinition.parse(yaml: Self.valid, file: "demo.yaml", baseDirectory: Self.base).forecast.isEmpty)
        #expect(Self.errors(Self.valid + "\nforecast:\n  grid.carbon_intensty:\n    origins: 4\n")
                == ["demo.yaml: line 24: forecast.grid.carbon_intensty: unknown field; did you mean `grid.carbon_intensity`?"])
        #expect(Self.errors(Self.valid + "\nforecast:\n  grid.carbon_intensity:\n    models: [prophet]\n").first?
                    .hasPrefix("demo.yaml: line 25: forecast.grid.carbon_intensity.models[0]: unknown model `prophet`") == true)
        #expect(Self.errors(Self.valid + "\nforecast:\n  grid.carbon_intensity:\n    horizons_s: [10]\n")
                == ["demo.yaml: line 25: forecast.grid.carbon_intensity: horizons: `10s` is outside 1 min to 30 d"])
        #expect(Self.errors(Self.valid + "\nforecast:\n  grid.carbon_intensity:\n    origins: 0\n").first?
                    .hasPrefix("demo.yaml: line 25: forecast.grid.carbon_intensity.origins: must be a whole number ≥ 1") == true)
    }

    @Test func sectionsAndLists() {
        #expect(Self.errors(Self.valid + "\ndefault_pool: bach") == ["demo.yaml: line 23: default_pool: unknown pool `bach`; did you mean `batch`?"])
        #expect(Self.errors(Self.valid + "\nreference_gpu: h100") == ["demo.yaml: line 23: reference_gpu: unknown GPU `h100`; did you mean `h100-sxm5-80gb`?"])
        #expect(Self.errors(Self.valid + "\njobs: {trace: nope.csv}") == ["demo.yaml: line 23: jobs.trace: cannot read `nope.csv`: no such file"])
        #expect(Self.errors(Self.valid + "\nnodes: {telemetry_gap_probability: 2}")
                == ["demo.yaml: line 23: nodes.telemetry_gap_probability: must be a number in [0, 1], found `2`"])
        let noPools = Self.valid.components(separatedBy: "pools:")[0] + "pools: x"
        #expect(Self.errors(noPools) == ["demo.yaml: line 16: pools: must be a list, found `x`"])
        #expect(Self.errors("- 1") == ["demo.yaml: line 1: must be a mapping, found a list"])
        #expect(Self.errors("") == ["demo.yaml: the file is empty"])
    }

    @Test func everyProblemIsReported() {
        let broken = Self.replacing("power_cap_w: 50000", with: "power_cap_w: x")
            .replacingOccurrences(of: "profile: l40s-4gpu", with: "profile: nope")
            .replacingOccurrences(of: "tick_s: 300", with: "tick_s: -1")
        #expect(Self.errors(broken) == [
            "demo.yaml: line 3: tick_s: must be a number of seconds from 1 to 86400, found `-1`",
            "demo.yaml: line 5: site.power_cap_w: must be a number of watts > 0 and at most 10000000000, found `x`",
            "demo.yaml: line 21: pools[1].profile: unknown node profile `nope`",
        ])
    }

    @Test func invalidYAMLSaysWhere() {
        #expect(Self.errors("site: {power_cap_w: 5\n") == ["demo.yaml: line 2: invalid YAML at column 1: while parsing a flow mapping did not find expected ',' or '}'"])
        #expect(Self.errors("a: 1\na: 2\n").first?.hasPrefix("demo.yaml: line 1: invalid YAML at column 1: duplicate key `a`") == true)
    }

    @Test func seriesMustCoverTheStart() {
        let yaml = Self.replacing("g_per_kwh: 300", with: "file: ../data/grid/ger_ci_2020.csv")
            .replacingOccurrences(of: "start: 2020-06-01T00:00:00Z", with: "start: 2022-01-01T00:00:00Z")
        #expect(Self.errors(yaml) == ["demo.yaml: line 10: grid.carbon_intensity.file: the series covers 2019-12-20T00:00:00Z to 2021-01-09T23:15:00Z; the start 2022-01-01T00:00:00Z is outside it"])
    }

    @Test func userProfilesAndSpeeds() throws {
        let withV100 = Self.valid.replacingOccurrences(of: "profile: l40s-4gpu", with: "profile: v100-4gpu")
            + "\nprofiles: [../profiles/site.json]"
        #expect(Self.errors(withV100) == ["demo.yaml: line 21: pools[1].profile: its GPU `v100-pcie-32gb` counts peak throughput as `fp16-dense` and the reference GPU `h100-sxm5-80gb` as `bf16-dense`; give the pool a `speed`"])
        let given = withV100.replacingOccurrences(of: "nodes: 1", with: "nodes: 1\n    speed: 0.3")
        let c = try ClusterDefinition.parse(yaml: given, file: "demo.yaml", baseDirectory: Self.base)
        #expect(c.pools[1].speed == 0.3 && c.pools[1].node.name == "v100-4gpu")
        #expect(Self.errors(Self.valid + "\nprofiles: [nope.json]") == ["demo.yaml: line 23: profiles: \(Self.base)/nope.json: no such file"])
    }

    @Test func missingFile() {
        #expect(throws: ClusterLoadError([ClusterFileError(file: "nope.yaml", message: "no such file")])) {
            try ClusterDefinition.load(path: "nope.yaml")
        }
    }
}
