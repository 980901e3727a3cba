import WattControl
import WattLanguage

/// Which rules the tests exercised, and which conditions of each rule were seen true and
/// false. A rule is covered when some test saw it act and some test saw it not fire; a
/// condition (an operand of `and`, `or`, `not` in the rule's `when`) is covered when it
/// was evaluated both true and false.
public struct TestCoverage: Sendable {
    public struct Term: Sendable {
        public var text: String
        public var line: Int
        public var seenTrue = false
        public var seenFalse = false
        public var covered: Bool { seenTrue && seenFalse }
    }

    public struct Rule: Sendable {
        public var file: String
        public var name: String
        public var line: Int
        public var fired = false
        public var notFired = false
        public var terms: [Int: Term] = [:]
        public var covered: Bool { fired && notFired }
    }

    /// By "file|rule".
    public var rules: [String: Rule] = [:]

    public init() {}

    /// Adds the rules of the units (and their conditions), once.
    public mutating func declare(_ units: [SourceUnit]) {
        for unit in units {
            for case .rule(let rule) in unit.declarations {
                let line = unit.source.location(of: rule.headerRange.start).line
                let name = rule.name?.name ?? "line \(line)"
                let key = "\(unit.source.name)|\(name)"
                if rules[key] != nil { continue }
                var entry = Rule(file: unit.source.name, name: name, line: line)
                for leaf in Self.leaves(rule.condition) {
                    entry.terms[leaf.range.start] = Term(text: unit.source.text(leaf.range), line: unit.source.location(of: leaf.range.start).line)
                }
                rules[key] = entry
            }
        }
    }

    /// The operands of `and`, `or` and `not`: what can be seen true or false on its own.
    static func leaves(_ e: Expr) -> [Expr] {
        switch e.kind {
        case .binary(.and, let l, let r), .binary(.or, let l, let r): return leaves(l) + leaves(r)
        case .unary(.not, let inner): return leaves(inner)
        default: return [e]
        }
    }

    mutating func record(_ tick: ControlLoop.TickRecord) {
        for outcome in tick.outcomes {
            let key = "\(outcome.source.name)|\(outcome.rule)"
            guard var entry = rules[key] else { continue }
            switch tick.decisions[outcome.rule] {
            case .act: entry.fired = true
            case .inactive: entry.notFired = true
            default: break
            }
            for term in outcome.explanation {
                guard var t = entry.terms[term.range.start] else { continue }
                if term.result { t.seenTrue = true } else { t.seenFalse = true }
                entry.terms[term.range.start] = t
            }
            rules[key] = entry
        }
    }

    mutating func merge(_ other: TestCoverage) {
        for (key, rule) in other.rules {
            guard var mine = rules[key] else { rules[key] = rule; continue }
            mine.fired = mine.fired || rule.fired
            mine.notFired = mine.notFired || rule.notFired
            for (start, term) in rule.terms {
                var t = mine.terms[start] ?? term
                t.seenTrue = t.seenTrue || term.seenTrue
                t.seenFalse = t.seenFalse || term.seenFalse
                mine.terms[start] = t
            }
            rules[key] = mine
        }
    }

    public var ruleShare: Double {
        rules.isEmpty ? 1 : Double(rules.values.filter(\.covered).count) / Double(rules.count)
    }

    public var conditionShare: Double {
        let terms = rules.values.flatMap(\.terms.values)
        return terms.isEmpty ? 1 : Double(terms.filter(\.covered).count) / Double(terms.count)
    }
}
