import WattCluster
import WattLanguage

/// An action verb of the energy vocabulary, in one place: its signature (targets, slots and
/// their allowed values), the cluster action a proposed one becomes, its journal encoding
/// (stable codes: journals written by earlier versions still read), the label of its
/// Prometheus counters (its name) and what `expect VERB ... SLOT value` compares in a test.
public struct VerbDeclaration: @unchecked Sendable {
    public enum Targets: Sendable, Equatable {
        case jobs
        case nodes
        /// A message string (`alert "..."`); its cluster action has no targets.
        case message
    }

    public let name: String
    public let doc: String
    public let targets: Targets
    public let slots: [SlotDeclaration]
    /// Each group needs exactly one of its slots (`to pool` or `to node`).
    public let exactlyOneOf: [[String]]
    /// The cluster action a proposed action of this verb becomes.
    let action: (VerbArguments) -> ClusterAction.Kind
    /// Its journal forms, one per kind of cluster action it makes.
    public let forms: [JournalForm]
    /// For a message verb: the message of one of its actions (what `expect alert "text"` compares).
    let message: ((ClusterAction.Kind) -> String?)?
    /// What makes two rules fight with this verb (W0501, `FightAnalysis`): it moves its
    /// targets from one place to another (`move`), or another verb reverses it, both setting
    /// one field of the targets (`cap` is reversed by `uncap`, on `power_cap`).
    let transfer: FightAnalysis.Transfer?
    let reversedBy: (verb: String, field: String)?
    /// A planning verb (`shift`) makes no actions of its own: the binding resolves each target
    /// to an action of the verbs named here (or to none), journalled as theirs; `expect VERB`
    /// in a test matches those.
    public let resolvesTo: [String]
    /// The action for one target of a planning verb, nil for none.
    let perTarget: ((VerbArguments, String) -> ClusterAction.Kind?)?

    init(_ name: String, doc: String, targets: Targets, slots: [SlotDeclaration] = [], exactlyOneOf: [[String]] = [],
         forms: [JournalForm], message: ((ClusterAction.Kind) -> String?)? = nil, transfer: FightAnalysis.Transfer? = nil,
         reversedBy: (verb: String, field: String)? = nil, action: @escaping (VerbArguments) -> ClusterAction.Kind) {
        self.name = name; self.doc = doc; self.targets = targets; self.slots = slots; self.exactlyOneOf = exactlyOneOf
        self.forms = forms; self.message = message; self.transfer = transfer; self.reversedBy = reversedBy; self.action = action
        resolvesTo = []; perTarget = nil
    }

    /// A planning verb: each target resolved on its own to an action of the `resolvesTo` verbs.
    init(planning name: String, doc: String, targets: Targets, slots: [SlotDeclaration], resolvesTo: [String],
         perTarget: @escaping (VerbArguments, String) -> ClusterAction.Kind?) {
        self.name = name; self.doc = doc; self.targets = targets; self.slots = slots; exactlyOneOf = []
        forms = []; message = nil; transfer = nil; reversedBy = nil; action = { _ in .release }
        self.resolvesTo = resolvesTo; self.perTarget = perTarget
    }

    public func signature(in context: DeclarationContext) -> VerbSignature {
        let patterns: [TypePattern]
        switch targets {
        case .jobs: patterns = [.exact(.list(.record("job"))), .exact(.record("job"))]
        case .nodes: patterns = [.exact(.list(.record("node"))), .exact(.record("node"))]
        case .message: patterns = [.exact(.string)]
        }
        return VerbSignature(name, doc: doc, targets: patterns, slots: slots.map { $0.signature(in: context) },
                             exactlyOneOf: exactlyOneOf)
    }

    /// Whether a cluster action is one of this verb's (one of its journal forms encodes it).
    public func makes(_ kind: ClusterAction.Kind) -> Bool { forms.contains { $0.encode(kind) != nil } }

    /// The predicate a test's `expect VERB ... KEY value` puts on an action of this verb; nil
    /// when the verb has no such slot or the value does not fit it.
    public func matcher(slot key: String, value: Value) -> ((ClusterAction.Kind) -> Bool)? {
        slots.first { $0.key == key }?.matches(value)
    }

    /// Whether an action names `subject`: among its targets, or its message.
    public func names(_ subject: String, in action: ClusterAction) -> Bool {
        if let message { return message(action.kind) == subject }
        return action.targets.contains(subject)
    }
}

/// One slot of a verb (`to pool`, `at`): its signature, and what a test expecting a value
/// in it compares the action with.
public struct SlotDeclaration: @unchecked Sendable {
    public let key: String
    public let type: WattType
    public let required: Bool
    public let doc: String
    public let allowed: AllowedValues
    /// A test's expected value → the predicate on the action (nil: the value does not fit).
    let matches: (Value) -> ((ClusterAction.Kind) -> Bool)?

    init(_ key: String, _ type: WattType, required: Bool = false, doc: String = "", allowed: AllowedValues = .any,
         matches: @escaping (Value) -> ((ClusterAction.Kind) -> Bool)?) {
        self.key = key; self.type = type; self.required = required; self.doc = doc; self.allowed = allowed
        self.matches = matches
    }

    func signature(in context: DeclarationContext) -> SlotSignature {
        SlotSignature(key, .exact(type), required: required, doc: doc, allowedValues: allowed.values(in: context))
    }
}

/// The slots and target of a proposed action, as a verb's `action` reads them.
public struct VerbArguments {
    /// The ids of the target records (jobs or nodes).
    public var ids: [String]
    /// The target of a message verb.
    public var message: String?
    let slots: [ProposedAction.Slot]
    /// The binding's carbon plans (planning verbs read them).
    var plans: CarbonPlans?

    /// A number or an instant slot, in SI units.
    public func number(_ key: String) -> Double? {
        switch slots.first(where: { $0.key == key })?.value {
        case .number(let v)?, .instant(let v)?: return v
        default: return nil
        }
    }

    public func string(_ key: String) -> String? {
        if case .string(let v)? = slots.first(where: { $0.key == key })?.value { return v }
        return nil
    }
}

/// How the journal stores one kind of a verb's cluster actions: a stable code (`move-pool`)
/// and the action's parameters in three optional columns.
public struct JournalForm: @unchecked Sendable {
    public let code: String
    /// The parameters of an action of this form; nil for an action of another form.
    let encode: (ClusterAction.Kind) -> JournalFields?
    let decode: (JournalFields) -> ClusterAction.Kind

    init(_ code: String, encode: @escaping (ClusterAction.Kind) -> JournalFields?,
         decode: @escaping (JournalFields) -> ClusterAction.Kind) {
        self.code = code; self.encode = encode; self.decode = decode
    }
}

/// An action's parameters as the journal stores them.
public struct JournalFields: Sendable, Equatable {
    public var number: Double?
    public var text: String?
    public var severity: String?
    public init(number: Double? = nil, text: String? = nil, severity: String? = nil) {
        self.number = number; self.text = text; self.severity = severity
    }
}
