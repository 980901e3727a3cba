/// `watt fmt`: canonical layout that keeps every comment. Comments before a declaration
/// or rule clause stay before it; a comment at the end of a line stays at the end of that
/// line; a comment inside a multi-line expression moves to just after its clause.
/// One blank line separates declarations that were separated by blank lines.
public enum Formatter {
    public static func format(_ unit: SourceUnit) -> String {
        var printer = Printer(unit: unit)
        printer.run()
        return printer.output
    }

    struct Printer {
        let unit: SourceUnit
        var comments: [Comment]
        var next = 0
        var output = ""
        var lastLine = 0

        init(unit: SourceUnit) {
            self.unit = unit
            self.comments = unit.comments.sorted { $0.range.start < $1.range.start }
        }

        func line(of offset: Int) -> Int { unit.source.location(of: offset).line }

        mutating func emit(_ text: String, indent: Int = 0) {
            output += String(repeating: " ", count: indent) + text + "\n"
        }

        /// Comments that start before `offset`, each on its own line.
        mutating func leadingComments(before offset: Int, indent: Int, blankLines: Bool) {
            while next < comments.count, comments[next].range.start < offset {
                let c = comments[next]
                let l = line(of: c.range.start)
                if blankLines, lastLine > 0, l > lastLine + 1 { output += "\n" }
                emit(c.text, indent: indent)
                lastLine = l
                next += 1
            }
        }

        /// A comment on the same original line as `offset`, appended to the printed line.
        mutating func trailingComment(onLineOf offset: Int) {
            guard next < comments.count else { return }
            let c = comments[next]
            if c.trailing, line(of: c.range.start) == line(of: max(0, offset - 1)) {
                output.removeLast()
                output += "  " + c.text + "\n"
                next += 1
            }
        }

        mutating func run() {
            for declaration in unit.declarations {
                let start = declaration.range.start
                leadingComments(before: start, indent: 0, blankLines: true)
                if lastLine > 0, line(of: start) > lastLine + 1 { output += "\n" }
                switch declaration {
                case .binding(let b):
                    emit("\(b.isConst ? "const" : "let") \(b.name.name) = \(ExpressionPrinter.print(b.value))")
                case .rule(let r) where r.isOneLine:
                    emit(oneLine(r))
                case .rule(let r):
                    block(r)
                case .test(let t):
                    test(t)
                }
                trailingComment(onLineOf: declaration.range.end)
                lastLine = line(of: max(0, declaration.range.end - 1))
            }
            leadingComments(before: Int.max, indent: 0, blankLines: true)
        }

        func actions(_ list: [Action]) -> String {
            list.map(ExpressionPrinter.print).joined(separator: "; ")
        }

        func oneLine(_ r: Rule) -> String {
            var s = "if \(ExpressionPrinter.print(r.condition))"
            if let f = r.holdFor { s += " for \(ExpressionPrinter.print(f))" }
            s += " then " + actions(r.thenActions)
            if !r.elseActions.isEmpty { s += " else " + actions(r.elseActions) }
            if let c = r.cooldown { s += " cooldown \(ExpressionPrinter.print(c))" }
            if r.perTarget != nil { s += " per target" }
            return s
        }

        mutating func block(_ r: Rule) {
            var header = "rule \(r.name?.name ?? "_")"
            if let p = r.priority { header += " priority \(ExpressionPrinter.print(p, at: .unary))" }
            emit(header + " {")
            trailingComment(onLineOf: r.headerRange.end)
            var clauses: [(start: Int, end: Int, lines: [String])] = []
            var when = "when \(ExpressionPrinter.print(r.condition))"
            var whenEnd = r.condition.range.end
            if let f = r.holdFor { when += " for \(ExpressionPrinter.print(f))"; whenEnd = f.range.end }
            clauses.append((r.condition.range.start, whenEnd, [when]))
            if let u = r.clearCondition {
                var until = "until \(ExpressionPrinter.print(u))"
                var untilEnd = u.range.end
                if let f = r.clearFor { until += " for \(ExpressionPrinter.print(f))"; untilEnd = f.range.end }
                clauses.append((u.range.start, untilEnd, [until]))
            }
            clauses.append(actionClause("then", r.thenActions))
            if !r.elseActions.isEmpty { clauses.append(actionClause("else", r.elseActions)) }
            if let c = r.cooldown { clauses.append((c.range.start, c.range.end, ["cooldown \(ExpressionPrinter.print(c))"])) }
            if let l = r.limit {
                clauses.append((l.count.range.start, l.window.range.end,
                                ["limit \(ExpressionPrinter.print(l.count, at: .unary)) per \(l.window.name)"]))
            }
            if let p = r.perTarget { clauses.append((p.start, p.end, ["per target"])) }
            clauses.sort { $0.start < $1.start }
            for clause in clauses {
                leadingComments(before: clause.start, indent: 2, blankLines: false)
                for text in clause.lines { emit(text, indent: 2) }
                trailingComment(onLineOf: clause.end)
            }
            leadingComments(before: r.range.end, indent: 2, blankLines: false)
            emit("}")
        }

        /// A test block: one step per line, two spaces in; rows of a table-driven test one per line.
        mutating func test(_ t: TestDecl) {
            var header = "test \(ExpressionPrinter.quote(t.name))"
            if !t.parameters.isEmpty {
                header += " with \(t.parameters.map(\.name).joined(separator: ", ")) in"
                emit(header)
                for (i, row) in t.rows.enumerated() {
                    let values = "[" + row.values.map { ExpressionPrinter.print($0) }.joined(separator: ", ") + "]"
                    emit(values + (i < t.rows.count - 1 ? "," : " {"), indent: 2)
                }
            } else {
                emit(header + " {")
            }
            trailingComment(onLineOf: t.rows.last?.range.end ?? t.nameRange.end)
            for step in t.steps {
                leadingComments(before: step.range.start, indent: 2, blankLines: false)
                emit(Self.print(step), indent: 2)
                trailingComment(onLineOf: step.range.end)
            }
            leadingComments(before: t.range.end, indent: 2, blankLines: false)
            emit("}")
        }

        static func print(_ step: TestStep) -> String {
            switch step.kind {
            case .setting(let name, let value): return "given \(name.name) = \(ExpressionPrinter.print(value))"
            case .series(let target, let values, let every):
                return "given \(ExpressionPrinter.print(target)) = " + values.map { ExpressionPrinter.print($0) }.joined(separator: ", ")
                    + (every.map { " every \(ExpressionPrinter.print($0))" } ?? "")
            case .afterTicks(let count):
                let n = ExpressionPrinter.print(count)
                return "after \(n) \(n == "1" ? "tick" : "ticks")"
            case .after(let duration): return "after \(ExpressionPrinter.print(duration))"
            case .expectRule(let rule, let state): return "expect rule \(rule.name) \(state.name)"
            case .expectAction(let negated, let verb, let kind, let id, let slots):
                let action = Action(verb: verb, target: nil, slots: slots, range: step.range)
                var parts = ["expect"]
                if negated { parts.append("no") }
                parts.append(verb.name)
                if let kind { parts.append(kind.name) }
                if let id { parts.append(ExpressionPrinter.print(id)) }
                let printed = ExpressionPrinter.print(action)
                if printed.count > verb.name.count { parts.append(String(printed.dropFirst(verb.name.count + 1))) }
                return parts.joined(separator: " ")
            case .expectValue(let e): return "expect \(ExpressionPrinter.print(e))"
            }
        }

        func actionClause(_ keyword: String, _ list: [Action]) -> (Int, Int, [String]) {
            let start = list.first?.range.start ?? 0
            let end = list.last?.range.end ?? 0
            if list.count == 1 { return (start, end, ["\(keyword) \(ExpressionPrinter.print(list[0]))"]) }
            var lines = [keyword]
            for (i, action) in list.enumerated() {
                lines.append("  " + ExpressionPrinter.print(action) + (i < list.count - 1 ? ";" : ""))
            }
            return (start, end, lines)
        }
    }
}
