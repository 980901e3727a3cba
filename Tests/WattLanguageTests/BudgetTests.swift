import Foundation
import Testing
@testable import WattLanguage

/// Evaluation is bounded (issue 10): a pathological rule, a cross product of two large
/// collections, is rejected at check time when its static estimate is over the limit
/// (E0601), or stopped at its step budget at run time (E0701) while the other rules of
/// the same program still run and fire. Worlds are large and given both as boxed lists
/// and as tables.
@Suite struct BudgetTests {
    /// The demo world with `jobs` jobs and `nodes` nodes, as tables or boxed lists.
    static func world(jobs: Int, nodes: Int, tables: Bool) -> Inputs {
        let vocabulary = TestWorld.vocabulary
        let jobSchema = vocabulary.schemas["job"]!, nodeSchema = vocabulary.schemas["node"]!
        let pools = ["default", "efficient", "batch"]
        let jobRecords = (0..<jobs).map { i in
            Record(schema: jobSchema, values: [
                "id": .string("j\(i)"), "user": .string("u\(i % 7)"), "pool": .string(pools[i % 3]),
                "state": .string(i % 2 == 0 ? "queued" : "running"), "gpus": .number(Double(i % 9)),
                "priority": .number(Double(i % 10)), "flexible": .bool(i % 2 == 0),
                "energy": .number(Double(i % 50) * 3.6e6), "deadline": .missing,
            ])
        }
        let nodeRecords = (0..<nodes).map { i in
            Record(schema: nodeSchema, values: [
                "id": .string("n\(i)"), "pool": .string(pools[i % 3]), "state": .string("on"),
                "power": .number(Double(1000 + i % 500)), "power_cap": .number(10_200), "utilization": .number(0.5),
                "temperature": .number(60), "gpus": .number(8), "gpus_free": .number(Double(i % 9)),
            ])
        }
        func collection(_ schema: RecordSchema, _ records: [Record]) -> Value {
            guard tables else { return .list(records.map(Value.record)) }
            var builder = TableBuilder(schema: schema, capacity: records.count)
            for r in records { builder.append(r.fields) }
            return .rows(Rows(builder.build()))
        }
        var inputs = TestWorld.inputs()
        try! inputs.set("jobs", collection(jobSchema, jobRecords))
        try! inputs.set("nodes", collection(nodeSchema, nodeRecords))
        return inputs
    }

    /// For every job, the nodes with room for it: jobs × nodes element visits. The inner
    /// condition reads the outer job, so no scan can be hoisted out of the loop.
    static let crossProduct = "count(jobs where count(nodes where gpus_free >= job.gpus) > 0) > 0"

    static let program = """
    rule before { when count(jobs where flexible) > 0 then alert "before" }
    rule pathological { when \(crossProduct) then alert "never" }
    rule after { when count(nodes where gpus_free > 4) > 0 then alert "after" }
    """

    // MARK: Check time

    @Test func tripleCrossProductIsRejectedAtCheckTime() throws {
        let result = TestWorld.compile("""
        rule triple { when count(jobs where count(jobs where count(nodes where gpus_free >= job.gpus) > 0) > 0) > 0 then alert "x" }
        rule fine { when site.pue > 1 then alert "y" }
        """)
        let d = try #require(result.diagnostics.first { $0.code == .costTooHigh })
        #expect(d.message.hasPrefix("rule `triple` may take about "))
        #expect(d.message.hasSuffix(" steps per tick, over the limit of 1000000000"))
        #expect(d.help == "filter collections before combining them, or precompute with `let`")
        #expect(d.underlined == "triple")
        #expect(result.diagnostics.errors.count == 1, "only the pathological rule is an error")
        #expect(result.program == nil)
    }

    /// The estimate multiplies the host's size hints (jobs 10,000, nodes 1,000): the
    /// double loop is about 10^7 steps (accepted), and a host or test may lower the limit.
    @Test func estimateMultipliesNestedIteration() throws {
        let result = TestWorld.compile(Self.program)
        let rules = try #require(result.program?.checked.rules)
        let cost = try #require(rules.first { $0.name == "pathological" }?.estimatedCost)
        #expect(cost >= 10_000 * 1_000 && cost < 100_000_000, "estimate \(cost)")
        #expect(rules.first { $0.name == "before" }!.estimatedCost < 100_000)

        var options = Checker.Options()
        options.maxRuleCost = 1_000_000
        options.warnRuleCost = 200_000
        let strict = Compilation.compile([SourceFile(name: "strict.watt", text: Self.program)], vocabulary: TestWorld.vocabulary,
                                         options: options)
        #expect(strict.diagnostics.errors.map(\.code) == [.costTooHigh])
        #expect(strict.diagnostics.errors.first?.underlined == "pathological")
    }

    @Test func highCostIsAWarning() {
        var options = Checker.Options()
        options.warnRuleCost = 1_000_000
        let result = Compilation.compile([SourceFile(name: "warn.watt", text: Self.program)], vocabulary: TestWorld.vocabulary,
                                         options: options)
        #expect(result.program != nil)
        let warning = result.diagnostics.first { $0.code == .costHigh }
        #expect(warning?.severity == .warning)
        #expect(warning?.help == "nested iteration over large collections is slow; filter first")
    }

    /// A `const` is computed at check time under a budget too: a cross product of two
    /// literal lists of 4,000 numbers (16 million steps) is E0407, not a hang.
    @Test func constCrossProductIsBoundedAtCheckTime() {
        let list = "[" + (0..<4_000).map(String.init).joined(separator: ", ") + "]"
        let result = TestWorld.compile("const c = count(\(list), count(\(list), it > 0) > 0)\nif c > 0 then alert \"x\"\n")
        let d = result.diagnostics.first { $0.code == .constEvaluationFailed }
        #expect(d?.message == "`c` cannot be computed: it takes more than 10000000 steps")
    }

    // MARK: Run time

    /// 10,000 jobs × 2,000 nodes is 2·10^7 element visits, over a budget of 2·10^6 steps:
    /// the rule stops with E0701 and says why; the rules before and after it fire.
    @Test(arguments: [true, false])
    func crossProductStopsAtItsBudgetAndOtherRulesRun(_ tables: Bool) throws {
        let program = try #require(TestWorld.compile(Self.program).program)
        let inputs = Self.world(jobs: 10_000, nodes: 2_000, tables: tables)
        let limits = Program.Limits(stepsPerRule: 2_000_000, stepsPerTick: 50_000_000)
        let evaluation = program.evaluate(inputs, now: TestWorld.now, limits: limits)
        let byName = Dictionary(uniqueKeysWithValues: evaluation.outcomes.map { ($0.rule, $0) })
        let stopped = try #require(byName["pathological"])
        #expect(stopped.status == .failed("step budget of 2000000 exceeded"))
        #expect(stopped.actions.isEmpty)
        #expect(stopped.diagnostic?.code == .budgetExceeded)
        #expect(stopped.diagnostic?.severity == .error)
        #expect(stopped.diagnostic?.message == "rule `pathological` stopped after 2000000 steps, its budget for this tick")
        #expect(stopped.diagnostic?.help == "filter large collections before iterating them, or raise the budget")
        #expect(stopped.steps > 2_000_000 && stopped.steps < 2_100_000, "stopped within one inner scan: \(stopped.steps)")
        for name in ["before", "after"] {
            #expect(byName[name]?.status == .fired, "\(name): \(String(describing: byName[name]?.status))")
            #expect(byName[name]?.actions.count == 1)
        }
        #expect(evaluation.steps < 2_200_000)
    }

    /// With the default budget (10^7 steps a rule) and a larger world, on tables.
    @Test func defaultBudgetStopsTheCrossProduct() throws {
        let program = try #require(TestWorld.compile(Self.program).program)
        let evaluation = program.evaluate(Self.world(jobs: 20_000, nodes: 5_000, tables: true), now: TestWorld.now)
        let statuses = evaluation.outcomes.map { "\($0.rule): \($0.status)" }
        #expect(statuses == ["before: fired", "pathological: failed(\"step budget of 10000000 exceeded\")", "after: fired"])
    }

    /// The budget of a tick is shared: rules run in order, each within what the earlier
    /// ones left, so the last of three equal rules stops when the tick's budget is spent.
    /// (A firing rule's condition is evaluated a second time for its explanation, under
    /// the same budget but with failures ignored: a rule whose first pass fits can go over
    /// its budget by one evaluation of its condition. This test leaves the third rule one
    /// step, so it stops in its first pass.)
    @Test(arguments: [true, false])
    func tickBudgetIsShared(_ tables: Bool) throws {
        let text = (1...3).map { "rule r\($0) { when count(jobs where gpus >= 0) > 0 then alert \"r\($0)\" }" }.joined(separator: "\n")
        let program = try #require(TestWorld.compile(text).program)
        let inputs = Self.world(jobs: 10_000, nodes: 10, tables: tables)
        let steps = program.evaluate(inputs, now: TestWorld.now).outcomes.map(\.steps)
        #expect(steps.allSatisfy { $0 >= 10_000 }, "\(steps)")
        // Room for the first two rules and one step of the third.
        let tick = steps[0] + steps[1] + 1
        let evaluation = program.evaluate(inputs, now: TestWorld.now, limits: .init(stepsPerRule: steps.max()! * 2, stepsPerTick: tick))
        let statuses = evaluation.outcomes.map(\.status)
        #expect(statuses[0] == .fired && statuses[1] == .fired)
        #expect(statuses[2] == .failed("step budget of 1 exceeded"), "steps \(steps), then \(evaluation.outcomes.map(\.steps))")
        #expect(evaluation.outcomes[2].diagnostic?.code == .budgetExceeded)
    }

    /// `watt eval` and `let` values are evaluated under the same budget.
    @Test func expressionsAndLetsHaveABudget() throws {
        let inputs = Self.world(jobs: 10_000, nodes: 2_000, tables: true)
        let limits = Program.Limits(stepsPerRule: 1_000_000)
        let source = SourceFile(name: "<expr>", text: Self.crossProduct)
        guard case .failure(.evaluation(let d)) = ExpressionEvaluator.evaluate(
            source, vocabulary: TestWorld.vocabulary, inputs: inputs, now: TestWorld.now, limits: limits) else {
            Issue.record("the cross product finished within 10^6 steps"); return
        }
        #expect(d.code == .budgetExceeded)
        #expect(d.message == "evaluation stopped after 1000000 steps")

        let program = try #require(TestWorld.compile("let busy = \(Self.crossProduct)\nif busy then alert \"x\"\n").program)
        let value = try #require(program.evaluateDefinitions(inputs, now: TestWorld.now, limits: limits).first)
        guard case .failure(.budgetExceeded(let limit)) = value.result else {
            Issue.record("the let finished: \(value.result)"); return
        }
        #expect(limit == 1_000_000)
        let outcome = program.evaluate(inputs, now: TestWorld.now, limits: limits).outcomes[0]
        #expect(outcome.diagnostic?.code == .budgetExceeded)
    }
}
