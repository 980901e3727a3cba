/// A static check for rule pairs that can fight (W0501): at the same priority (nothing
/// settles which wins), one rule's action undoes another's on targets both may pick, under
/// conditions that may hold together. The host says which verbs undo which:
/// - a transfer moves elements from the place a field names to the place a slot names (for
///   the energy vocabulary, `move` of `job`s from their `pool` to `to pool`): a move from A
///   to B fights one from a set holding B back to A;
/// - an opposition pairs a verb with the one that reverses it (`cap`/`uncap`,
///   `suspend`/`wake`, `drain`/`resume`, `defer`/`release`).
///
/// Two rules do not fight when their conditions are exclusive (`dirty_grid` and
/// `not dirty_grid`, `x > 5` and `x < 3`) or their targets are (`not present(power_cap)`
/// and `present(power_cap)`, `pool == "a"` and `pool == "b"`): `ExclusiveFacts`.
///
/// Cost: actions are grouped by priority and verb (and moves by destination), so an action
/// meets only those that could undo it; every such pair is checked (fast: facts are read
/// once per action), and only the first `reported` are written out, then one warning with
/// the count of the rest: a file of 2,000 back-and-forth rules is a million pairs, which no
/// one reads.
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

    /// A verb and the verb that reverses it, on elements of one record type (`node`), and
    /// the field of theirs both set (`power_cap`, `state`): target filters on that field
    /// say what the targets were before the action, so they never keep two rules apart
    /// (`suspend` idle nodes and `wake` suspended ones do fight, a tick apart).
    public struct Opposition: Sendable {
        public var verb: String
        public var reversedBy: String
        public var schema: String
        public var field: String
        public init(verb: String, reversedBy: String, schema: String, field: String) {
            self.verb = verb; self.reversedBy = reversedBy; self.schema = schema; self.field = field
        }
    }

    public struct Spec: Sendable {
        public var transfers: [Transfer]
        public var oppositions: [Opposition]
        /// How many fights are written out before the count of the rest.
        public var reported: Int
        public init(transfers: [Transfer] = [], oppositions: [Opposition] = [], reported: Int = 20) {
            self.transfers = transfers; self.oppositions = oppositions; self.reported = max(1, reported)
        }
    }

    /// The analysis for a vocabulary to register (`Vocabulary.register(_:)`).
    public static func analysis(_ spec: Spec) -> ProgramAnalysis {
        ProgramAnalysis(name: "fights") { program, vocabulary in warnings(program, vocabulary: vocabulary, spec: spec) }
    }

    /// One `then` action of a rule, with what its condition and targets say for sure.
    struct Act {
        var rule: Int
        var action: TypedAction
        var condition: ExclusiveFacts
        var targets: ExclusiveFacts
    }

    struct Move { var act: Int; var from: Set<String>; var to: String }

    public static func warnings(_ program: CheckedProgram, vocabulary: Vocabulary, spec: Spec) -> [Diagnostic] {
        var report = Report(limit: spec.reported)
        // Facts are read once per rule and action.
        var conditions: [Int: ExclusiveFacts] = [:]
        var acts: [Act] = []
        var actsByVerb: [String: [Int]] = [:]
        let watched = Set(spec.transfers.map(\.verb) + spec.oppositions.flatMap { [$0.verb, $0.reversedBy] })
        for (r, rule) in program.rules.enumerated() {
            for action in rule.thenActions where watched.contains(action.verb) {
                actsByVerb[action.verb, default: []].append(acts.count)
                acts.append(Act(rule: r, action: action, condition: ExclusiveFacts(), targets: ExclusiveFacts()))
            }
        }
        // Facts only for actions that something could undo (a reversing verb at the same
        // priority, or any move): most programs pay nothing here.
        var present: Set<String> = []
        for act in acts { present.insert("\(act.action.verb)|\(program.rules[act.rule].priority)") }
        var reverse: [String: String] = [:]
        for o in spec.oppositions { reverse[o.verb] = o.reversedBy; reverse[o.reversedBy] = o.verb }
        let transfers = Set(spec.transfers.map(\.verb))
        for i in acts.indices {
            let verb = acts[i].action.verb, rule = program.rules[acts[i].rule]
            guard transfers.contains(verb) || reverse[verb].map({ present.contains("\($0)|\(rule.priority)") }) == true else { continue }
            let condition = conditions[acts[i].rule] ?? ExclusiveFacts(condition: rule.condition)
            conditions[acts[i].rule] = condition
            acts[i].condition = condition
            acts[i].targets = acts[i].action.target.map { ExclusiveFacts(target: $0, lets: program.lets) } ?? ExclusiveFacts()
        }
        func canFight(_ a: Act, _ b: Act, _ field: Int?) -> Bool {
            let ra = program.rules[a.rule], rb = program.rules[b.rule]
            guard ra.name != rb.name, ra.priority == rb.priority, !a.condition.isExclusive(with: b.condition) else { return false }
            guard let field else { return !a.targets.isExclusive(with: b.targets) }
            return !a.targets.without(field: field).isExclusive(with: b.targets.without(field: field))
        }

        for transfer in spec.transfers { moves(transfer, acts, actsByVerb, program, vocabulary, canFight, &report) }
        for opposition in spec.oppositions {
            // Each side grouped by priority; a pair is (earlier act of `verb`, any act of `reversedBy`).
            let undoing = Dictionary(grouping: actsByVerb[opposition.reversedBy] ?? []) { program.rules[acts[$0].rule].priority }
            let changed = vocabulary.schemas[opposition.schema]?.fieldIndex(opposition.field)
            for i in actsByVerb[opposition.verb] ?? [] {
                let a = acts[i]
                for j in undoing[program.rules[a.rule].priority] ?? [] where canFight(a, acts[j], changed) {
                    let b = acts[j]
                    report.add(a, b, program: program) {
                        ("rules `\(program.rules[a.rule].name)` and `\(program.rules[b.rule].name)` can fight: one \(verbs(opposition.verb)) \(opposition.schema)s, the other \(verbs(opposition.reversedBy)) them",
                         "\(verbs(opposition.reversedBy)) them")
                    }
                }
            }
        }
        return report.diagnostics()
    }

    static func moves(_ transfer: Transfer, _ acts: [Act], _ actsByVerb: [String: [Int]], _ program: CheckedProgram,
                      _ vocabulary: Vocabulary, _ canFight: (Act, Act, Int?) -> Bool, _ report: inout Report) {
        guard let schema = vocabulary.schemas[transfer.schema], let poolField = schema.fieldIndex(transfer.sourceField) else { return }
        var moves: [Move] = []
        for i in actsByVerb[transfer.verb] ?? [] {
            let action = acts[i].action
            guard let target = action.target,
                  let slot = action.slots.first(where: { $0.key == transfer.destinationSlot }),
                  case .constant(.string(let to)) = slot.value.kind,
                  let from = pools(in: target, poolField: poolField, lets: program.lets) else { continue }
            moves.append(Move(act: i, from: from, to: to))
        }
        // The moves into each pool: a move from A to B fights those into A from a set
        // holding B, so each move meets only those candidates.
        var into: [String: [Int]] = [:]
        for (i, m) in moves.enumerated() { into[m.to, default: []].append(i) }
        for (i, a) in moves.enumerated() {
            var candidates = Set<Int>()
            for pool in a.from { for k in into[pool] ?? [] where k > i { candidates.insert(k) } }
            for k in candidates.sorted() {
                let b = moves[k]
                guard a.from.contains(b.to), b.from.contains(a.to),
                      canFight(acts[a.act], acts[b.act], poolField) else { continue }
                report.add(acts[a.act], acts[b.act], program: program) {
                    ("rules `\(program.rules[acts[a.act].rule].name)` and `\(program.rules[acts[b.act].rule].name)` can fight: one moves \(transfer.schema)s from `\(b.to)` to `\(a.to)`, the other back",
                     "\(transfer.verb)s them back")
                }
            }
        }
    }

    /// `cap` → `caps`, `defer` → `defers`.
    static func verbs(_ verb: String) -> String { verb + "s" }

    /// Pools a job filter requires (`pool == "a"`, `pool in ["a", "b"]`), through `let`s;
    /// nil when unrestricted.
    static func pools(in filter: TypedExpr, poolField: Int, lets: [TypedLet] = [], depth: Int = 8) -> Set<String>? {
        guard depth > 0 else { return nil }
        switch filter.kind {
        case .letRef(let index) where index < lets.count:
            return pools(in: lets[index].value, poolField: poolField, lets: lets, depth: depth - 1)
        case .filter(let base, let predicate, _):
            let inner = pools(in: base, poolField: poolField, lets: lets, depth: depth - 1)
            let here = poolsInPredicate(predicate, poolField: poolField)
            switch (inner, here) {
            case (nil, let h): return h
            case (let i, nil): return i
            case (let i?, let h?): return i.intersection(h)
            }
        case .top(_, let collection, _, _, _): return pools(in: collection, poolField: poolField, lets: lets, depth: depth - 1)
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

    /// The warnings written out: the first `limit` fights in full, then one with the count
    /// of the rest, at the first of them.
    struct Report {
        var limit: Int
        var shown: [Diagnostic] = []
        var more = 0
        var firstUnshown: (range: SourceRange, source: SourceFile)?
        var unshownRules: Set<Int> = []

        mutating func add(_ a: Act, _ b: Act, program: CheckedProgram, _ text: () -> (message: String, label: String)) {
            guard shown.count < limit else {
                more += 1
                if firstUnshown == nil { firstUnshown = (a.action.range, program.rules[a.rule].source) }
                unshownRules.insert(a.rule)
                unshownRules.insert(b.rule)
                return
            }
            let (message, label) = text()
            var d = Diagnostic(.warning, .rulesFight, message, at: a.action.range,
                               labels: [.init(range: b.action.range, message: label, source: program.rules[b.rule].source)],
                               help: "give one rule a higher priority, or make their conditions or targets exclusive")
            d.source = program.rules[a.rule].source
            shown.append(d)
        }

        func diagnostics() -> [Diagnostic] {
            guard more > 0, let first = firstUnshown else { return shown }
            var d = Diagnostic(.warning, .rulesFight,
                               "\(more) more pair\(more == 1 ? "" : "s") of rules can fight (among \(unshownRules.count) rules), not shown",
                               at: first.range,
                               help: "fix the \(shown.count) pairs shown above and check again: one fix often settles many pairs")
            d.source = first.source
            return shown + [d]
        }
    }
}
