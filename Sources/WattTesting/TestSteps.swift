import Foundation
import WattBindings
import WattEnergy
import WattCluster
import WattControl
import WattLanguage

/// The state of a running test between steps: the setup, the ticks run by the last `after`,
/// and each rule's last decision.
struct StepContext {
    var setup: TestCaseRun.Setup
    let expressions: TestExpressions
    let rules: [String]
    /// The ticks run by the last `after` (what `expect` actions look at).
    var window: [ControlLoop.TickRecord] = []
    var lastDecisions: [String: RuleTimer.Decision] = [:]
    var ticksRun = 0

    init(setup: TestCaseRun.Setup, expressions: TestExpressions, rules: [String]) {
        self.setup = setup
        self.expressions = expressions
        self.rules = rules
    }

    var now: Double { setup.simulator.snapshot().now }

    /// The inputs the policies would see now (overrides applied, nothing recorded).
    func inputsNow() throws(TestFailure) -> (Inputs, Double) {
        do {
            let world = try setup.scheduler.snapshot()
            return (setup.binding.inputs(for: world, recording: false), world.now)
        } catch {
            throw TestFailure(range: SourceRange(0, 0), message: "the cluster has no snapshot: \(error)")
        }
    }

    func evaluate(_ expr: Expr) throws(TestFailure) -> ExpressionResult {
        let (inputs, now) = try inputsNow()
        switch expressions.evaluate(expr, inputs: inputs, now: now) {
        case .success(let r): return r
        case .failure(let f): throw f
        }
    }

    /// Runs one step. A failed expectation is returned; a step that cannot run throws.
    mutating func perform(_ step: TestStep, coverage: inout TestCoverage) throws(TestFailure) -> TestFailure? {
        switch step.kind {
        case .setting(let name, let value):
            try give(target: Expr(.name(name.name), name.range), values: [value], every: nil)
        case .series(let target, let values, let every):
            try give(target: target, values: values, every: every)
        case .afterTicks(let count):
            guard case .number(_, let n, _) = count.kind, n >= 1, n == n.rounded(), n <= 100_000 else {
                throw TestFailure(range: count.range, message: "`after N ticks` needs a whole number from 1")
            }
            try advance(ticks: Int(n), coverage: &coverage)
        case .after(let duration):
            let d = try evaluate(duration)
            guard d.type.unwrapped == .duration, case .number(let seconds) = d.value, seconds > 0 else {
                throw TestFailure(range: duration.range, message: "`after` needs a duration (e.g. `after 30 min`) or a tick count (`after 3 ticks`), found \(d.type.description)")
            }
            // As many ticks as `after N ticks` allows; `after 1e300 h` trapped converting to Int.
            let ticks = (seconds / setup.simulator.tick - 1e-9).rounded(.up)
            guard ticks <= 100_000 else {
                throw TestFailure(range: duration.range, message: "`after` may advance at most 100000 ticks at a time; this is \(ticks.isFinite ? String(format: "%.0f", ticks) : "more") ticks")
            }
            try advance(ticks: max(1, Int(ticks)), coverage: &coverage)
        case .expectRule(let rule, let state):
            return try expectRule(rule, state)
        case .expectAction(let negated, let verb, let kind, let id, let slots):
            return try expectAction(negated: negated, verb: verb, kind: kind, id: id, slots: slots, range: step.range)
        case .expectValue(let expr):
            return try expectValue(expr)
        }
        return nil
    }

    // MARK: given

    mutating func give(target: Expr, values: [Expr], every: Expr?) throws(TestFailure) {
        var step = setup.simulator.tick
        if let every {
            let e = try evaluate(every)
            guard e.type.unwrapped == .duration, case .number(let s) = e.value, s > 0 else {
                throw TestFailure(range: every.range, message: "`every` needs a duration, e.g. `every 5 min`")
            }
            step = s
        }
        let evaluated = try values.map { expr throws(TestFailure) in try evaluate(expr) }
        if case .call(let f, let args) = target.kind, f.name == "forecast" {
            try pinForecast(target, args: args, values: evaluated, exprs: values, every: step)
            return
        }
        let declarations = setup.binding.declarations
        guard let (field, id) = WorldOverride.field(target, declarations) else {
            throw TestFailure(range: target.range, message: "cannot set `\(expressions.file.text(target.range))`: a test can set \(WorldOverride.supported(declarations))")
        }
        // The value must have the type the policies read at that path.
        if let id {
            let ids = field.ids(setup.simulator.snapshot())
            if !ids.contains(id) {
                let hint = Suggestions.closest(to: id, in: ids).map { "; did you mean `\($0)`?" } ?? ""
                throw TestFailure(range: target.range, message: "no \(field.record) `\(id)` in the cluster\(hint)")
            }
        }
        let expected = expectedType(field)
        var adapted: [ExpressionResult] = []
        for (value, expr) in zip(evaluated, values) {
            guard let reading = value.asReading(where: expected) else {
                throw TestFailure(range: expr.range, message: "`\(expressions.file.text(expr.range))` is below absolute zero")
            }
            guard Self.fits(reading.type, expected) else {
                throw TestFailure(range: expr.range, message: "`\(expressions.file.text(target.range))` is \(expected.description) but this is \(value.type.description)")
            }
            adapted.append(reading)
        }
        setup.scheduler.overrides.append(WorldOverride(field: field, id: id, from: now, every: step, values: adapted.map(\.value)))
    }

    /// The type policies read the field as (from the vocabulary the test compiled against).
    func expectedType(_ field: SettableField) -> WattType {
        let v = setup.binding.vocabulary
        let schema = field.keyed ? v.schemas[field.record] : v.names[field.record].flatMap { v.schema(of: $0.type) }
        return schema.flatMap { s in s.fieldIndex(field.field).map { s.fields[$0].type.unwrapped } } ?? .number
    }

    static func fits(_ actual: WattType, _ expected: WattType) -> Bool { actual.unwrapped == expected.unwrapped }

    /// `given forecast(path, horizon) = v` pins the forecast flat at `v`; several values
    /// `every` a step are the forecast path from now (mean at the horizon, min/max/argmin/
    /// argmax/avg over the window).
    mutating func pinForecast(_ target: Expr, args: [Expr], values: [ExpressionResult], exprs: [Expr], every: Double) throws(TestFailure) {
        guard args.count == 2, let path = Self.path(args[0]) else {
            throw TestFailure(range: target.range, message: "write `forecast(PATH, HORIZON)`, e.g. `forecast(site.power, 1 h)`")
        }
        let horizon = try evaluate(args[1])
        guard horizon.type.unwrapped == .duration, case .number(let h) = horizon.value, h > 0 else {
            throw TestFailure(range: args[1].range, message: "the horizon must be a duration, e.g. `1 h`")
        }
        let reads = try evaluate(args[0])
        var numbers: [Double] = []
        for (given, expr) in zip(values, exprs) {
            let value = given.asReading(where: reads.type) ?? given
            guard case .number(let n) = value.value, Self.fits(value.type, reads.type.unwrapped) else {
                throw TestFailure(range: expr.range, message: "the forecast of `\(path)` is \(reads.type.unwrapped.description) but this is \(value.type.description)")
            }
            numbers.append(n)
        }
        let t0 = now
        let inWindow = numbers.indices.filter { Double($0) * every <= h + 1e-9 }
        let window = inWindow.isEmpty ? [0] : inWindow
        let atHorizon = numbers[min(numbers.count - 1, Int((h / every + 1e-9).rounded(.down)))]
        let lo = window.min { numbers[$0] < numbers[$1] }!, hi = window.max { numbers[$0] < numbers[$1] }!
        // A pinned path is exact: argmin (argmax) exists when the path goes below (above) its
        // first value, as for a learnt forecast that is informative.
        let saving = numbers[0] - numbers[lo]
        let summary = TelemetryModels.Summary(
            mean: atHorizon, low: atHorizon, high: atHorizon, min: numbers[lo], max: numbers[hi],
            argmin: saving > 0 ? t0 + Double(lo) * every : nil, argmax: numbers[hi] > numbers[0] ? t0 + Double(hi) * every : nil,
            average: window.map { numbers[$0] }.reduce(0, +) / Double(window.count), model: "pinned by the test",
            saving: saving, savingLow: saving)
        setup.binding.models.pinned["\(path)|\(h)"] = summary
        setup.binding.models.pinnedPaths[path] = .init(start: t0, every: every, values: numbers)
    }

    /// `site.power` → "site.power" (the telemetry path a forecast reads).
    static func path(_ expr: Expr) -> String? {
        switch expr.kind {
        case .name(let n): return n
        case .member(let base, let field): return path(base).map { $0 + "." + field.name }
        default: return nil
        }
    }

    // MARK: after

    mutating func advance(ticks: Int, coverage: inout TestCoverage) throws(TestFailure) {
        window = []
        for _ in 0..<ticks {
            let record: ControlLoop.TickRecord
            do { record = try setup.loop.tick() } catch {
                throw TestFailure(range: SourceRange(0, 0), message: "the tick failed: \(error)")
            }
            window.append(record)
            lastDecisions = record.decisions
            coverage.record(record)
            setup.simulator.step()
            ticksRun += 1
        }
    }

    // MARK: expect

    func noTickYet(_ range: SourceRange) -> TestFailure {
        TestFailure(range: range, message: "nothing has run yet: advance time first (`after 1 tick`)")
    }

    func expectRule(_ rule: Identifier, _ state: Identifier) throws(TestFailure) -> TestFailure? {
        guard rules.contains(rule.name) else {
            let hint = Suggestions.closest(to: rule.name, in: rules).map { "; did you mean `\($0)`?" } ?? ""
            throw TestFailure(range: rule.range, message: "no rule `\(rule.name)` in the policies\(hint)")
        }
        var expected = state.name
        let states = RuleTimer.stateNames
        if !states.contains(expected) {
            guard case .string(let s) = try evaluate(Expr(.name(state.name), state.range)).value, states.contains(s) else {
                throw TestFailure(range: state.range, message: "a rule state is `inactive`, `pending`, `firing` or `cooling` (or a parameter holding one)")
            }
            expected = s
        }
        guard ticksRun > 0 else { throw noTickYet(rule.range) }
        let actual = (lastDecisions[rule.name] ?? .inactive).stateName
        let matches = expected == actual || (expected == "firing" && actual == "cooling")
        if matches { return nil }
        return TestFailure(range: rule.range, message: "expected rule `\(rule.name)` \(expected.description), but it is \(actual)\(explain(rule.name))")
    }

    /// The rule's last outcome, for failure messages.
    func explain(_ rule: String) -> String {
        guard let outcome = window.last?.outcomes.first(where: { $0.rule == rule }) else { return "" }
        let why = outcome.explanation.map(\.rendered).joined(separator: "; ")
        return why.isEmpty ? "" : "\n    because \(why)"
    }

    func expectValue(_ expr: Expr) throws(TestFailure) -> TestFailure? {
        let result = try evaluate(expr)
        guard case .bool(let holds) = result.value else {
            throw TestFailure(range: expr.range, message: "`expect` needs a condition, but this is \(result.type.description)")
        }
        if holds { return nil }
        var detail = ""
        if case .binary(let op, let left, let right) = expr.kind, op.isComparison,
           let l = try? evaluate(left), let r = try? evaluate(right) {
            detail = ": \(l.formatted) \(op.rawValue) \(r.formatted) is false"
        }
        return TestFailure(range: expr.range, message: "expected `\(expressions.file.text(expr.range))`\(detail) at \(TimeCalendar.format(now))")
    }
}
