extension Parser {
    /// The names that may follow the verb of an expected action.
    static let testTargetKinds: Set<String> = ["node", "nodes", "job", "jobs"]

    /// test = "test" STRING [ "with" IDENT { "," IDENT } "in" test_row { "," test_row } ] "{" { test_step } "}" ;
    /// test_row = "[" expr { "," expr } [ "," ] "]" ;
    mutating func parseTest() throws -> TestDecl {
        let keyword = advance()
        guard check(.string) else {
            errorExpected("the test's name as a string")
            throw Abort()
        }
        let name = advance()
        var parameters: [Identifier] = []
        var rows: [TestRow] = []
        if match(.with) {
            parameters.append(try expectIdentifier("a parameter name"))
            while match(.comma) { parameters.append(try expectIdentifier("a parameter name")) }
            try expect(.in)
            repeat {
                let open = try expect(.leftBracket, "`[` to open a row of values")
                let values = try parseSequence(closing: .rightBracket)
                let close = try expect(.rightBracket, "`]` to close the row")
                let range = open.range.union(close.range)
                if values.count != parameters.count {
                    bag.error(.expectedToken, "this row has \(values.count) value\(values.count == 1 ? "" : "s") for \(parameters.count) parameter\(parameters.count == 1 ? "" : "s")",
                              at: range, help: "give one value per parameter, in order")
                }
                rows.append(TestRow(values: values, range: range))
            } while match(.comma)
        }
        try expect(.leftBrace, "`{` to open the test")
        inTestBlock = true
        defer { inTestBlock = false }
        var steps: [TestStep] = []
        while !check(.rightBrace) && !check(.endOfFile) {
            let start = index
            do {
                steps.append(try parseTestStep())
            } catch {
                depth = 0; chainDepth = 0
                // Skip to the next step or the end of the test.
                if index == start { advance() }
                while !check(.endOfFile) && !check(.rightBrace) && !(check(.identifier) && ["given", "after", "expect"].contains(current.text) && current.newlineBefore) {
                    advance()
                }
            }
        }
        let close = try expect(.rightBrace, "`}` to close the test")
        return TestDecl(name: name.text, nameRange: name.range, parameters: parameters, rows: rows, steps: steps,
                        range: keyword.range.union(close.range))
    }

    /// test_step = "given" given | "after" after | "expect" expectation ;
    mutating func parseTestStep() throws -> TestStep {
        guard check(.identifier), ["given", "after", "expect"].contains(current.text) else {
            bag.error(.expectedToken, "expected a test step (`given`, `after` or `expect`), found \(describe(current))", at: current.range,
                      help: "a test sets things up with `given`, advances time with `after`, and checks with `expect`")
            throw Abort()
        }
        let keyword = advance()
        let kind: TestStep.Kind
        switch keyword.text {
        case "given": kind = try parseGiven()
        case "after": kind = try parseAfter()
        default: kind = try parseExpectation()
        }
        return TestStep(kind: kind, range: keyword.range.union(previous.range))
    }

    /// given = postfix "=" expr { "," expr } [ "every" expr ] ;
    ///
    /// A bare name is a setting of the test (`given tick = 5 min`, `given cluster = "site.yaml"`);
    /// anything else gives a path its values over time (`given grid.carbon_intensity = 300 g/kWh, 200 g/kWh every 1 h`).
    mutating func parseGiven() throws -> TestStep.Kind {
        let target = try parsePostfix()
        try expect(.equal, "`=` and the value")
        var values = [try parseExpression()]
        while match(.comma) { values.append(try parseExpression()) }
        var every: Expr?
        if check(.identifier) && current.text == "every" {
            advance()
            every = try parseExpression()
        }
        if case .name(let name) = target.kind, values.count == 1, every == nil {
            return .setting(name: Identifier(name, target.range), value: values[0])
        }
        return .series(target: target, values: values, every: every)
    }

    /// after = NUMBER ( "tick" | "ticks" ) | expr ;
    mutating func parseAfter() throws -> TestStep.Kind {
        if check(.number), peek().kind == .identifier, ["tick", "ticks"].contains(peek().text) {
            let number = advance()
            let unit = advance()
            return .afterTicks(count: Expr(.number(text: source.text(number.range), value: number.number, unit: nil), number.range.union(unit.range)))
        }
        return .after(duration: try parseExpression())
    }

    /// expectation = "rule" IDENT IDENT | [ "no" ] IDENT [ "node" | "nodes" | "job" | "jobs" ] [ STRING ] { slot } | expr ;
    ///
    /// An action is expected when the name is followed by a target kind, a string or a
    /// preposition (`expect cap node "n1" at 450 W`), or after `no` (`expect no cap`); any
    /// other expectation is a condition (`expect site.power < 1 MW`).
    mutating func parseExpectation() throws -> TestStep.Kind {
        if match(.rule) {
            let rule = try expectIdentifier("a rule name")
            let state = try expectIdentifier("a rule state (`inactive`, `pending`, `firing` or `cooling`)")
            return .expectRule(rule: rule, state: state)
        }
        let negated = check(.identifier) && current.text == "no" && peek().kind == .identifier
        let isAction: Bool
        if negated {
            isAction = true
        } else if check(.identifier) {
            let next = peek()
            switch next.kind {
            case .string: isAction = true
            case .identifier: isAction = Self.testTargetKinds.contains(next.text)
            case .keyword(let k): isAction = Keyword.prepositions.contains(k)
            default: isAction = false
            }
        } else {
            isAction = false
        }
        guard isAction else { return .expectValue(try parseExpression()) }
        if negated { advance() }
        let verb = try expectIdentifier("an action")
        var kind: Identifier?
        if check(.identifier), Self.testTargetKinds.contains(current.text) {
            let token = advance()
            kind = Identifier(token.text, token.range)
        }
        var id: Expr?
        if check(.string) {
            let token = advance()
            id = Expr(.string(token.text), token.range)
        }
        var slots: [Slot] = []
        while case .keyword(let k) = current.kind, Keyword.prepositions.contains(k) {
            slots.append(try parseSlot())
        }
        return .expectAction(negated: negated, verb: verb, kind: kind, id: id, slots: slots)
    }
}
