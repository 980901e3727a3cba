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

    /// filter = or { "where" or } ;
    mutating func parseFilter() throws -> Expr {
        var chained = 0
        defer { depth -= chained }
        var expr = try parseOr()
        while match(.where) {
            try enterNesting(); chained += 1
            let predicate = try parseOr()
            expr = Expr(.filter(expr, predicate), expr.range.union(predicate.range))
        }
        return expr
    }

    /// or = and { "or" and } ;
    mutating func parseOr() throws -> Expr {
        var chained = 0
        defer { depth -= chained }
        var expr = try parseAnd()
        while match(.or) {
            try enterNesting(); chained += 1
            let right = try parseAnd()
            expr = Expr(.binary(.or, expr, right), expr.range.union(right.range))
        }
        return expr
    }

    /// and = not { "and" not } ;
    mutating func parseAnd() throws -> Expr {
        var chained = 0
        defer { depth -= chained }
        var expr = try parseNot()
        while match(.and) {
            try enterNesting(); chained += 1
            let right = try parseNot()
            expr = Expr(.binary(.and, expr, right), expr.range.union(right.range))
        }
        return expr
    }

    /// not = "not" not | comparison ;
    mutating func parseNot() throws -> Expr {
        if check(.not) && peek().kind != .keyword(.in) {
            let keyword = advance()
            try enterNesting()
            defer { leaveNesting() }
            let operand = try parseNot()
            return Expr(.unary(.not, operand), keyword.range.union(operand.range))
        }
        return try parseComparison()
    }

    /// comparison = coalesce [ compare_op coalesce ] ;
    /// compare_op = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in" ;
    mutating func parseComparison() throws -> Expr {
        let left = try parseCoalesce()
        guard let op = comparisonOperator() else { return left }
        let right = try parseCoalesce()
        let expr = Expr(.binary(op, left, right), left.range.union(right.range))
        if comparisonOperator(consume: false) != nil {
            bag.error(.chainedComparison, "comparisons cannot be chained", at: current.range,
                      help: "write `a < b and b < c`")
            throw Abort()
        }
        return expr
    }

    private mutating func comparisonOperator(consume: Bool = true) -> BinaryOperator? {
        let op: BinaryOperator
        var width = 1
        switch current.kind {
        case .equalEqual: op = .equal
        case .bangEqual: op = .notEqual
        case .less: op = .less
        case .lessEqual: op = .lessEqual
        case .greater: op = .greater
        case .greaterEqual: op = .greaterEqual
        case .keyword(.in): op = .in
        case .keyword(.not) where peek().kind == .keyword(.in): op = .notIn; width = 2
        case .equal:
            if consume {
                bag.error(.expectedToken, "`=` defines a name; compare with `==`", at: current.range,
                          help: "write `==`")
            }
            return nil
        default: return nil
        }
        if consume { for _ in 0..<width { advance() } }
        return op
    }

    /// coalesce = additive { "??" additive } ;
    mutating func parseCoalesce() throws -> Expr {
        var chained = 0
        defer { depth -= chained }
        var expr = try parseAdditive()
        while match(.questionQuestion) {
            try enterNesting(); chained += 1
            let right = try parseAdditive()
            expr = Expr(.binary(.coalesce, expr, right), expr.range.union(right.range))
        }
        return expr
    }

    /// additive = multiplicative { ( "+" | "-" ) multiplicative } ;
    mutating func parseAdditive() throws -> Expr {
        var chained = 0
        defer { depth -= chained }
        var expr = try parseMultiplicative()
        while check(.plus) || check(.minus) {
            try enterNesting(); chained += 1
            let op: BinaryOperator = advance().kind == .plus ? .add : .subtract
            let right = try parseMultiplicative()
            expr = Expr(.binary(op, expr, right), expr.range.union(right.range))
        }
        return expr
    }

    /// multiplicative = unary { ( "*" | "/" ) unary } ;
    mutating func parseMultiplicative() throws -> Expr {
        var chained = 0
        defer { depth -= chained }
        var expr = try parseUnary()
        while check(.star) || check(.slash) {
            try enterNesting(); chained += 1
            let op: BinaryOperator = advance().kind == .star ? .multiply : .divide
            let right = try parseUnary()
            expr = Expr(.binary(op, expr, right), expr.range.union(right.range))
        }
        return expr
    }

    /// unary = "-" unary | postfix ;
    mutating func parseUnary() throws -> Expr {
        if check(.minus) {
            let minus = advance()
            try enterNesting()
            defer { leaveNesting() }
            let operand = try parseUnary()
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
            let close = try expectClosing(.rightParen)
            // Parentheses are not kept in the tree; the range covers them for diagnostics.
            return Expr(inner.kind, token.range.union(close.range))
        case .leftBracket:
            advance()
            let elements = try parseSequence(closing: .rightBracket)
            let close = try expectClosing(.rightBracket)
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
        advance()
        let arguments = try parseSequence(closing: .rightParen)
        let close = try expectClosing(.rightParen, call: name.text)
        return Expr(.call(Identifier(name.text, name.range), arguments), name.range.union(close.range))
    }

    @inline(never)
    mutating func expectClosing(_ kind: TokenKind, call: String? = nil) throws -> Token {
        if check(kind) { return advance() }
        let what = kind == .rightBracket ? "`]` to close the list" : call.map { "`)` to close the call to `\($0)`" } ?? "`)`"
        errorExpected(what)
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
