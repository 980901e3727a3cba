/// Recursive-descent parser. Each parse function carries its production from
/// `grammar/watt.ebnf` as a doc comment; `GrammarConformanceTests` keeps the two in step.
///
/// Recovery: an error inside a declaration skips to the next token that can start a
/// declaration (or a rule clause, inside a rule block), so one run reports every error.
public struct Parser {
    public struct Result: Sendable {
        public var unit: SourceUnit
        public var diagnostics: [Diagnostic]
    }

    /// Deep nesting (parentheses, calls, unary operators, member chains) is a diagnostic,
    /// never a stack overflow in a later stage.
    public static let maxDepth = 256
    /// A flat chain of one operator (`a or b or ... or z`, `a + b + ... + z`) is not nesting
    /// for the reader, but it nests in the tree, so later stages recurse once per operator:
    /// chains and nesting together stay within the depth the checker allows for evaluation
    /// (`Checker.maxEvaluationDepth`, 512), which every stage is built to survive, less a
    /// margin for the reads and comparisons around one expression (`let x = ...` read by a
    /// rule's `x > 0`).
    public static let maxTreeDepth = 500

    let source: SourceFile
    var tokens: [Token]
    var index = 0
    var bag: DiagnosticBag
    var depth = 0
    /// The levels of `depth` that are operators of flat chains.
    var chainDepth = 0
    var brokenNames: Set<String> = []
    /// Inside a `test` block, where `given`, `after`, `expect` and `every` after a number
    /// start the next step (or the series step) instead of being read as a unit.
    var inTestBlock = false
    static let testStepWords: Set<String> = ["given", "after", "expect", "every"]

    struct Abort: Error {}

    public init(source: SourceFile, tokens: [Token]) {
        self.source = source
        self.tokens = tokens
        self.bag = DiagnosticBag(source: source)
    }

    public static func parse(_ source: SourceFile) -> Result {
        let lexed = Lexer.tokenize(source)
        var parser = Parser(source: source, tokens: lexed.tokens)
        parser.bag.append(contentsOf: lexed.diagnostics)
        let declarations = parser.parseProgram()
        var unit = SourceUnit(source: source, declarations: declarations, comments: lexed.comments)
        unit.brokenNames = parser.brokenNames
        return Result(unit: unit, diagnostics: parser.bag.items.sorted { $0.range.start < $1.range.start })
    }

    /// Parses a single expression (for `watt eval` and the REPL).
    public static func parseExpression(_ source: SourceFile) -> (Expr?, [Diagnostic]) {
        let lexed = Lexer.tokenize(source)
        var parser = Parser(source: source, tokens: lexed.tokens)
        parser.bag.append(contentsOf: lexed.diagnostics)
        var expr: Expr?
        do {
            expr = try parser.parseExpression()
            if parser.current.kind != .endOfFile {
                parser.errorExpected("end of expression")
            }
        } catch {}
        return (expr, parser.bag.items.sorted { $0.range.start < $1.range.start })
    }

    // MARK: Token helpers

    var current: Token { tokens[index] }
    var previous: Token { tokens[max(0, index - 1)] }
    func peek(_ offset: Int = 1) -> Token { tokens[min(tokens.count - 1, index + offset)] }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func check(_ kind: TokenKind) -> Bool { current.kind == kind }
    func check(_ keyword: Keyword) -> Bool { current.kind == .keyword(keyword) }

    mutating func match(_ kind: TokenKind) -> Bool {
        if check(kind) { advance(); return true }
        return false
    }
    mutating func match(_ keyword: Keyword) -> Bool { match(.keyword(keyword)) }

    /// `what` (and `expectIdentifier`'s) is only built when the token is missing: an
    /// interpolated message for every rule and binding was an allocation each.
    @discardableResult
    mutating func expect(_ kind: TokenKind, _ what: @autoclosure () -> String? = nil) throws -> Token {
        if check(kind) { return advance() }
        errorExpected(what() ?? kind.description)
        throw Abort()
    }
    @discardableResult
    mutating func expect(_ keyword: Keyword) throws -> Token { try expect(.keyword(keyword)) }

    mutating func expectIdentifier(_ what: @autoclosure () -> String) throws -> Identifier {
        if check(.identifier) {
            let token = advance()
            return Identifier(token.text, token.range)
        }
        let what = what()
        if case .keyword(let k) = current.kind {
            bag.error(.expectedToken, "expected \(what), found keyword `\(k.rawValue)`", at: current.range,
                      help: "`\(k.rawValue)` is reserved; choose another name")
            throw Abort()
        }
        errorExpected(what)
        throw Abort()
    }

    mutating func errorExpected(_ what: String, labels: [Diagnostic.Label] = []) {
        let found = describe(current)
        bag.error(.expectedToken, "expected \(what), found \(found)", at: current.range, labels: labels,
                  help: keywordTypo(current))
    }

    /// `did you mean `and`?` for a name one slip from a keyword (`adn`, `rul`, `thn`).
    func keywordTypo(_ token: Token, among keywords: [String] = Keyword.allCases.map(\.rawValue)) -> String? {
        guard token.kind == .identifier else { return nil }
        return Suggestions.didYouMean(token.text, in: keywords)
    }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .identifier: return "`\(token.text)`"
        case .number: return "number `\(source.excerpt(token.range))`"
        case .string: return "string"
        default: return token.kind.description
        }
    }

    mutating func enterNesting() throws {
        depth += 1
        if depth - chainDepth > Parser.maxDepth {
            bag.error(.nestingTooDeep, "expression nested more than \(Parser.maxDepth) levels deep", at: current.range,
                      help: "split the expression with `let` definitions")
            throw Abort()
        }
        try checkTreeDepth()
    }
    mutating func leaveNesting() { depth -= 1 }

    /// One more operator of a flat chain (see `maxTreeDepth`).
    mutating func enterChain() throws {
        depth += 1
        chainDepth += 1
        try checkTreeDepth()
    }
    mutating func leaveChain(_ operators: Int) { depth -= operators; chainDepth -= operators }

    private mutating func checkTreeDepth() throws {
        guard depth > Parser.maxTreeDepth else { return }
        bag.error(.nestingTooDeep, "expression more than \(Parser.maxTreeDepth) levels deep, counting each operator of a chain as one",
                  at: current.range, help: "split the expression with `let` definitions, or use `in [...]` instead of long `or` chains")
        throw Abort()
    }

    // MARK: Declarations

    /// program = { declaration } EOF ;
    mutating func parseProgram() -> [Declaration] {
        var declarations: [Declaration] = []
        while !check(.endOfFile) {
            let start = index
            do {
                declarations.append(try parseDeclaration())
            } catch {
                depth = 0; chainDepth = 0
                if case .keyword(let k) = tokens[start].kind, k == .let || k == .const,
                   tokens[min(start + 1, tokens.count - 1)].kind == .identifier {
                    brokenNames.insert(tokens[start + 1].text)
                }
                synchronize(from: start)
            }
        }
        return declarations
    }

    /// Skips to the next token that can start a declaration.
    mutating func synchronize(from start: Int) {
        if index == start { advance() }
        var braces = 0
        while !check(.endOfFile) {
            switch current.kind {
            case .leftBrace: braces += 1
            case .rightBrace:
                braces -= 1
                if braces < 0 { advance(); return }
            case .keyword(.rule), .keyword(.let), .keyword(.const):
                if braces <= 0 { return }
            case .identifier where current.text == "test" && peek().kind == .string:
                if braces <= 0 && current.newlineBefore { return }
            case .keyword(.if):
                // A statement `if` starts a line; an `if` inside an expression does not.
                if braces <= 0 && current.newlineBefore { return }
            default: break
            }
            advance()
        }
    }

    /// declaration = binding | rule | one_line_rule | test ;
    ///
    /// `test` is a contextual keyword: an IDENT spelled `test` followed by a string.
    mutating func parseDeclaration() throws -> Declaration {
        if check(.identifier) && current.text == "test" && peek().kind == .string { return .test(try parseTest()) }
        switch current.kind {
        case .keyword(.let), .keyword(.const): return .binding(try parseBinding())
        case .keyword(.rule): return .rule(try parseRuleBlock())
        case .keyword(.if): return .rule(try parseOneLineRule())
        default:
            bag.error(.expectedDeclaration, "expected `let`, `const`, `rule` or `if`, found \(describe(current))",
                      at: current.range, help: keywordTypo(current, among: ["let", "const", "rule", "if", "test"])
                        ?? "a policy file holds definitions and rules; an expression alone does nothing here")
            throw Abort()
        }
    }

    /// binding = ( "let" | "const" ) IDENT "=" expr ;
    mutating func parseBinding() throws -> Binding {
        let keyword = advance()
        let name = try expectIdentifier("a name after `\(keyword.text)`")
        try expect(.equal, "`=`")
        let value = try parseExpression()
        return Binding(isConst: keyword.kind == .keyword(.const), name: name, value: value,
                       range: keyword.range.union(value.range))
    }

    /// rule = "rule" IDENT [ "priority" unary ] "{" { rule_clause } "}" ;
    /// rule_clause = "when" expr [ "for" expr ] | "until" expr [ "for" expr ] | "then" actions | "else" actions | "cooldown" expr | "limit" unary "per" ( "tick" | "hour" ) | "per" "target" ;
    mutating func parseRuleBlock() throws -> Rule {
        let keyword = advance()
        let name = try expectIdentifier("a rule name")
        var priority: Expr?
        if check(.identifier) && current.text == "priority" {
            advance()
            priority = try parseUnary()
        }
        try expect(.leftBrace, "`{` to open the rule")
        var condition: Expr?
        var holdFor: Expr?
        var thenActions: [Action]?
        var elseActions: [Action]?
        var cooldown: Expr?
        var clearCondition: Expr?
        var clearFor: Expr?
        var limit: RuleLimit?
        var limitSeen: SourceRange?
        var perTarget: SourceRange?
        // Where each clause was first seen, by `clauseIndex` (a dictionary here was an
        // allocation and a hash per rule).
        var seen: [SourceRange?] = [nil, nil, nil, nil, nil]
        var failed = false
        while !check(.rightBrace) && !check(.endOfFile) {
            let clause = current
            // `limit N per tick|hour`: `limit` and `per` are contextual words.
            if clause.kind == .identifier && clause.text == "limit" {
                if let earlier = limitSeen {
                    bag.error(.duplicateClause, "duplicate `limit` clause in rule `\(name.name)`", at: clause.range,
                              labels: [.init(range: earlier, message: "first `limit` here")])
                }
                limitSeen = clause.range
                advance()
                do {
                    let count = try parseUnary()
                    guard check(.identifier) && current.text == "per" else {
                        errorExpected("`per` in `limit N per tick`")
                        throw Abort()
                    }
                    advance()
                    let window = try expectIdentifier("`tick` or `hour` after `per`")
                    guard window.name == "tick" || window.name == "hour" else {
                        bag.error(.expectedToken, "expected `tick` or `hour` after `per`, found `\(window.name)`", at: window.range)
                        throw Abort()
                    }
                    limit = RuleLimit(count: count, window: window)
                } catch {
                    failed = true
                    depth = 0; chainDepth = 0
                    skipToClause()
                }
                continue
            }
            // `per target`: the rule's `for` and `cooldown` hold per element of its targets.
            if isPerTarget() {
                let range = parsePerTarget()
                if let earlier = perTarget {
                    bag.error(.duplicateClause, "duplicate `per target` clause in rule `\(name.name)`", at: range,
                              labels: [.init(range: earlier, message: "first `per target` here")])
                }
                perTarget = range
                continue
            }
            guard case .keyword(let k) = clause.kind, let clauseIndex = Parser.clauseIndex(k) else {
                if check(.keyword(.rule)) || check(.keyword(.let)) || check(.keyword(.const)) { break }
                bag.error(.expectedToken, "expected a rule clause (`when`, `until`, `then`, `else`, `cooldown`, `limit`, `per target`), found \(describe(clause))",
                          at: clause.range)
                failed = true
                skipToClause()
                continue
            }
            if let earlier = seen[clauseIndex] {
                bag.error(.duplicateClause, "duplicate `\(k.rawValue)` clause in rule `\(name.name)`", at: clause.range,
                          labels: [.init(range: earlier, message: "first `\(k.rawValue)` here")])
            }
            seen[clauseIndex] = clause.range
            advance()
            do {
                switch k {
                case .when:
                    condition = try parseExpression()
                    if match(.for) { holdFor = try parseExpression() }
                case .until:
                    clearCondition = try parseExpression()
                    if match(.for) { clearFor = try parseExpression() }
                case .then: thenActions = try parseActions()
                case .else: elseActions = try parseActions()
                default: cooldown = try parseExpression()
                }
            } catch {
                failed = true
                depth = 0; chainDepth = 0
                skipToClause()
            }
        }
        let close = try expect(.rightBrace, "`}` to close rule `\(name.name)`")
        let range = keyword.range.union(close.range)
        if condition == nil && !failed {
            bag.error(.missingClause, "rule `\(name.name)` has no `when` clause", at: name.range,
                      help: "add `when CONDITION` to say when the rule fires")
        }
        if thenActions == nil && !failed {
            bag.error(.missingClause, "rule `\(name.name)` has no `then` clause", at: name.range,
                      help: "add `then ACTION` to say what the rule does")
        }
        if failed || condition == nil || thenActions == nil { throw Abort() }
        return Rule(name: name, priority: priority, isOneLine: false, condition: condition!, holdFor: holdFor,
                    clearCondition: clearCondition, clearFor: clearFor, limit: limit, perTarget: perTarget,
                    thenActions: thenActions!, elseActions: elseActions ?? [], cooldown: cooldown, range: range,
                    headerRange: keyword.range.union(name.range))
    }

    /// The keywords that open a rule clause (`limit` aside), numbered for `parseRuleBlock`.
    static func clauseIndex(_ keyword: Keyword) -> Int? {
        switch keyword {
        case .when: return 0
        case .until: return 1
        case .then: return 2
        case .else: return 3
        case .cooldown: return 4
        default: return nil
        }
    }

    /// Recovery inside a rule block: skip to the next clause keyword or the closing brace.
    mutating func skipToClause() {
        var nested = 0
        while !check(.endOfFile) {
            switch current.kind {
            case .leftBrace, .leftParen, .leftBracket: nested += 1
            case .rightParen, .rightBracket: nested = max(0, nested - 1)
            case .rightBrace:
                if nested == 0 { return }
                nested -= 1
            case .keyword(.when), .keyword(.until), .keyword(.then), .keyword(.else), .keyword(.cooldown):
                if nested == 0 && current.newlineBefore { return }
            case .identifier where current.text == "limit" || isPerTarget():
                if nested == 0 && current.newlineBefore { return }
            case .keyword(.rule):
                if nested == 0 { return }
            default: break
            }
            advance()
        }
    }

    /// `per target` starts here: both words are contextual (IDENTs), so `per` alone stays a name.
    func isPerTarget() -> Bool {
        check(.identifier) && current.text == "per" && peek().kind == .identifier && peek().text == "target"
    }

    /// Consumes `per target` (the caller checked `isPerTarget()`); returns its range.
    mutating func parsePerTarget() -> SourceRange {
        let per = advance()
        let target = advance()
        return per.range.union(target.range)
    }

    /// one_line_rule = "if" expr [ "for" expr ] "then" actions [ "else" actions ] [ "cooldown" expr ] [ "per" "target" ] ;
    mutating func parseOneLineRule() throws -> Rule {
        let keyword = advance()
        let condition = try parseExpression()
        var holdFor: Expr?
        if match(.for) { holdFor = try parseExpression() }
        try expect(.then)
        let thenActions = try parseActions()
        var elseActions: [Action] = []
        if match(.else) { elseActions = try parseActions() }
        var cooldown: Expr?
        if match(.cooldown) { cooldown = try parseExpression() }
        let perTarget = isPerTarget() ? parsePerTarget() : nil
        let end = perTarget ?? cooldown?.range ?? elseActions.last?.range ?? thenActions.last?.range ?? condition.range
        return Rule(name: nil, priority: nil, isOneLine: true, condition: condition, holdFor: holdFor,
                    clearCondition: nil, clearFor: nil, limit: nil, perTarget: perTarget, thenActions: thenActions, elseActions: elseActions, cooldown: cooldown,
                    range: keyword.range.union(end), headerRange: keyword.range)
    }
}
