import Foundation
import Testing
@testable import WattBindings
import WattCluster
@testable import WattEnergy
import WattLanguage
import WattTestSupport

/// Bad telemetry never poisons a decision: every value outside its range is rejected, is
/// missing to the language (a rule reading it does not run, and says which value had none),
/// is recorded as a gap in the history, and is counted in `dataQuality`.
@Suite struct BadTelemetryTests {
    static let repo = RepositoryRoot.url

    /// The small cluster after two hours, its binding fed with those ticks.
    static func session() throws -> (Simulator, EnergyBinding) {
        let simulator = try Simulator(clusterFile: repo.appendingPathComponent("examples/clusters/small.yaml").path)
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        for _ in 0..<24 {
            binding.record(simulator.snapshot())
            simulator.step()
        }
        return (simulator, binding)
    }

    static func eval(_ expression: String, _ world: World, _ binding: EnergyBinding) -> String {
        switch ExpressionEvaluator.evaluate(SourceFile(name: "e", text: expression), vocabulary: binding.vocabulary,
                                            inputs: binding.inputs(for: world, recording: false), now: world.now) {
        case .success(let r): return r.formatted
        case .failure(.diagnostics(let d)): return "error: \(DiagnosticRenderer.text(d))"
        case .failure(.evaluation(let d)): return "error: \(d.message)"
        }
    }

    /// A bad value, the issue it must raise, and an expression that must now read it as missing.
    struct Case: CustomStringConvertible {
        var name: String
        var field: String
        var problem: String
        var probe: String
        var expected: String
        var edit: @Sendable (inout World) -> Void
        var description: String { name }
    }

    static let hasNoValue = "has no value"

    /// The first job policies see (not done).
    static func open(_ world: World) -> Int { world.jobs.firstIndex { $0.state != .done }! }

    static let cases: [Case] = [
        Case(name: "site power NaN", field: "site.power", problem: "NaN", probe: "site.power > 0 W", expected: hasNoValue) { $0.site.itPower = .nan },
        Case(name: "site power +inf", field: "site.power", problem: "infinite", probe: "site.power > 0 W", expected: hasNoValue) { $0.site.itPower = .infinity },
        Case(name: "site power -inf", field: "site.power", problem: "infinite", probe: "site.power > 0 W", expected: hasNoValue) { $0.site.itPower = -.infinity },
        Case(name: "site power negative", field: "site.power", problem: "negative", probe: "site.power > 0 W", expected: hasNoValue) { $0.site.itPower = -5 },
        Case(name: "facility power NaN", field: "site.facility_power", problem: "NaN", probe: "site.facility_power > 0 W", expected: hasNoValue) {
            $0.site.facilityPower = .nan
        },
        Case(name: "power cap zero", field: "site.power_cap", problem: "not positive", probe: "site.power_cap > 0 W", expected: hasNoValue) {
            $0.site.powerCap = 0
        },
        Case(name: "PUE below 1", field: "site.pue", problem: "below 1", probe: "site.pue > 1", expected: hasNoValue) { $0.site.pue = 0.8 },
        Case(name: "PUE NaN", field: "site.pue", problem: "NaN", probe: "site.pue > 1", expected: hasNoValue) { $0.site.pue = .nan },
        Case(name: "outdoor below absolute zero", field: "site.outdoor_temperature", problem: "below absolute zero",
             probe: "present(site.outdoor_temperature)", expected: "false") { $0.site.outdoorTemperature = -300 },
        Case(name: "energy negative", field: "site.energy", problem: "negative", probe: "site.energy > 0 kWh", expected: hasNoValue) { $0.site.itEnergy = -1 },
        Case(name: "energy today NaN", field: "site.energy_today", problem: "NaN", probe: "site.energy_today > 0 kWh", expected: hasNoValue) {
            $0.site.itEnergyToday = .nan
        },
        Case(name: "carbon negative", field: "grid.carbon_intensity", problem: "negative", probe: "present(grid.carbon_intensity)", expected: "false") {
            $0.grid.carbonIntensity = -1e-5
        },
        Case(name: "carbon NaN", field: "grid.carbon_intensity", problem: "NaN", probe: "present(grid.carbon_intensity)", expected: "false") { $0.grid.carbonIntensity = .nan },
        Case(name: "price infinite", field: "grid.price", problem: "infinite", probe: "present(grid.price)", expected: "false") { $0.grid.price = .infinity },
        Case(name: "price negative", field: "grid.price", problem: "negative", probe: "present(grid.price)", expected: "false") { $0.grid.price = -1e-8 },
        Case(name: "pool power NaN", field: "pool.power", problem: "NaN", probe: "sum(pools, power) > 0 W", expected: hasNoValue) { $0.pools[0].power = .nan },
        Case(name: "node power NaN", field: "node.power", problem: "NaN", probe: "count(nodes where present(power))", expected: "3") { $0.nodes[0].power = .nan },
        Case(name: "node power negative", field: "node.power", problem: "negative", probe: "count(nodes where power >= 0 W)", expected: "3") {
            $0.nodes[1].power = -200
        },
        Case(name: "node power infinite", field: "node.power", problem: "infinite", probe: "max(nodes, power ?? 0 W) < 1 MW", expected: "true") {
            $0.nodes[2].power = .infinity
        },
        Case(name: "node cap negative", field: "node.power_cap", problem: "not positive", probe: "count(nodes where present(power_cap))", expected: "0") {
            $0.nodes[0].powerCap = -400
        },
        Case(name: "utilization above 1", field: "node.utilization", problem: "above 1", probe: "avg(nodes, utilization) >= 0", expected: hasNoValue) {
            $0.nodes[0].utilization = 1.5
        },
        Case(name: "utilization negative", field: "node.utilization", problem: "negative", probe: "count(nodes where utilization >= 0)", expected: "3") {
            $0.nodes[3].utilization = -0.1
        },
        Case(name: "node temperature NaN", field: "node.temperature", problem: "NaN", probe: "max(nodes, temperature) > 0 degC", expected: hasNoValue) {
            $0.nodes[0].temperature = .nan
        },
        Case(name: "job remaining negative", field: "job.remaining", problem: "negative", probe: "sum(jobs, remaining) > 0 s", expected: hasNoValue) {
            $0.jobs[Self.open($0)].remainingTime = -60
        },
        Case(name: "job energy infinite", field: "job.energy", problem: "infinite", probe: "sum(jobs, energy) > 0 kWh", expected: hasNoValue) {
            $0.jobs[Self.open($0)].remainingEnergy = .infinity
        },
        Case(name: "job deadline NaN", field: "job.deadline", problem: "NaN", probe: "count(jobs where present(deadline)) >= 0", expected: "true") {
            $0.jobs[Self.open($0)].deadline = .nan
        },
    ]

    @Test func everyBadValueIsRejectedAndMissing() throws {
        let (simulator, binding) = try Self.session()
        let clean = simulator.snapshot()
        #expect(clean.nodes.count == 4 && !clean.jobs.isEmpty)
        #expect(TelemetryGuard.check(clean).quality.isClean)
        var tally = Tally()
        for c in Self.cases {
            var world = clean
            c.edit(&world)
            let quality = TelemetryGuard.check(world).quality
            let flagged = quality.issues.count == 1 && quality.issues.first?.field == c.field && quality.issues.first?.problem == c.problem
            #expect(flagged, "\(c): \(quality)")
            #expect(quality.rejected == 1, "\(c)")
            let result = Self.eval(c.probe, world, binding)
            let missing = result == c.expected || (c.expected == Self.hasNoValue && result.contains(Self.hasNoValue))
            #expect(missing, "\(c): \(result)")
            #expect(binding.dataQuality == quality, "\(c)")
            tally.count("bad telemetry value", flagged && quality.rejected == 1 && missing && binding.dataQuality == quality)
        }
        // A clean world reads as before: nothing was changed in it.
        #expect(Self.eval("site.power > 0 W", clean, binding) == "true")
        #expect(TelemetryGuard.check(clean).world == clean)
        // Values that are legitimately odd pass: a cold outdoor reading, 100 % utilization.
        var odd = clean
        odd.site.outdoorTemperature = -40
        odd.nodes[0].utilization = 1
        odd.nodes[1].utilization = 1 + 1e-12
        odd.grid.price = 0
        #expect(TelemetryGuard.check(odd).quality.isClean)
        // Each on its own, too.
        let edits: [@Sendable (inout World) -> Void] = [
            { $0.site.outdoorTemperature = -40 }, { $0.nodes[0].utilization = 1 }, { $0.nodes[1].utilization = 1 + 1e-12 }, { $0.grid.price = 0 },
        ]
        for edit in edits {
            var world = clean
            edit(&world)
            let passed = TelemetryGuard.check(world).quality.isClean && TelemetryGuard.check(world).world == world
            #expect(passed)
            tally.count("odd but legitimate value", passed)
        }
        tally.record("bad-data", part: "telemetry-values", test: "Tests/WattBindingsTests/BadTelemetryTests.swift")
    }

    @Test func theMessageNamesTheFieldTheProblemAndTheNodes() throws {
        let (simulator, _) = try Self.session()
        var world = simulator.snapshot()
        for i in 0..<4 { world.nodes[i].power = .nan }
        world.site.pue = 0.9
        let quality = TelemetryGuard.check(world).quality
        #expect(quality.rejected == 5)
        #expect(quality.description == "site.pue: below 1 ×1 (0.9); node.power: NaN ×4 (`default-001` nan, `default-002` nan, `efficient-001` nan, ...)")
    }

    /// Rejected values are recorded as gaps: forecasts and history never see them.
    @Test func historyNeverSeesARejectedValue() throws {
        let (simulator, binding) = try Self.session()
        var world = simulator.snapshot()
        world.site.itPower = -1e9
        world.grid.carbonIntensity = .infinity
        binding.record(world)
        #expect(binding.dataQuality.rejected == 2)
        let power = try #require(binding.models.store["site.power"]?.last)
        #expect(power.time == world.now && power.value.isNaN)
        #expect(binding.models.store["grid.carbon_intensity"]?.last?.value.isNaN == true)
        let h = try #require(binding.models.history("site.power", window: 3 * 3600))
        #expect(h.min > 0)
        let f = try #require(binding.models.forecast("site.power", horizon: 3600))
        #expect(f.mean > 0 && f.low.isFinite)
        #expect(binding.rejectedTotal == 2)
        var tally = Tally()
        tally.count("rejected value kept out of the history", power.time == world.now && power.value.isNaN && h.min > 0
            && f.mean > 0 && f.low.isFinite && binding.rejectedTotal == 2)
        tally.count("rejected value kept out of the history", binding.models.store["grid.carbon_intensity"]?.last?.value.isNaN == true)
        tally.record("bad-data", part: "telemetry-history", test: "Tests/WattBindingsTests/BadTelemetryTests.swift")
    }

    /// Clock jumps: a tick from the past is refused as a whole, a repeated tick replaces, a
    /// jump forward is a gap; the history's time never goes backwards.
    @Test func clockJumps() throws {
        let (simulator, binding) = try Self.session()
        let world = simulator.snapshot()
        binding.record(world)
        let newest = binding.models.now
        var back = world
        back.now -= 3600
        back.site.itPower = 1
        binding.record(back)
        #expect(binding.dataQuality.issues.map(\.field) == ["clock"])
        #expect(binding.dataQuality.issues[0].problem == "went backwards" && binding.dataQuality.rejected == 6)
        #expect(binding.models.now == newest && binding.models.store["site.power"]?.last?.value != 1)
        var tally = Tally()
        let kind = "clock backwards, duplicate, forward jump"
        tally.count(kind, binding.dataQuality.issues.map(\.field) == ["clock"] && binding.dataQuality.issues[0].problem == "went backwards"
            && binding.dataQuality.rejected == 6 && binding.models.now == newest && binding.models.store["site.power"]?.last?.value != 1)
        // The same tick again: its values replace those recorded at that time, noted but not refused.
        var again = world
        again.site.itPower = 123_456
        binding.record(again)
        #expect(binding.dataQuality.issues.first?.problem == "duplicate time, values replaced" && binding.dataQuality.rejected == 0)
        #expect(binding.models.store["site.power"]?.last == Sample(time: world.now, value: 123_456))
        #expect(binding.models.forecast("site.power", horizon: 600)?.mean == 123_456)
        tally.count(kind, binding.dataQuality.issues.first?.problem == "duplicate time, values replaced" && binding.dataQuality.rejected == 0
            && binding.models.store["site.power"]?.last == Sample(time: world.now, value: 123_456)
            && binding.models.forecast("site.power", horizon: 600)?.mean == 123_456)
        // A jump forward: a gap in the history, noted.
        var later = world
        later.now += 6 * 3600
        binding.record(later)
        #expect(binding.dataQuality.issues.first?.problem == "jumped forward" && binding.dataQuality.rejected == 0)
        let series = try #require(binding.models.store.series("site.power", step: 300))
        #expect(series.values.suffix(60).dropLast().allSatisfy { $0.isNaN })
        let times = try #require(binding.models.store["site.power"]).samples.map(\.time)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 })
        tally.count(kind, binding.dataQuality.issues.first?.problem == "jumped forward" && binding.dataQuality.rejected == 0
            && series.values.suffix(60).dropLast().allSatisfy { $0.isNaN } && zip(times, times.dropFirst()).allSatisfy { $0 < $1 })
        tally.record("bad-data", part: "clock", test: "Tests/WattBindingsTests/BadTelemetryTests.swift")
    }

    /// A forecast needs a value within the last hour: a metric silent for longer has none.
    @Test func staleMetricsHaveNoForecast() {
        let models = TelemetryModels(step: 300)
        for i in 0..<24 { models.record("site.power", 1000 + Double(i), at: Double(i) * 300) }
        #expect(models.forecast("site.power", horizon: 3600) != nil)
        // Twelve ticks without a value: an hour; still within the bound.
        for i in 24..<36 { models.record("site.power", nil, at: Double(i) * 300) }
        #expect(models.forecast("site.power", horizon: 3600)?.mean == 1023)
        models.record("site.power", nil, at: 36 * 300)
        #expect(models.forecast("site.power", horizon: 3600) == nil)
        #expect(models.history("site.power", window: 3000) == nil)
        let stale = models.forecast("site.power", horizon: 3600) == nil && models.history("site.power", window: 3000) == nil
        // A value again: forecasts resume.
        models.record("site.power", 1100, at: 37 * 300)
        #expect(models.forecast("site.power", horizon: 3600)?.mean == 1100)
        var tally = Tally()
        tally.count("stale metric", stale && models.forecast("site.power", horizon: 3600)?.mean == 1100)
        tally.record("bad-data", part: "stale", test: "Tests/WattBindingsTests/BadTelemetryTests.swift")
    }

    /// A clock that jumps years ahead does not make forecasts resample years of empty grid.
    @Test func aHugeForwardJumpIsBounded() throws {
        let models = TelemetryModels(step: 300)
        for i in 0..<24 { models.record("site.power", 1000, at: Double(i) * 300) }
        let far = 20 * 365 * 86_400.0
        models.record("site.power", 2000, at: far)
        models.record("site.power", 2000, at: far + 300)
        let series = try #require(models.recentSeries("site.power"))
        #expect(Double(series.count) <= models.maxSpan / 300 + 1)
        #expect(models.forecast("site.power", horizon: 3600)?.mean == 2000)
        var tally = Tally()
        tally.count("20-year clock jump", Double(series.count) <= models.maxSpan / 300 + 1 && models.forecast("site.power", horizon: 3600)?.mean == 2000)
        tally.record("bad-data", part: "huge-jump", test: "Tests/WattBindingsTests/BadTelemetryTests.swift")
    }
}
