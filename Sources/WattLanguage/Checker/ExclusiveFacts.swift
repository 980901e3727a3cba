/// What a condition or a target filter says for sure, as conjuncts the fight analysis can
/// compare: a boolean that holds or not (`dirty_grid`, `not present(power_cap)`), a number
/// inside an interval (`temperature > 76 degC`), a value among constants (`pool == "a"`,
/// `state in ["idle", "waking"]`). Two sets of facts are exclusive when one fact of each
/// speaks of the same expression and they cannot both hold: then the two conditions (or the
/// two target sets) never meet, and rules acting on them cannot fight.
///
/// Sound but incomplete: an expression is named by its checked tree (names resolved, so
/// `dirty_grid` in two rules is one `let`), a conjunct it cannot read adds no fact, and
/// facts are never inferred (`x > 5` and `x < 3` of different expressions stay unrelated).
struct ExclusiveFacts {
    enum Fact {
        case holds(String, Bool)
        case within(String, low: Double, lowIncluded: Bool, high: Double, highIncluded: Bool)
        case oneOf(String, Set<String>)
    }

    var facts: [Fact] = []

    /// The facts of a condition: its `and`-ed conjuncts.
    init(condition: TypedExpr) { add(condition) }

    /// The facts of a target collection: the filters it is narrowed by (through `let`s, at
    /// most `depth` of them, and `top`), each conjunct of their predicates.
    init(target: TypedExpr, lets: [TypedLet]) { addTarget(target, lets: lets, depth: 8) }

    init() {}

    /// The same facts less those that read `key` (a move changes its targets' pool: their
    /// pool filters name where they come from, not what keeps two moves apart; so does
    /// `present(power_cap)` for a cap).
    func without(_ key: String) -> ExclusiveFacts {
        var copy = self
        func reads(_ k: String) -> Bool { k == key || k.contains("(" + key) || k.contains("," + key) }
        copy.facts.removeAll { fact in
            switch fact {
            case .holds(let k, _), .within(let k, _, _, _, _), .oneOf(let k, _): return reads(k)
            }
        }
        return copy
    }

    /// The name of field `index` of the element being filtered.
    static func elementField(_ index: Int) -> String { "f\(index)(e)" }

    func isExclusive(with other: ExclusiveFacts) -> Bool {
        for a in facts { for b in other.facts where Self.exclusive(a, b) { return true } }
        return false
    }

    private mutating func addTarget(_ e: TypedExpr, lets: [TypedLet], depth: Int) {
        guard depth > 0 else { return }
        switch e.kind {
        case .letRef(let index) where index < lets.count: addTarget(lets[index].value, lets: lets, depth: depth - 1)
        case .filter(let base, let predicate, _):
            addTarget(base, lets: lets, depth: depth - 1)
            add(predicate)
        case .top(_, let collection, _, _, _): addTarget(collection, lets: lets, depth: depth - 1)
        default: break
        }
    }

    private mutating func add(_ e: TypedExpr) {
        switch e.kind {
        case .and(let a, let b): add(a); add(b)
        case .not(let a):
            if case .member(let x, let list, let negated) = a.kind {
                addMember(x, list, negated: !negated)
            } else {
                facts.append(.holds(Self.key(a), false))
            }
        case .member(let x, let list, let negated): addMember(x, list, negated: negated)
        case .compare(let op, let a, let b):
            if let v = Self.number(b) { addComparison(op, Self.key(a), v) }
            else if let v = Self.number(a) { addComparison(Self.flipped(op), Self.key(b), v) }
            else if case .constant(.string(let s)) = b.kind { addText(op, Self.key(a), s) }
            else if case .constant(.string(let s)) = a.kind { addText(op, Self.key(b), s) }
            else { facts.append(.holds(Self.key(e), true)) }
        case .constant(.bool(let b)): facts.append(.holds("true", b))
        default:
            if e.type.unwrapped == .bool { facts.append(.holds(Self.key(e), true)) }
        }
    }

    private mutating func addMember(_ x: TypedExpr, _ list: TypedExpr, negated: Bool) {
        guard !negated, case .constant(.list(let items)) = list.kind else { return }
        let texts = items.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
        if texts.count == items.count { facts.append(.oneOf(Self.key(x), Set(texts))) }
    }

    private mutating func addComparison(_ op: CompareOp, _ key: String, _ v: Double) {
        let inf = Double.infinity
        switch op {
        case .eq: facts.append(.within(key, low: v, lowIncluded: true, high: v, highIncluded: true))
        case .lt: facts.append(.within(key, low: -inf, lowIncluded: false, high: v, highIncluded: false))
        case .le: facts.append(.within(key, low: -inf, lowIncluded: false, high: v, highIncluded: true))
        case .gt: facts.append(.within(key, low: v, lowIncluded: false, high: inf, highIncluded: false))
        case .ge: facts.append(.within(key, low: v, lowIncluded: true, high: inf, highIncluded: false))
        case .ne: break
        }
    }

    private mutating func addText(_ op: CompareOp, _ key: String, _ s: String) {
        if op == .eq { facts.append(.oneOf(key, [s])) }
    }

    static func exclusive(_ a: Fact, _ b: Fact) -> Bool {
        switch (a, b) {
        case (.holds(let k, let x), .holds(let l, let y)): return k == l && x != y
        case (.oneOf(let k, let s), .oneOf(let l, let t)): return k == l && s.isDisjoint(with: t)
        case (.within(let k, let lo1, let li1, let hi1, let hi1In), .within(let l, let lo2, let li2, let hi2, let hi2In)):
            guard k == l else { return false }
            // Disjoint when one ends before the other starts (touching ends count only when both include them).
            if hi1 < lo2 || (hi1 == lo2 && !(hi1In && li2)) { return true }
            if hi2 < lo1 || (hi2 == lo1 && !(hi2In && li1)) { return true }
            return false
        default: return false
        }
    }

    static func flipped(_ op: CompareOp) -> CompareOp {
        switch op {
        case .lt: .gt
        case .le: .ge
        case .gt: .lt
        case .ge: .le
        case .eq, .ne: op
        }
    }

    static func number(_ e: TypedExpr) -> Double? {
        switch e.kind {
        case .constant(.number(let v)), .constant(.instant(let v)): return v
        default: return nil
        }
    }

    /// A name for an expression: equal for the same checked tree (element depths left out,
    /// so `pool` in two rules' filters is one field).
    static func key(_ e: TypedExpr) -> String {
        let label: String
        switch e.kind {
        case .constant(let v): return "c(\(v))"
        case .now: return "now"
        case .hostName(let slot): return "h\(slot)"
        case .letRef(let index): return "l\(index)"
        case .element: return "e"
        case .field(_, let index): label = "f\(index)"
        case .project(_, let index, _): label = "p\(index)"
        case .timeComponent(_, let c): label = "t\(c)"
        case .negate: label = "neg"
        case .not: label = "not"
        case .arithmetic(let op, _, _): label = "a\(op)"
        case .concat: label = "cat"
        case .compare(let op, _, _): label = op.rawValue
        case .and: label = "and"
        case .or: label = "or"
        case .member(_, _, let negated): label = negated ? "notin" : "in"
        case .coalesce: label = "??"
        case .conditional: label = "if"
        case .list: label = "list"
        case .filter: label = "where"
        case .top(_, _, _, _, let descending): label = descending ? "top" : "bottom"
        case .aggregate(let a, _, _, _): label = "agg.\(a)"
        case .scalar(let s, _): label = "s.\(s.rawValue)"
        case .minMax(let isMin, _): label = isMin ? "min" : "max"
        case .hostCall(let name, _, _): label = "call.\(name)"
        }
        return label + "(" + e.children.map(key).joined(separator: ",") + ")"
    }
}
