import Foundation
import WattBindings
import WattCluster
import WattControl
import WattLanguage
import WattSupport

/// Runs the `test` blocks of `*_test.watt` files: each test builds the simulated cluster it
/// names, gives paths their values over time, advances the control loop tick by tick
/// (rule timers, arbitration, guardrails, actions applied to the simulator) and checks what
/// happened. Deterministic: the simulator is, and nothing reads the wall clock except the
/// per-test timeout.
public struct PolicyTestRunner {
    /// Only tests whose full name matches (`--run`).
    public var filter: NSRegularExpression?
    /// Wall-clock seconds a test may take before it is stopped as an ERROR.
    public var timeout: Double = 120

    public init() {}

    public func run(_ suites: [TestSuiteFile]) -> TestRunReport {
        var report = TestRunReport()
        for suite in suites {
            let parsed = Parser.parse(suite.test)
            let tests = parsed.unit.declarations.compactMap { d -> TestDecl? in if case .test(let t) = d { return t } else { return nil } }
            if parsed.diagnostics.hasErrors {
                report.cases.append(TestCaseResult(file: suite.test.name, name: "(file)", status: .error,
                                                   failures: [DiagnosticRenderer.text(parsed.diagnostics)], seconds: 0))
                continue
            }
            var warned = false
            for test in tests {
                let cases: [(String, TestRow?, Int)] = test.rows.isEmpty ? [(test.name, nil, 0)]
                    : test.rows.enumerated().map { i, row in
                        ("\(test.name) [" + zip(test.parameters, row.values).map { "\($0.name)=\(suite.test.text($1.range))" }.joined(separator: ", ") + "]", row, i + 1)
                    }
                for (name, row, number) in cases {
                    if let filter, filter.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) == nil { continue }
                    let started = Date()
                    var run = TestCaseRun(suite: suite, test: test, row: row, rowNumber: number, timeout: timeout)
                    var result = run.execute()
                    result.name = name
                    result.seconds = Date().timeIntervalSince(started)
                    report.cases.append(result)
                    report.coverage.merge(run.coverage)
                    // The policies' warnings, once per file of tests (every test compiles the same policies).
                    if !warned, !run.warnings.isEmpty {
                        warned = true
                        report.warnings.append(DiagnosticRenderer.text(run.warnings))
                    }
                }
            }
            // Rules of the policies that no test ran still count in the coverage.
            if let units = try? suite.policies.map({ Parser.parse($0).unit }) { report.coverage.declare(units) }
        }
        return report
    }
}

public struct TestCaseResult: Sendable {
    public enum Status: String, Sendable { case pass = "PASS", fail = "FAIL", error = "ERROR", skip = "SKIP" }
    public var file: String
    public var name: String
    public var status: Status
    /// Rendered failures (file:line:col, what was expected, what happened).
    public var failures: [String]
    public var seconds: Double
}

/// One test (one row of a table-driven test) from setup to its last step.
struct TestCaseRun {
    let suite: TestSuiteFile
    let test: TestDecl
    let row: TestRow?
    let rowNumber: Int
    let timeout: Double
    var coverage = TestCoverage()

    private var failures: [String] = []
    /// The policies' warnings (rules that can fight, W0501), as compiled for this test.
    private(set) var warnings: [Diagnostic] = []
    private let deadline: Date

    init(suite: TestSuiteFile, test: TestDecl, row: TestRow?, rowNumber: Int, timeout: Double) {
        self.suite = suite
        self.test = test
        self.row = row
        self.rowNumber = rowNumber
        self.timeout = timeout
        deadline = Date().addingTimeInterval(timeout)
    }

    var file: SourceFile { suite.test }

    func located(_ range: SourceRange, _ message: String) -> String {
        // Rendered diagnostics carry their own location.
        if message.hasPrefix(file.name + ":") { return message.hasSuffix("\n") ? String(message.dropLast()) : message }
        let (line, column) = file.location(of: range.start)
        return "\(file.name):\(line):\(column): \(message)"
    }

    func result(_ status: TestCaseResult.Status, _ failures: [String]) -> TestCaseResult {
        TestCaseResult(file: file.name, name: test.name, status: status, failures: failures, seconds: 0)
    }

    /// The setup: settings, then the cluster, the binding and the compiled policies.
    struct Setup {
        var simulator: Simulator
        var scheduler: TestScheduler
        var binding: EnergyBinding
        var loop: ControlLoop
        var units: [SourceUnit]
    }

    static let settingNames = ["cluster", "trace", "start", "tick", "skip"]

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (suite.directory as NSString).appendingPathComponent(path)
    }

    /// The cluster file: `given cluster = "..."`, else the nearest `fixtures/cluster.yaml` in
    /// the test's directory or above it.
    func defaultCluster() -> String? {
        var dir = suite.directory
        for _ in 0..<4 {
            let candidate = (dir as NSString).appendingPathComponent("fixtures/cluster.yaml")
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir = (dir as NSString).appendingPathComponent("..")
        }
        return nil
    }

    mutating func setup(_ settings: [(Identifier, Expr)], expressions: TestExpressions) throws(TestFailure) -> Setup {
        var values: [String: (Value, SourceRange)] = [:]
        let empty = Inputs(vocabulary: Vocabulary())
        for (name, expr) in settings {
            guard Self.settingNames.contains(name.name) else {
                let hint = Suggestions.closest(to: name.name, in: Self.settingNames).map { "; did you mean `\($0)`?" } ?? ""
                throw TestFailure(range: name.range, message: "unknown setting `\(name.name)`\(hint) (settings: \(Self.settingNames.joined(separator: ", ")); other paths need a value per step: `site.power = ...`)")
            }
            if case .string(let s) = expr.kind { values[name.name] = (.string(s), expr.range); continue }
            switch ExpressionEvaluator.evaluate(expressions.isolated(expr.range), vocabulary: Vocabulary(), inputs: empty, now: 0,
                                                definitions: expressions.definitions) {
            case .success(let r): values[name.name] = (r.value, expr.range)
            case .failure(.diagnostics(let ds)): throw TestFailure(range: expr.range, message: DiagnosticRenderer.text(ds))
            case .failure(.evaluation(let d)): throw TestFailure(range: expr.range, message: DiagnosticRenderer.text([d]))
            }
        }
        func string(_ key: String) throws(TestFailure) -> (String, SourceRange)? {
            guard let (v, range) = values[key] else { return nil }
            guard case .string(let s) = v else { throw TestFailure(range: range, message: "`\(key)` must be a string") }
            return (s, range)
        }
        guard let clusterPath = try string("cluster").map({ resolve($0.0) }) ?? defaultCluster() else {
            throw TestFailure(range: test.nameRange, message: "no cluster: write `given cluster = \"FILE.yaml\"` or put one at fixtures/cluster.yaml")
        }
        // The one session builder, as `watt run` uses it; a test starts cold (no grid
        // history, no warm-up): its world is what the cluster file and the test give.
        var settings = RunSettings()
        settings.cluster = clusterPath
        settings.gridHistoryDays = 0
        if let (start, range) = try string("start") {
            guard let t = InstantText.parse(start) else { throw TestFailure(range: range, message: "`start` must be an ISO 8601 time, e.g. \"2020-06-01T12:00:00Z\"") }
            settings.from = t
        }
        if let (v, range) = values["tick"] {
            guard case .number(let t) = v, RunSettings.tickRange.contains(t) else {
                throw TestFailure(range: range, message: "`tick` must be a duration of 1 s to 1 day, e.g. 5 min")
            }
            settings.tick = t
        }
        if let (trace, _) = try string("trace") { settings.trace = resolve(trace) }
        // The window only bounds the grid series check: a test runs as many steps as it says.
        settings.days = (settings.tick ?? 60) / 86_400
        let session: Session
        do { session = try Session.simulated(settings) } catch {
            let range = error.message.contains("trace") ? values["trace"]?.1 : values["cluster"]?.1
            throw TestFailure(range: range ?? test.nameRange, message: "cannot load the cluster: \(error.message)")
        }
        guard let simulator = session.simulator else { throw TestFailure(range: test.nameRange, message: "no simulated cluster") }
        let scheduler = TestScheduler(simulator: simulator)
        let binding = session.binding
        let compiled = Compilation.compile(suite.policies, vocabulary: binding.vocabulary)
        guard let program = compiled.program, !compiled.hasErrors else {
            throw TestFailure(range: test.nameRange, message: "the policies do not check:\n" + DiagnosticRenderer.text(compiled.diagnostics.filter { $0.severity == .error }))
        }
        warnings = compiled.diagnostics.filter { $0.severity == .warning }
        let loop = session.loop(program, scheduler: scheduler)
        loop.explainAll = true
        return Setup(simulator: simulator, scheduler: scheduler, binding: binding, loop: loop, units: compiled.units)
    }

    mutating func execute() -> TestCaseResult {
        var expressions = TestExpressions(file: file, vocabulary: Vocabulary(), parameters: test.parameters, row: row, rowNumber: rowNumber)
        // Settings come first: everything else needs the cluster.
        var settings: [(Identifier, Expr)] = []
        var firstOther: Int?
        for (i, step) in test.steps.enumerated() {
            if case .setting(let name, let value) = step.kind, Self.settingNames.contains(name.name) || firstOther == nil {
                if let firstOther, i > firstOther {
                    return result(.error, [located(name.range, "settings come before the other steps: move `given \(name.name)` up")])
                }
                settings.append((name, value))
            } else if firstOther == nil {
                firstOther = i
            }
        }
        if let skip = settings.first(where: { $0.0.name == "skip" }) {
            let reason = if case .string(let s) = skip.1.kind { s } else { "skipped" }
            return result(.skip, [reason])
        }
        var s: Setup
        do { s = try setup(settings, expressions: expressions) } catch { return result(.error, [located(error.range, error.message)]) }
        expressions = TestExpressions(file: file, vocabulary: s.binding.vocabulary, parameters: test.parameters, row: row, rowNumber: rowNumber)
        var context = StepContext(setup: s, expressions: expressions, rules: s.loop.program.checked.rules.map(\.name))
        coverage.declare(s.units)
        for step in test.steps.dropFirst(settings.count) {
            if Date() > deadline {
                failures.append(located(step.range, "the test took longer than its timeout of \(Int(timeout)) s"))
                return result(.error, failures)
            }
            do {
                if let failure = try context.perform(step, coverage: &coverage) { failures.append(located(failure.range, failure.message)) }
            } catch {
                failures.append(located(error.range, error.message))
                return result(.error, failures)
            }
        }
        return result(failures.isEmpty ? .pass : .fail, failures)
    }
}
