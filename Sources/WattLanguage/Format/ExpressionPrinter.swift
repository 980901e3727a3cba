/// Prints expressions canonically with the fewest parentheses the precedence table allows;
/// parsing the output gives the same tree (tested over the corpus and random programs).
public enum ExpressionPrinter {
    /// Precedence levels, loosest first (see the table in grammar/watt.ebnf).
    enum Level: Int, Comparable {
        case expression = 0, filter, or, and, not, comparison, coalesce, additive, multiplicative, unary, postfix, primary
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var next: Level { Level(rawValue: rawValue + 1) ?? .primary }
    }

    static func level(_ e: Expr) -> Level {
        switch e.kind {
        case .conditional, .top: return .expression
        case .filter: return .filter
        case .binary(let op, _, _):
            switch op {
            case .or: return .or
            case .and: return .and
            case .coalesce: return .coalesce
            case .add, .subtract: return .additive
            case .multiply, .divide: return .multiplicative
            default: return .comparison
            }
        case .unary(.not, _): return .not
        case .unary(.negate, _): return .unary
        case .member: return .postfix
        default: return .primary
        }
    }

    public static func print(_ e: Expr) -> String { print(e, at: .expression) }

    static func print(_ e: Expr, at minimum: Level) -> String {
        let text = bare(e)
        return level(e) < minimum ? "(" + text + ")" : text
    }

    private static func bare(_ e: Expr) -> String {
        switch e.kind {
        case .number(let text, _, let unit): return unit.map { "\(text) \($0)" } ?? text
        case .string(let s): return quote(s)
        case .bool(let b): return b ? "true" : "false"
        case .name(let n): return n
        case .list(let items): return "[" + items.map { print($0) }.joined(separator: ", ") + "]"
        case .unary(.not, let operand): return "not " + print(operand, at: .not)
        case .unary(.negate, let operand):
            let inner = print(operand, at: .unary)
            // `- -x`, not `-(-x)`: parentheses would nest the printed text deeper than the
            // tree, and a formatted program at the nesting limit would no longer parse.
            return inner.hasPrefix("-") ? "- " + inner : "-" + inner
        case .binary(let op, let l, let r):
            let lvl = level(e)
            if op.isComparison {
                return print(l, at: lvl.next) + " \(op.rawValue) " + print(r, at: lvl.next)
            }
            return print(l, at: lvl) + " \(op.rawValue) " + print(r, at: lvl.next)
        case .member(let base, let field):
            // A negative reading is one literal (`-75 degC`); unparenthesized before a `.` it
            // would read back as `-(75 degC.field)`.
            if case .number(let text, _, _) = base.kind, text.hasPrefix("-") { return "(" + bare(base) + ")." + field.name }
            return print(base, at: .postfix) + "." + field.name
        case .call(let f, let args): return f.name + "(" + args.map { print($0) }.joined(separator: ", ") + ")"
        case .conditional(let c, let a, let b): return "if \(print(c)) then \(print(a)) else \(print(b))"
        case .filter(let c, let p): return print(c, at: .filter) + " where " + print(p, at: .or)
        case .top(let n, let c, let k, let order):
            return "top \(print(n, at: .unary)) of \(print(c, at: .filter)) by \(print(k, at: .coalesce))"
                + (order.map { " " + $0.rawValue } ?? "")
        case .error: return "<error>"
        }
    }

    /// A string literal with the escapes the lexer reads.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    public static func print(_ action: Action) -> String {
        var parts = [action.verb.name]
        if let t = action.target {
            // A target is `top ...` or a `where`-level expression (not a bare `if`).
            if case .top = t.kind { parts.append(print(t)) } else { parts.append(print(t, at: .filter)) }
        }
        for slot in action.slots {
            var s = slot.preposition.rawValue
            if let q = slot.qualifier { s += " " + q.name }
            parts.append(s + " " + print(slot.value))
        }
        return parts.joined(separator: " ")
    }
}
