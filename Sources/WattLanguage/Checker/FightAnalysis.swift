/// A static check for rule pairs that can fight: one transfers elements from place A to
/// place B while another transfers them from B to A (work would shuttle between them), both
/// without priorities to settle it. The host says which verb transfers what: for the energy
/// vocabulary, `move` of `job`s whose `pool` field is the source, `to pool` the destination.
public enum FightAnalysis {
    /// A verb that moves elements of a record type from the place named by one of their
    /// fields to the place named by one of the verb's slots.
    public struct Transfer: Sendable {
        public var verb: String
        public var destinationSlot: String
        public var schema: String
        public var sourceField: String
        public init(verb: String, destinationSlot: String, schema: String, sourceField: String) {
            self.verb = verb; self.destinationSlot = destinationSlot; self.schema = schema; self.sourceField = sourceField
        }
    }

    /// The analysis for a vocabulary to register (`Vocabulary.register(_:)`).
    public static func analysis(_ transfer: Transfer) -> ProgramAnalysis {
        ProgramAnalysis(name: "fights:\(transfer.verb)") { program, vocabulary in
            warnings(program, vocabulary: vocabulary, transfer: transfer)
        }
    }

    struct Move { var rule: TypedRule; var from: Set<String>; var to: String; var range: SourceRange }

    /// Pools a job filter requires (`pool == "a"`, `pool in ["a", "b"]`); nil when unrestricted.
    static func pools(in filter: TypedExpr, poolField: Int) -> Set<String>? {
        switch filter.kind {
        case .filter(let base, let predicate, _):
            let inner = pools(in: base, poolField: poolField)
            let here = poolsInPredicate(predicate, poolField: poolField)
            switch (inner, here) {
            case (nil, let h): return h
            case (let i, nil): return i
            case (let i?, let h?): return i.intersection(h)
            }
        case .top(_, let collection, _, _, _): return pools(in: collection, poolField: poolField)
        default: return nil
        }
    }

    static func poolsInPredicate(_ e: TypedExpr, poolField: Int) -> Set<String>? {
        switch e.kind {
        case .and(let a, let b):
            switch (poolsInPredicate(a, poolField: poolField), poolsInPredicate(b, poolField: poolField)) {
            case (nil, let y): return y
            case (let x, nil): return x
            case (let x?, let y?): return x.intersection(y)
            }
        case .compare(.eq, let a, let b):
            if case .field(_, let index) = a.kind, index == poolField, case .constant(.string(let s)) = b.kind { return [s] }
            if case .field(_, let index) = b.kind, index == poolField, case .constant(.string(let s)) = a.kind { return [s] }
            return nil
        case .member(let a, let b, negated: false):
            guard case .field(_, let index) = a.kind, index == poolField, case .constant(.list(let items)) = b.kind else { return nil }
            return Set(items.compactMap { if case .string(let s) = $0 { return s } else { return nil } })
        default:
            return nil
        }
    }

    public static func warnings(_ program: CheckedProgram, vocabulary: Vocabulary, transfer: Transfer) -> [Diagnostic] {
        guard let schema = vocabulary.schemas[transfer.schema], let poolField = schema.fieldIndex(transfer.sourceField) else { return [] }
        var moves: [Move] = []
        for rule in program.rules {
            for action in rule.thenActions where action.verb == transfer.verb {
                guard let target = action.target,
                      let slot = action.slots.first(where: { $0.key == transfer.destinationSlot }),
                      case .constant(.string(let to)) = slot.value.kind,
                      let from = pools(in: target, poolField: poolField) else { continue }
                moves.append(Move(rule: rule, from: from, to: to, range: action.range))
            }
        }
        // The moves into each pool: a move from A to B fights those into A from a set
        // holding B, so each move meets only those candidates (linear in the moves for
        // programs of thousands of rules, instead of every pair).
        var into: [String: [Int]] = [:]
        for (i, m) in moves.enumerated() { into[m.to, default: []].append(i) }
        var out: [Diagnostic] = []
        for (i, a) in moves.enumerated() {
            var candidates: [Int] = []
            for pool in a.from { candidates += (into[pool] ?? []).filter { $0 > i } }
            for b in Set(candidates).sorted().map({ moves[$0] }) where a.rule.name != b.rule.name
                && a.from.contains(b.to) && b.from.contains(a.to) && a.rule.priority == b.rule.priority {
                var d = Diagnostic(.warning, .rulesFight,
                                   "rules `\(a.rule.name)` and `\(b.rule.name)` can fight: one moves \(transfer.schema)s from `\(b.to)` to `\(a.to)`, the other back",
                                   at: a.range,
                                   labels: [.init(range: b.range, message: "\(transfer.verb)s them back", source: b.rule.source)],
                                   help: "give one rule a higher priority, or make their conditions exclusive")
                d.source = a.rule.source
                out.append(d)
            }
        }
        return out
    }
}
