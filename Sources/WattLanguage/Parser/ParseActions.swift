extension Parser {
    /// actions = action { ";" action } [ ";" ] ;
    mutating func parseActions() throws -> [Action] {
        var actions = [try parseAction()]
        while match(.semicolon) {
            guard check(.identifier) else { break }
            actions.append(try parseAction())
        }
        return actions
    }

    /// action = IDENT [ target ] { slot } ;
    /// target = top | filter ;
    mutating func parseAction() throws -> Action {
        let verb = try expectIdentifier("an action such as `move` or `cap`")
        var target: Expr?
        if startsTarget(current) && !isPerTarget() {
            target = check(.top) ? try parseTop() : try parseFilter()
        }
        var slots: [Slot] = []
        while case .keyword(let k) = current.kind, Keyword.prepositions.contains(k) {
            slots.append(try parseSlot())
        }
        // A `limit` or `per target` clause ends the actions of a rule.
        if check(.identifier) && (current.text == "limit" || isPerTarget()) { return Action(verb: verb, target: target, slots: slots, range: verb.range.union(slots.last?.range ?? target?.range ?? verb.range)) }
        if check(.identifier) {
            // Two actions need a separator: without it `move jobs cap nodes` is ambiguous.
            bag.error(.expectedToken, "expected `;` between actions, found `\(current.text)`", at: current.range,
                      help: "separate actions with `;`")
            throw Abort()
        }
        let end = slots.last?.range ?? target?.range ?? verb.range
        return Action(verb: verb, target: target, slots: slots, range: verb.range.union(end))
    }

    private func startsTarget(_ token: Token) -> Bool {
        switch token.kind {
        case .identifier, .number, .string, .leftParen, .leftBracket, .minus,
             .keyword(.true), .keyword(.false), .keyword(.top):
            return true
        case .keyword(.not):
            return true
        default:
            return false
        }
    }

    /// slot = preposition [ IDENT ] expr ;
    /// preposition = "to" | "at" | "until" | "for" | "by" | "with" | "from" ;
    ///
    /// The optional IDENT is a qualifier (`to pool "x"`) when a name, number, string, list
    /// or `true`/`false` follows it directly; otherwise it is the value itself (`to target_pool`).
    mutating func parseSlot() throws -> Slot {
        let preposition = advance()
        guard case .keyword(let keyword) = preposition.kind else { throw Abort() }
        var qualifier: Identifier?
        if check(.identifier), startsQualifiedValue(peek()) {
            let token = advance()
            qualifier = Identifier(token.text, token.range)
        }
        let value = try parseExpression()
        return Slot(preposition: keyword, prepositionRange: preposition.range, qualifier: qualifier, value: value,
                    range: preposition.range.union(value.range))
    }

    private func startsQualifiedValue(_ token: Token) -> Bool {
        switch token.kind {
        // Not `if`: a slot may end a one-line rule, and the next line may start with `if`.
        case .identifier, .number, .string, .leftBracket, .keyword(.true), .keyword(.false):
            return true
        default:
            return false
        }
    }
}
