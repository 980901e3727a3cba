/// A canonical S-expression of the tree without source ranges: what the round-trip
/// tests compare (parse → print → parse must give the same dump) and what `watt parse` prints.
public enum ASTDump {
    public static func dump(_ unit: SourceUnit) -> String {
        unit.declarations.map(dump).joined(separator: "\n")
    }

    public static func dump(_ declaration: Declaration) -> String {
        switch declaration {
        case .binding(let b):
            return "(\(b.isConst ? "const" : "let") \(b.name.name) \(dump(b.value)))"
        case .rule(let r):
            var parts = [r.isOneLine ? "if" : "rule \(r.name?.name ?? "_")"]
            if let p = r.priority { parts.append("(priority \(dump(p)))") }
            parts.append("(when \(dump(r.condition)))")
            if let f = r.holdFor { parts.append("(for \(dump(f)))") }
            if let u = r.clearCondition { parts.append("(until \(dump(u)))") }
            if let f = r.clearFor { parts.append("(until-for \(dump(f)))") }
            parts.append("(then \(r.thenActions.map(dump).joined(separator: " ")))")
            if !r.elseActions.isEmpty { parts.append("(else \(r.elseActions.map(dump).joined(separator: " ")))") }
            if let c = r.cooldown { parts.append("(cooldown \(dump(c)))") }
            if let l = r.limit { parts.append("(limit \(dump(l.count)) per \(l.window.name))") }
            if r.perTarget != nil { parts.append("(per target)") }
            return "(" + parts.joined(separator: " ") + ")"
        case .test(let t):
            var parts = ["test", jsonString(t.name)]
            if !t.parameters.isEmpty {
                parts.append("(with \(t.parameters.map(\.name).joined(separator: " ")) " + t.rows.map { "[" + $0.values.map(dump).joined(separator: " ") + "]" }.joined(separator: " ") + ")")
            }
            parts += t.steps.map(dump)
            return "(" + parts.joined(separator: " ") + ")"
        }
    }

    public static func dump(_ step: TestStep) -> String {
        switch step.kind {
        case .setting(let name, let value): return "(given-setting \(name.name) \(dump(value)))"
        case .series(let target, let values, let every):
            return "(given \(dump(target)) [\(values.map(dump).joined(separator: " "))]" + (every.map { " (every \(dump($0)))" } ?? "") + ")"
        case .afterTicks(let count): return "(after-ticks \(dump(count)))"
        case .after(let duration): return "(after \(dump(duration)))"
        case .expectRule(let rule, let state): return "(expect-rule \(rule.name) \(state.name))"
        case .expectAction(let negated, let verb, let kind, let id, let slots):
            var parts = [negated ? "expect-no" : "expect", verb.name]
            if let kind { parts.append(kind.name) }
            if let id { parts.append(dump(id)) }
            for slot in slots { parts.append("(\(slot.key) \(dump(slot.value)))") }
            return "(" + parts.joined(separator: " ") + ")"
        case .expectValue(let e): return "(expect \(dump(e)))"
        }
    }

    public static func dump(_ action: Action) -> String {
        var parts = ["action", action.verb.name]
        if let t = action.target { parts.append(dump(t)) }
        for slot in action.slots { parts.append("(\(slot.key) \(dump(slot.value)))") }
        return "(" + parts.joined(separator: " ") + ")"
    }

    public static func dump(_ expr: Expr) -> String {
        switch expr.kind {
        case .number(let text, _, let unit): return unit.map { "\(text)[\($0)]" } ?? text
        case .string(let s): return jsonString(s)
        case .bool(let b): return b ? "true" : "false"
        case .name(let n): return n
        case .list(let items): return "[" + items.map(dump).joined(separator: " ") + "]"
        case .unary(let op, let e): return "(\(op.rawValue) \(dump(e)))"
        case .binary(let op, let l, let r): return "(\(op.rawValue) \(dump(l)) \(dump(r)))"
        case .member(let e, let f): return "(. \(dump(e)) \(f.name))"
        case .call(let f, let args): return "(call \(f.name)\(args.map { " " + dump($0) }.joined()))"
        case .conditional(let c, let a, let b): return "(if \(dump(c)) \(dump(a)) \(dump(b)))"
        case .filter(let c, let p): return "(where \(dump(c)) \(dump(p)))"
        case .top(let n, let c, let k, let order):
            return "(top \(dump(n)) \(dump(c)) \(dump(k))\(order.map { " " + $0.rawValue } ?? ""))"
        case .error: return "<error>"
        }
    }
}
