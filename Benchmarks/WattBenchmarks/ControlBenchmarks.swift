import Foundation
import WattBindings
import WattCluster
import WattControl
import WattEnergy
import WattLanguage

/// The control loop: a tick of every pack in policies/ on synthetic worlds of 2,000 nodes /
/// 20,000 jobs (1x) and ten times that (10x), `for`/`cooldown` bookkeeping over 1,000 rules,
/// and a simulated week of the demo cluster with every pack (what `make run` does).
/// Run from the repository root (it reads policies/ and examples/).
enum ControlBenchmarks {
    static let policyDirectory = "policies"
    static let clusterFile = "examples/clusters/demo.yaml"
    /// 2020-06-01T00:05:00Z: one tick after a day boundary, so forecasts keep the model
    /// chosen at the first tick for the rest of the day (the daily reselection is a
    /// benchmark of its own, in EnergyBenchmarks).
    static let start = 1_590_969_600.0 + 300

    static func packs() -> [SourceFile] {
        do { return try PolicySet(paths: [policyDirectory]).files } catch { fatalError("\(error)") }
    }

    static var all: [Benchmark] {
        var list: [Benchmark] = []
        for (scale, label) in [(1, "1x: 2,000 nodes / 20,000 jobs"), (10, "10x: 20,000 nodes / 200,000 jobs")] {
            let budget = scale == 1 ? 1.0 : 3.0
            // A tick at 1x should allocate per action, not per job or node (issue 9): a few
            // thousand allocations at most.
            let allocations: Double? = scale == 1 ? 2000 : nil
            list.append(Benchmark(name: "tick \(label), packs, evaluate, tables", allocationLimit: allocations, budget: budget) {
                let fixture = PackFixture(scale: scale)
                let inputs = fixture.inputs.tabulated()
                return { blackHole(fixture.program.evaluate(inputs, now: fixture.world.now).outcomes.count) }
            })
            list.append(Benchmark(name: "tick \(label), packs, evaluate, lists", budget: budget) {
                let fixture = PackFixture(scale: scale)
                let inputs = boxed(fixture.inputs)
                return { blackHole(fixture.program.evaluate(inputs, now: fixture.world.now).outcomes.count) }
            })
            list.append(Benchmark(name: "tick \(label), packs, world to inputs", budget: budget) {
                let fixture = PackFixture(scale: scale)
                return { blackHole(fixture.binding.inputs(for: fixture.world, recording: false).values.count) }
            })
            list.append(Benchmark(name: "tick \(label), packs, full control tick", allocationLimit: allocations, budget: budget) {
                let fixture = PackFixture(scale: scale)
                let scheduler = FixedScheduler(world: fixture.world)
                let loop = ControlLoop(program: fixture.program, binding: fixture.binding, scheduler: scheduler)
                return { blackHole(try! loop.tick().results.count) }
            })
        }
        list += [
            // Each call runs one cycle of the swing (12 ticks), so every call does the same
            // work; the figures are per tick.
            Benchmark(name: "rules: 1,000 rules with for/cooldown, evaluate", units: SwingScheduler.cycle) {
                let fixture = TimedRules()
                var tick = 0
                return {
                    for _ in 0..<SwingScheduler.cycle {
                        tick += 1
                        let world = fixture.scheduler.world(tick: tick)
                        blackHole(fixture.program.evaluate(fixture.binding.inputs(for: world, recording: false), now: world.now).outcomes.count)
                    }
                }
            },
            Benchmark(name: "rules: 1,000 rules with for/cooldown, control tick", units: SwingScheduler.cycle) {
                let fixture = TimedRules()
                let loop = ControlLoop(program: fixture.program, binding: fixture.binding, scheduler: fixture.scheduler)
                return { for _ in 0..<SwingScheduler.cycle { blackHole(try! loop.tick().decisions.count) } }
            },
            Benchmark(name: "rules: 1,000 rule timers, update only") {
                // The bookkeeping alone, as the control loop does it: a timer per rule name.
                let names = (0..<1000).map { "rule_\($0)" }
                var timers: [String: RuleTimer] = [:]
                var decisions: [String: RuleTimer.Decision] = [:]
                var now = start
                return {
                    now += 300
                    let phase = Int(now / 300) % 7
                    for (i, name) in names.enumerated() {
                        decisions[name] = timers[name, default: RuleTimer()].update(
                            holds: (i + phase) % 3 != 0, now: now, holdFor: i % 4 == 0 ? nil : Double(i % 4) * 300,
                            cooldown: i % 3 == 0 ? nil : Double(i % 3) * 600)
                    }
                    blackHole(decisions.count)
                }
            },
            Benchmark(name: "week: demo cluster, all packs, with baseline (watt run)", target: 5, budget: 0) {
                let files = packs()
                var settings = RunSettings()
                settings.cluster = clusterFile
                settings.days = 7
                return { blackHole(try! PolicyRun.run(settings, policies: files, watch: nil, journal: nil).policies.applied) }
            },
            Benchmark(name: "week: demo cluster, all packs, no baseline", target: 5, budget: 0) {
                let files = packs()
                return { blackHole(Week.policiesOnly(files)) }
            },
            Benchmark(name: "week: demo cluster, baseline only (no policies)", budget: 0) {
                let cluster = try! ClusterDefinition.load(path: clusterFile)
                let jobs = try! cluster.loadTrace()
                return {
                    let baseline = try! Simulator(cluster: cluster, jobs: jobs)
                    baseline.placesArrivalsImmediately = false
                    baseline.run(until: cluster.start + 7 * 86_400)
                    blackHole(baseline.itEnergy)
                }
            },
        ]
        return list
    }
}

/// The same inputs with every table (`Value.rows`) as a boxed list of records.
func boxed(_ inputs: Inputs) -> Inputs {
    var copy = inputs
    for (slot, value) in inputs.values.enumerated() {
        if case .rows(let rows) = value { copy.set(slot: slot, .list(rows.records)) }
    }
    return copy
}

/// A week of the demo cluster under every pack, as `PolicyRun.run` does it, without the
/// baseline run and the report.
enum Week {
    static func policiesOnly(_ files: [SourceFile]) -> Int {
        let cluster = try! ClusterDefinition.load(path: ControlBenchmarks.clusterFile)
        let simulator = try! Simulator(cluster: cluster, jobs: try! cluster.loadTrace())
        simulator.placesArrivalsImmediately = false
        let binding = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick)
        let program = Compilation.compile(files, vocabulary: binding.vocabulary).program!
        Session.recordGridHistory(binding, cluster: cluster, before: cluster.start, days: 7)
        let loop = ControlLoop(program: program, binding: binding, scheduler: simulator,
                               guardrails: Guardrails(cluster.guardrails))
        var applied = 0
        let end = cluster.start + 7 * 86_400
        while simulator.now < end {
            applied += try! loop.tick().applied
            simulator.step()
        }
        return applied
    }
}

/// A synthetic world like the demo cluster's, at any size: three pools (40 % default, 20 %
/// efficient at 450 W, 40 % batch) of 8-GPU nodes, most on, a few hot, a few capped; jobs
/// 40 % running, 50 % queued, the rest deferred, held or done; half flexible.
enum SyntheticWorld {
    static func make(nodes nodeCount: Int, jobs jobCount: Int, now: Double, seed: UInt64 = 42) -> World {
        var rng = seed
        func random() -> Double {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Double(rng >> 11) / Double(1 << 53)
        }
        func poolOf(_ i: Int) -> (String, String) {
            let f = Double(i) / Double(nodeCount)
            return f < 0.4 ? ("default", "dgx-h100-like") : f < 0.6 ? ("efficient", "hgx-h200-like") : ("batch", "dgx-h100-like")
        }
        var nodes: [World.Node] = []
        nodes.reserveCapacity(nodeCount)
        for i in 0..<nodeCount {
            let (pool, profile) = poolOf(i)
            let r = random()
            let state: NodeState = r < 0.85 ? .on : r < 0.95 ? .idle : .suspended
            let power: Double? = random() < 0.01 ? nil : state == .on ? 3000 + 7000 * random() : state == .idle ? 1500 : 50
            let c = random()
            let cap: Double? = pool == "efficient" ? 450 : c < 0.02 ? 400 : c < 0.03 ? 300 : nil
            let temperature = state == .on ? 45 + 31 * random() + (random() < 0.01 ? 10 : 0) : 30 + 5 * random()
            let free = state == .on ? Int(random() * 5) : state == .idle ? 8 : 0
            nodes.append(World.Node(id: pool + String(format: "-%05d", i), pool: pool, profile: profile, state: state,
                                    power: power, powerCap: cap, utilization: state == .on ? random() : 0,
                                    temperature: temperature, jobs: [], gpus: 8, gpusFree: free, cpus: 112, cpusFree: 112 - 14 * (8 - free)))
        }
        let running = nodes.indices.filter { nodes[$0].state == .on }
        var jobs: [World.Job] = []
        jobs.reserveCapacity(jobCount)
        for i in 0..<jobCount {
            let r = random()
            let state: JobState = r < 0.4 ? .running : r < 0.9 ? .queued : r < 0.95 ? .deferred : r < 0.96 ? .held : .done
            let id = String(format: "j%07d", i)
            var node: String?
            var pool = poolOf(Int(random() * Double(nodeCount))).0
            if state == .running, !running.isEmpty {
                let n = running[i % running.count]
                node = nodes[n].id
                pool = nodes[n].pool
                nodes[n].jobs.append(id)
            }
            let gpus = random() < 0.1 ? 0 : 1 + Int(random() * 8)
            let remaining = 600 + 86_400 * random()
            jobs.append(World.Job(id: id, user: "u\(Int(random() * 50))", pool: pool, node: node, state: state, gpus: gpus,
                                  cpus: 4 + gpus * 12, priority: Int(random() * 10), flexible: random() < 0.5,
                                  preemptible: random() < 0.4, submitted: now - 86_400 * random(),
                                  started: state == .running ? now - 3600 * random() : nil,
                                  finished: state == .done ? now - 600 : nil,
                                  deadline: random() < 0.3 ? now + 3600 * (1 + 71 * random()) : nil,
                                  remainingTime: state == .done ? 0 : remaining,
                                  remainingEnergy: state == .done ? 0 : remaining * Double(max(1, gpus)) * 600))
        }
        let it = nodes.reduce(0) { $0 + ($1.power ?? 0) }
        let pools = ["default", "efficient", "batch"].map { name in
            let members = nodes.filter { $0.pool == name }
            return World.Pool(name: name, nodeProfile: members.first?.profile ?? "dgx-h100-like", nodeCount: members.count,
                              power: members.reduce(0) { $0 + ($1.power ?? 0) }, gpus: members.count * 8,
                              gpusFree: members.reduce(0) { $0 + $1.gpusFree })
        }
        // Facility power at 70 % of the cap: under the peak pack's demand target, so the
        // tick proposes a few actions (hot nodes, the grid), not thousands.
        return World(now: now, site: World.Site(itPower: it, facilityPower: it * 1.2, powerCap: it * 1.2 / 0.7, pue: 1.2,
                                               outdoorTemperature: 21, itEnergy: it * 86_400, itEnergyToday: it * 300),
                     grid: carbonGrid(at: now), pools: pools, nodes: nodes, jobs: jobs)
    }

    /// A grid whose carbon intensity follows the day (dirtier in the evening) and whose price
    /// follows the demo tariff.
    static func carbonGrid(at t: Double) -> World.Grid {
        let hour = (t.truncatingRemainder(dividingBy: 86_400)) / 3600
        let grams = 350 + 120 * sin(2 * .pi * (hour - 12) / 24)
        let euros = hour >= 7 && hour < 20 ? 0.26 : 0.14
        return World.Grid(carbonIntensity: SI.gramsPerKWh(grams), price: euros / 3.6e6, region: "DE", currency: "EUR")
    }
}

/// Every pack compiled against the energy binding of a synthetic world, with eight days of
/// telemetry recorded before it (so forecasts and `history(...)` have data), and the
/// world's inputs as the binding builds them.
struct PackFixture {
    let world: World
    let binding: EnergyBinding
    let program: Program
    let inputs: Inputs

    init(scale: Int) {
        world = SyntheticWorld.make(nodes: 2000 * scale, jobs: 20_000 * scale, now: ControlBenchmarks.start)
        binding = EnergyBinding(world: world, tick: 300)
        let compiled = Compilation.compile(ControlBenchmarks.packs(), vocabulary: binding.vocabulary)
        guard let program = compiled.program else { fatalError(DiagnosticRenderer.text(compiled.diagnostics)) }
        self.program = program
        Self.recordHistory(binding, before: world)
        inputs = binding.inputs(for: world)
    }

    /// Eight days of site and grid telemetry before the world's instant, one sample a tick.
    static func recordHistory(_ binding: EnergyBinding, before world: World, days: Double = 8) {
        var t = world.now - days * 86_400
        while t < world.now - 1 {
            let daily = sin(2 * .pi * t / 86_400)
            var site = world.site
            site.itPower *= 1 + 0.1 * daily
            site.facilityPower = site.itPower * site.pue
            binding.models.record("site.power", site.itPower, at: t)
            binding.models.record("site.facility_power", site.facilityPower, at: t)
            binding.models.record("site.pue", site.pue, at: t)
            binding.models.record("site.outdoor_temperature", 15 + 5 * daily, at: t)
            binding.recordGrid(SyntheticWorld.carbonGrid(at: t), at: t)
            t += 300
        }
    }
}

/// A scheduler that serves one world, a tick (300 s) later at each snapshot with the grid
/// moving on, and applies every action (changing nothing).
final class FixedScheduler: Scheduler {
    private var world: World
    init(world: World) { self.world = world }

    func snapshot() throws -> World {
        world.now += 300
        world.grid = SyntheticWorld.carbonGrid(at: world.now)
        return world
    }

    func apply(_ actions: [WattCluster.Action]) -> [ActionResult] {
        actions.flatMap { action in
            action.targets.isEmpty ? [ActionResult(action: action, target: nil, status: .applied, detail: "")]
                : action.targets.map { ActionResult(action: action, target: $0, status: .applied, detail: "") }
        }
    }
}

/// 1,000 rules with `for` and `cooldown` on a small world whose site power swings from
/// tick to tick, so rules go pending, fire, cool down and reset: the rule bookkeeping is
/// most of the tick.
struct TimedRules {
    let binding: EnergyBinding
    let program: Program
    let scheduler: SwingScheduler

    init() {
        let world = SyntheticWorld.make(nodes: 8, jobs: 20, now: ControlBenchmarks.start)
        binding = EnergyBinding(world: world, tick: 300)
        var text = ""
        for i in 0..<1000 {
            text += "rule timed_\(i) priority \(i % 50) {\n"
            text += "  when site.facility_power > \(100 + (i % 80) * 10) kW\(i % 4 == 0 ? "" : " for \((i % 4) * 5) min")\n"
            text += "  then alert \"timed_\(i)\" with severity \"info\"\n"
            text += i % 3 == 0 ? "}\n" : "  cooldown \((i % 3) * 10) min\n}\n"
        }
        let compiled = Compilation.compile([SourceFile(name: "timed.watt", text: text)], vocabulary: binding.vocabulary)
        guard let program = compiled.program else { fatalError(DiagnosticRenderer.text(compiled.diagnostics)) }
        self.program = program
        scheduler = SwingScheduler(world: world)
    }
}

/// Serves a small world whose facility power swings between 100 kW and 900 kW and back
/// every `cycle` ticks (an hour): the rules' conditions, hence their timers, repeat with it.
final class SwingScheduler: Scheduler {
    static let cycle = 12
    private let base: World
    private var tick = 0
    init(world: World) { base = world }

    func world(tick: Int) -> World {
        var w = base
        w.now = base.now + Double(tick) * 300
        w.site.facilityPower = 500_000 + 400_000 * sin(2 * .pi * Double(tick % Self.cycle) / Double(Self.cycle))
        w.site.itPower = w.site.facilityPower / 1.2
        return w
    }

    func snapshot() throws -> World {
        tick += 1
        return world(tick: tick)
    }

    func apply(_ actions: [WattCluster.Action]) -> [ActionResult] {
        actions.map { ActionResult(action: $0, target: nil, status: .applied, detail: "") }
    }
}
