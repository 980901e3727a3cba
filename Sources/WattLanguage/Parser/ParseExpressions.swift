extension Parser {
    /// expr = conditional | top | filter ;
    mutating func parseExpression() throws -> Expr {
        try enterNesting()
        defer { leaveNesting() }
        switch current.kind {
        case .keyword(.if): return try parseConditional()
        case .keyword(.top): return try parseTop()
        default: return try parseFilter()
        }
    }

    /// conditional = "if" expr "then" expr "else" expr ;
    mutating func parseConditional() throws -> Expr {
        let keyword = advance()
        let condition = try parseExpression()
        try expect(.then)
        let whenTrue = try parseExpression()
        try expect(.else)
        let whenFalse = try parseExpression()
        return Expr(.conditional(condition, whenTrue, whenFalse), keyword.range.union(whenFalse.range))
    }

    /// top = "top" unary "of" filter "by" coalesce [ "asc" | "desc" ] ;
    mutating func parseTop() throws -> Expr {
        let keyword = advance()
        let count = try parseUnary()
        try expect(.of)
        let collection = try parseFilter()
        try expect(.by)
        let key = try parseCoalesce()
        var order: TopOrder?
        var end = key.range
        if check(.identifier), let o = TopOrder(rawValue: current.text) {
            order = o
            end = advance().range
        }
        return Expr(.top(count: count, collection: collection, key: key, order: order), keyword.range.union(end))
    }

    // The binary levels, loosest first, are parsed by one precedence-climbing loop
    // (`parseBinary`) instead of a function per level: an operand went through eight
    // nested calls before. Levels (`BinaryLevel`): 0 `where` (filter), 1 `or`, 2 `and`,
    // 3 prefix `not`, 4 comparison (one, not chained), 5 `??`, 6 `+` `-`, 7 `*` `/`;
    // all left-associative; the operand of `*` and `/` is a unary. The loop keeps the
    // nesting depth that the functions per level kept (each chained operator one level,
    // a chain closed when a looser operator follows), so E0206 fires at the same place.
    /// filter = or { "where" or } ;
    /// or = and { "or" and } ;
    /// and = not { "and" not } ;
    /// not = "not" not | comparison ;
    /// comparison = coalesce [ compare_op coalesce ] ;
    /// compare_op = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in" ;
    /// coalesce = additive { "??" additive } ;
    /// additive = multiplicative { ( "+" | "-" ) multiplicative } ;
    /// multiplicative = unary { ( "*" | "/" ) unary } ;
    mutating func parseBinary(_ minLevel: Int) throws -> Expr {
        var expr: Expr
        // The left operand of a comparison is complete and no comparison followed yet:
        // a `=` there is reported (as `comparison` did after its left `coalesce`).
        var comparisonOpen = minLevel <= BinaryLevel.comparison
        if minLevel <= BinaryLevel.not && check(.not) && peek().kind != .keyword(.in) {
            expr = try parseNotPrefix()
            comparisonOpen = false
        } else {
            expr = try parseUnary()
        }
        var chained = 0
        var chainLevel = BinaryLevel.multiplicative + 1
        defer { leaveChain(chained) }
        while true {
            let op: BinaryOperator
            let level: Int
            var width = 1
            var enterFirst = false
            switch current.kind {
            case .keyword(.where): op = .and; level = BinaryLevel.filter
            case .keyword(.or): op = .or; level = BinaryLevel.or
            case .keyword(.and): op = .and; level = BinaryLevel.and
            case .equalEqual: op = .equal; level = BinaryLevel.comparison
            case .bangEqual: op = .notEqual; level = BinaryLevel.comparison
            case .less: op = .less; level = BinaryLevel.comparison
            case .lessEqual: op = .lessEqual; level = BinaryLevel.comparison
            case .greater: op = .greater; level = BinaryLevel.comparison
            case .greaterEqual: op = .greaterEqual; level = BinaryLevel.comparison
            case .keyword(.in): op = .in; level = BinaryLevel.comparison
            case .keyword(.not) where peek().kind == .keyword(.in):
                op = .notIn; level = BinaryLevel.comparison; width = 2
            case .questionQuestion: op = .coalesce; level = BinaryLevel.coalesce
            case .plus: op = .add; level = BinaryLevel.additive; enterFirst = true
            case .minus: op = .subtract; level = BinaryLevel.additive; enterFirst = true
            case .star: op = .multiply; level = BinaryLevel.multiplicative; enterFirst = true
            case .slash: op = .divide; level = BinaryLevel.multiplicative; enterFirst = true
            default:
                if comparisonOpen && check(.equal) {
                    bag.error(.expectedToken, "`=` defines a name; compare with `==`", at: current.range,
                              help: "write `==`")
                }
                return expr
            }
            guard level >= minLevel else { return expr }
            if level <= BinaryLevel.comparison { comparisonOpen = false }
            // A looser operator closes the tighter chain (its function returned).
            if level < chainLevel { leaveChain(chained); chained = 0; chainLevel = level }
            if level == BinaryLevel.comparison {
                for _ in 0..<width { advance() }
                let right = try parseBinary(BinaryLevel.coalesce)
                expr = Expr(.binary(op, expr, right), expr.range.union(right.range))
                if isComparisonOperator() {
                    bag.error(.chainedComparison, "comparisons cannot be chained", at: current.range,
                              help: "write `a < b and b < c`")
                    throw Abort()
                }
                continue
            }
            if enterFirst {
                try enterChain(); chained += 1
                advance()
            } else {
                advance()
                try enterChain(); chained += 1
            }
            let right = try level == BinaryLevel.multiplicative ? parseUnary() : parseBinary(level + 1)
            if level == BinaryLevel.filter {
                expr = Expr(.filter(expr, right), expr.range.union(right.range))
            } else {
                expr = Expr(.binary(op, expr, right), expr.range.union(right.range))
            }
        }
    }

    /// The precedence levels of `parseBinary`, loosest first.
    enum BinaryLevel {
        static let filter = 0, or = 1, and = 2, not = 3, comparison = 4, coalesce = 5
        static let additive = 6, multiplicative = 7
    }

    /// `filter` (see `parseBinary`).
    mutating func parseFilter() throws -> Expr { try parseBinary(BinaryLevel.filter) }

    /// `coalesce` (see `parseBinary`).
    mutating func parseCoalesce() throws -> Expr { try parseBinary(BinaryLevel.coalesce) }

    /// The `"not" not` alternative of `not` (see `parseBinary`).
    private mutating func parseNotPrefix() throws -> Expr {
        let keyword = advance()
        try enterNesting()
        defer { leaveNesting() }
        let operand = try parseBinary(BinaryLevel.not)
        return Expr(.unary(.not, operand), keyword.range.union(operand.range))
    }

    private func isComparisonOperator() -> Bool {
        switch current.kind {
        case .equalEqual, .bangEqual, .less, .lessEqual, .greater, .greaterEqual, .keyword(.in): return true
        case .keyword(.not): return peek().kind == .keyword(.in)
        default: return false
        }
    }

    /// unary = "-" unary | postfix ;
    mutating func parseUnary() throws -> Expr {
        if check(.minus) {
            let minus = advance()
            try enterNesting()
            defer { leaveNesting() }
            let operand = try parseUnary()
            // `-40 degF` is a reading of minus forty degrees, negated before conversion: negating
            // the converted value (4.4 degC) would read 24 degF, and a reading cannot be
            // negated at all (its zero depends on the scale). Only temperature units differ.
            if case .number(let text, let value, let unit?) = operand.kind, UnitTable.lookup(unit)?.dimension == .temperature {
                return Expr(.number(text: "-" + text, value: -value, unit: unit), minus.range.union(operand.range))
            }
            return Expr(.unary(.negate, operand), minus.range.union(operand.range))
        }
        return try parsePostfix()
    }

    /// postfix = primary { "." IDENT } ;
    mutating func parsePostfix() throws -> Expr {
        var chained = 0
        defer { depth -= chained }
        var expr = try parsePrimary()
        while check(.dot) {
            try enterNesting(); chained += 1
            advance()
            let field = try expectIdentifier("a field name after `.`")
            expr = Expr(.member(expr, field), expr.range.union(field.range))
        }
        return expr
    }

    /// primary = quantity | STRING | "true" | "false" | IDENT [ "(" [ arguments ] ")" ]
    ///         | "(" expr ")" | "[" [ expr { "," expr } [ "," ] ] "]" ;
    /// arguments = expr { "," expr } [ "," ] ;
    mutating func parsePrimary() throws -> Expr {
        let token = current
        switch token.kind {
        case .number:
            return try parseQuantity()
        case .string:
            advance()
            return Expr(.string(token.text), token.range)
        case .keyword(.true), .keyword(.false):
            advance()
            return Expr(.bool(token.kind == .keyword(.true)), token.range)
        case .identifier:
            advance()
            if check(.leftParen) { return try parseCall(token) }
            return Expr(.name(token.text), token.range)
        case .leftParen:
            advance()
            let inner = try parseExpression()
            let close = try expectClosing(.rightParen, opened: token.range)
            // Parentheses are not kept in the tree; the range covers them for diagnostics.
            return Expr(inner.kind, token.range.union(close.range))
        case .leftBracket:
            advance()
            let elements = try parseSequence(closing: .rightBracket)
            let close = try expectClosing(.rightBracket, opened: token.range)
            return Expr(.list(elements), token.range.union(close.range))
        default:
            throw expectedExpression(token)
        }
    }

    // `parsePrimary` is on the recursive path of every nested expression: what it does
    // not need while an operand is parsed (messages, call syntax) lives in these helpers,
    // so its stack frame stays small and deep nesting stays far from the stack's end.

    /// The call after its name: `(` [ arguments ] `)`.
    mutating func parseCall(_ name: Token) throws -> Expr {
        let open = advance()
        let arguments = try parseSequence(closing: .rightParen)
        let close = try expectClosing(.rightParen, opened: open.range, call: name.text)
        return Expr(.call(Identifier(name.text, name.range), arguments), name.range.union(close.range))
    }

    @inline(never)
    mutating func expectClosing(_ kind: TokenKind, opened: SourceRange, call: String? = nil) throws -> Token {
        if check(kind) { return advance() }
        let what = kind == .rightBracket ? "`]` to close the list" : call.map { "`)` to close the call to `\($0)`" } ?? "`)`"
        errorExpected(what, labels: [Diagnostic.Label(range: opened, message: "`\(kind == .rightBracket ? "[" : "(")` opened here")])
        throw Abort()
    }

    @inline(never)
    mutating func expectedExpression(_ token: Token) -> Abort {
        switch token.kind {
        case .keyword(.if), .keyword(.top):
            bag.error(.expectedExpression, "`\(token.text)` expression must be in parentheses here", at: token.range,
                      help: "write `(\(token.text) ...)`")
        default:
            bag.error(.expectedExpression, "expected an expression, found \(describe(token))", at: token.range)
        }
        return Abort()
    }

    mutating func parseSequence(closing: TokenKind) throws -> [Expr] {
        var elements: [Expr] = []
        try enterNesting()
        defer { leaveNesting() }
        while !check(closing) {
            elements.append(try parseExpression())
            if !match(.comma) { break }
        }
        return elements
    }

    /// quantity = NUMBER [ unit ] ;
    /// unit = "%" | UNIT [ "/" UNIT ] ;   (no spaces around "/" in a unit)
    mutating func parseQuantity() throws -> Expr {
        let number = advance()
        var range = number.range
        var unit: String?
        if check(.percent) {
            unit = "%"
            range = range.union(advance().range)
        } else if check(.identifier), TopOrder(rawValue: current.text) == nil, current.text != "per",
                  !(inTestBlock && Parser.testStepWords.contains(current.text)) {
            // In a test block, `expect x == 5` followed by `after 1 tick`: a step word is not a unit.
            // `top 3 of jobs by 2 desc`: `asc`/`desc` end a `top`, they are not units.
            let symbol = current
            var candidate = symbol.text
            var end = symbol.range
            var known = false
            var consumed = 1
            // A compound unit like `g/kWh` is written without spaces.
            if peek().kind == .slash, !peek().spaceBefore, peek(2).kind == .identifier, !peek(2).spaceBefore {
                let compound = symbol.text + "/" + peek(2).text
                if NameTables.unit(compound) != nil {
                    candidate = compound
                    end = peek(2).range
                    known = true
                    consumed = 3
                }
            }
            if !known { known = NameTables.unit(candidate) != nil }
            if known {
                for _ in 0..<consumed { advance() }
                unit = candidate
                range = range.union(end)
            } else {
                let suggestion = Suggestions.closest(to: symbol.text, in: UnitTable.units.keys)
                bag.error(.unknownUnit, "unknown unit `\(symbol.text)`", at: symbol.range,
                          help: suggestion.map { "did you mean `\($0)`?" } ?? "see `watt units` for the units Watt knows")
                advance()
                throw Abort()
            }
        }
        return Expr(.number(text: number.text, value: number.number, unit: unit), range)
    }
}
