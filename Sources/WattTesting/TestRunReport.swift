import Foundation
import WattLanguage

/// The results of `watt test`: every case, and the coverage of the policies.
public struct TestRunReport: Sendable {
    public var cases: [TestCaseResult] = []
    public var coverage = TestCoverage()
    /// The policies' warnings (such as rules that can fight, W0501), rendered, one entry per
    /// file of tests whose policies have any.
    public var warnings: [String] = []

    public init() {}

    public func count(_ status: TestCaseResult.Status) -> Int { cases.filter { $0.status == status }.count }
    public var succeeded: Bool { count(.fail) == 0 && count(.error) == 0 }

    /// `N passed, N failed` (and errors, skipped when there are any).
    public var summaryLine: String {
        var parts = ["\(count(.pass)) passed", "\(count(.fail)) failed"]
        if count(.error) > 0 { parts.append("\(count(.error)) error\(count(.error) == 1 ? "" : "s")") }
        if count(.skip) > 0 { parts.append("\(count(.skip)) skipped") }
        return parts.joined(separator: ", ")
    }

    /// PASS/FAIL/ERROR/SKIP per test, failures under the test, then the summary.
    public func text(verbose: Bool = false) -> String {
        var out = warnings.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined()
        for c in cases {
            out += "\(c.status.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(c.file): \(c.name)"
            out += verbose ? String(format: " (%.3f s)\n", c.seconds) : "\n"
            for f in c.failures { out += f.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n") + "\n" }
        }
        return out + summaryLine + "\n"
    }

    /// Coverage per rule: acted / did not fire, and conditions seen both ways.
    public func coverageText() -> String {
        var out = "coverage:\n"
        for rule in coverage.rules.values.sorted(by: { ($0.file, $0.line) < ($1.file, $1.line) }) {
            let covered = rule.terms.values.filter(\.covered).count
            var line = "  \(rule.covered ? "✓" : "✗") \(rule.file):\(rule.line): rule `\(rule.name)`: "
            line += rule.fired ? "acted" : "never acted"
            line += rule.notFired ? ", did not fire" : ", never seen not firing"
            line += "; conditions \(covered)/\(rule.terms.count) seen true and false"
            out += line + "\n"
            for term in rule.terms.values.sorted(by: { $0.line < $1.line }) where !term.covered {
                out += "      `\(term.text)` seen \(term.seenTrue ? "true" : term.seenFalse ? "false" : "never") only\n"
            }
        }
        let rules = coverage.rules.values.filter(\.covered).count
        out += String(format: "rules: %d/%d covered (%.0f %%); conditions: %.0f %%\n", rules, coverage.rules.count,
                      coverage.ruleShare * 100, coverage.conditionShare * 100)
        return out
    }

    /// The report as JSON (`watt test --format json`), written by `JSONEncoder`.
    public struct JSONReport: Codable, Sendable, Equatable {
        public struct Case: Codable, Sendable, Equatable {
            public var file: String
            public var name: String
            public var status: String
            public var seconds: Double
            public var failures: [String]
        }
        public struct Rule: Codable, Sendable, Equatable {
            public var file: String
            public var rule: String
            public var acted: Bool
            public var notFired: Bool
            public var conditions: Int
            public var conditionsCovered: Int
            enum CodingKeys: String, CodingKey {
                case file, rule, acted, notFired = "not_fired", conditions, conditionsCovered = "conditions_covered"
            }
        }
        public struct Coverage: Codable, Sendable, Equatable {
            public var rules: [Rule]
            public var ruleShare: Double
            public var conditionShare: Double
            enum CodingKeys: String, CodingKey { case rules, ruleShare = "rule_share", conditionShare = "condition_share" }
        }
        public var passed: Int
        public var failed: Int
        public var errors: Int
        public var skipped: Int
        public var tests: [Case]
        public var coverage: Coverage
        public var warnings: [String]
    }

    public var jsonReport: JSONReport {
        func finite(_ v: Double) -> Double { v.isFinite ? v : 0 }
        let rules = coverage.rules.values.sorted { ($0.file, $0.line) < ($1.file, $1.line) }.map { r in
            JSONReport.Rule(file: r.file, rule: r.name, acted: r.fired, notFired: r.notFired, conditions: r.terms.count,
                            conditionsCovered: r.terms.values.filter(\.covered).count)
        }
        return JSONReport(passed: count(.pass), failed: count(.fail), errors: count(.error), skipped: count(.skip),
                          tests: cases.map { .init(file: $0.file, name: $0.name, status: $0.status.rawValue,
                                                   seconds: (finite($0.seconds) * 1000).rounded() / 1000, failures: $0.failures) },
                          coverage: .init(rules: rules, ruleShare: finite(coverage.ruleShare), conditionShare: finite(coverage.conditionShare)),
                          warnings: warnings)
    }

    public func jsonText() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Finite numbers, strings and booleans only: encoding cannot fail.
        return ((try? encoder.encode(jsonReport)).map { String(decoding: $0, as: UTF8.self) } ?? "{}") + "\n"
    }

    static func xml(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // XML 1.0 allows tab, LF, CR and U+0020 and up (not U+FFFE/U+FFFF).
                if scalar.value >= 0x20 || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                    if scalar.value != 0xFFFE && scalar.value != 0xFFFF { out.unicodeScalars.append(scalar) }
                }
            }
        }
        return out
    }

    /// JUnit XML: a `testsuite` per test file, a `testcase` per test (its `classname` the
    /// file), `failure`/`error`/`skipped` children.
    public func junit() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let total = cases.reduce(0) { $0 + $1.seconds }
        out += "<testsuites name=\"watt test\" tests=\"\(cases.count)\" failures=\"\(count(.fail))\" errors=\"\(count(.error))\" skipped=\"\(count(.skip))\" time=\"\(String(format: "%.3f", total))\">\n"
        var files: [String] = []
        for c in cases where !files.contains(c.file) { files.append(c.file) }
        for file in files {
            let mine = cases.filter { $0.file == file }
            let f = mine.filter { $0.status == .fail }.count, e = mine.filter { $0.status == .error }.count
            let s = mine.filter { $0.status == .skip }.count
            out += "  <testsuite name=\"\(Self.xml(file))\" tests=\"\(mine.count)\" failures=\"\(f)\" errors=\"\(e)\" skipped=\"\(s)\" time=\"\(String(format: "%.3f", mine.reduce(0) { $0 + $1.seconds }))\">\n"
            for c in mine {
                out += "    <testcase classname=\"\(Self.xml(file))\" name=\"\(Self.xml(c.name))\" time=\"\(String(format: "%.3f", c.seconds))\""
                let body = c.failures.joined(separator: "\n")
                switch c.status {
                case .pass: out += "/>\n"
                case .fail: out += ">\n      <failure message=\"\(Self.xml(c.failures.first?.split(separator: "\n").first.map(String.init) ?? ""))\">\(Self.xml(body))</failure>\n    </testcase>\n"
                case .error: out += ">\n      <error message=\"\(Self.xml(c.failures.first?.split(separator: "\n").first.map(String.init) ?? ""))\">\(Self.xml(body))</error>\n    </testcase>\n"
                case .skip: out += ">\n      <skipped message=\"\(Self.xml(body))\"/>\n    </testcase>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }
}
