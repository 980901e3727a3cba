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
    /// An expression's name: a hash of its checked tree (equal trees, equal keys; a
    /// collision could only hide a fight, never invent one), and the element fields it reads.
    struct Key: Equatable {
        var hash: Int
        var fields: [Int]
        static func == (a: Key, b: Key) -> Bool { a.hash == b.hash }
    }

    enum Fact {
        case holds(Key, Bool)
        case within(Key, low: Double, lowIncluded: Bool, high: Double, highIncluded: Bool)
        case oneOf(Key, Set<String>)

        var key: Key {
            switch self {
            case .holds(let k, _), .within(let k, _, _, _, _), .oneOf(let k, _): return k
            }
        }
    }

    var facts: [Fact] = []

    /// The facts of a condition: its `and`-ed conjuncts.
    init(condition: TypedExpr) { add(condition) }

    /// The facts of a target collection: the filters it is narrowed by (through `let`s, at
    /// most `depth` of them, and `top`), each conjunct of their predicates.
    init(target: TypedExpr, lets: [TypedLet]) { addTarget(target, lets: lets, depth: 8) }

    init() {}

    /// The same facts less those that read field `index` of the element (a move changes its
    /// targets' pool: their pool filters name where they come from, not what keeps two moves
    /// apart; so does `present(power_cap)` for a cap).
    func without(field index: Int) -> ExclusiveFacts {
        var copy = self
        copy.facts.removeAll { $0.key.fields.contains(index) }
        return copy
    }

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
        case .constant(.bool(let b)): facts.append(.holds(Key(hash: 1, fields: []), b))
        default:
            if e.type.unwrapped == .bool { facts.append(.holds(Self.key(e), true)) }
        }
    }

    private mutating func addMember(_ x: TypedExpr, _ list: TypedExpr, negated: Bool) {
        guard !negated, case .constant(.list(let items)) = list.kind else { return }
        let texts = items.compactMap { v -> String? in if case .string(let s) = v { return s } else { return nil } }
        if texts.count == items.count { facts.append(.oneOf(Self.key(x), Set(texts))) }
    }

    private mutating func addComparison(_ op: CompareOp, _ key: Key, _ v: Double) {
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

    private mutating func addText(_ op: CompareOp, _ key: Key, _ s: String) {
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
    static func key(_ e: TypedExpr) -> Key {
        var hasher = Hasher()
        var fields: [Int] = []
        feed(e, &hasher, &fields)
        return Key(hash: hasher.finalize(), fields: fields)
    }

    private static func feed(_ e: TypedExpr, _ h: inout Hasher, _ fields: inout [Int]) {
        switch e.kind {
        case .constant(let v): h.combine(1); h.combine(v); return
        case .now: h.combine(2); return
        case .hostName(let slot): h.combine(3); h.combine(slot); return
        case .letRef(let index): h.combine(4); h.combine(index); return
        case .element: h.combine(5); return
        case .field(let base, let index):
            h.combine(6); h.combine(index)
            if case .element = base.kind { fields.append(index) }
        case .project(_, let index, _): h.combine(7); h.combine(index)
        case .timeComponent(_, let c): h.combine(8); h.combine(c.rawValue)
        case .negate: h.combine(9)
        case .not: h.combine(10)
        case .arithmetic(let op, _, _): h.combine(11); h.combine(op)
        case .concat: h.combine(12)
        case .compare(let op, _, _): h.combine(13); h.combine(op.rawValue)
        case .and: h.combine(14)
        case .or: h.combine(15)
        case .member(_, _, let negated): h.combine(16); h.combine(negated)
        case .coalesce: h.combine(17)
        case .conditional: h.combine(18)
        case .list: h.combine(19)
        case .filter: h.combine(20)
        case .top(_, _, _, _, let descending): h.combine(21); h.combine(descending)
        case .aggregate(let a, _, _, _): h.combine(22); h.combine(a.rawValue)
        case .scalar(let s, _): h.combine(23); h.combine(s.rawValue)
        case .minMax(let isMin, _): h.combine(24); h.combine(isMin)
        case .hostCall(let name, _, _): h.combine(25); h.combine(name)
        }
        let children = e.children
        h.combine(children.count)
        for child in children { feed(child, &h, &fields) }
    }
}
