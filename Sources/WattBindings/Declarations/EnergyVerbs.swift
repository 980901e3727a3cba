import WattCluster
import WattLanguage

/// The action verbs of the energy vocabulary. Adding a verb is one entry here (with its
/// `ClusterAction.Kind`, which schedulers carry out): its signature, its cluster action, its
/// journal code, its metrics label and its test matcher all come from the entry.
public enum EnergyVerbs {
    public static let all: [VerbDeclaration] = [
        VerbDeclaration(
            "move", doc: "move queued jobs to another pool or node", targets: .jobs,
            slots: [
                SlotDeclaration("to pool", .string, allowed: .pools) { value in
                    guard case .string(let pool) = value else { return nil }
                    return { if case .move(to: .pool(pool)) = $0 { true } else { false } }
                },
                SlotDeclaration("to node", .string) { value in
                    guard case .string(let node) = value else { return nil }
                    return { if case .move(to: .node(node)) = $0 { true } else { false } }
                },
            ],
            exactlyOneOf: [["to pool", "to node"]],
            forms: [
                JournalForm("move-pool", encode: { if case .move(to: .pool(let p)) = $0 { JournalFields(text: p) } else { nil } },
                            decode: { .move(to: .pool($0.text ?? "")) }),
                JournalForm("move-node", encode: { if case .move(to: .node(let n)) = $0 { JournalFields(text: n) } else { nil } },
                            decode: { .move(to: .node($0.text ?? "")) }),
            ],
            // Rules that move jobs from one pool to another and back can fight (W0501).
            transfer: .init(verb: "move", destinationSlot: "to pool", schema: "job", sourceField: "pool")
        ) { a in
            if let pool = a.string("to pool") { return .move(to: .pool(pool)) }
            return .move(to: .node(a.string("to node") ?? ""))
        },
        VerbDeclaration(
            "defer", doc: "hold queued jobs until a time or for a duration", targets: .jobs,
            slots: [
                SlotDeclaration("until", .instant) { value in
                    guard case .instant(let t) = value else { return nil }
                    return { if case .deferUntil(let x) = $0 { abs(x - t) < 1e-3 } else { false } }
                },
                SlotDeclaration("for", .duration) { value in
                    guard case .number(let d) = value else { return nil }
                    return { if case .deferFor(let x) = $0 { abs(x - d) < 1e-6 } else { false } }
                },
            ],
            exactlyOneOf: [["until", "for"]],
            forms: [
                JournalForm("defer-until", encode: { if case .deferUntil(let t) = $0 { JournalFields(number: t) } else { nil } },
                            decode: { .deferUntil($0.number ?? 0) }),
                JournalForm("defer-for", encode: { if case .deferFor(let d) = $0 { JournalFields(number: d) } else { nil } },
                            decode: { .deferFor($0.number ?? 0) }),
            ],
            reversedBy: ("release", "state")
        ) { a in
            if let until = a.number("until") { return .deferUntil(until) }
            return .deferFor(a.number("for") ?? 0)
        },
        plain("release", doc: "release deferred jobs to the queue", targets: .jobs, .release),
        VerbDeclaration(
            "preempt", doc: "checkpoint running jobs and requeue them; `until T`: hold them until then", targets: .jobs,
            slots: [
                SlotDeclaration("until", .instant) { value in
                    guard case .instant(let t) = value else { return nil }
                    return { if case .preemptUntil(let x) = $0 { abs(x - t) < 1e-3 } else { false } }
                },
            ],
            forms: [
                JournalForm("preempt", encode: { $0 == .preempt ? JournalFields() : nil }, decode: { _ in .preempt }),
                JournalForm("preempt-until", encode: { if case .preemptUntil(let t) = $0 { JournalFields(number: t) } else { nil } },
                            decode: { .preemptUntil($0.number ?? 0) }),
            ]
        ) { a in a.number("until").map { .preemptUntil($0) } ?? .preempt },
        VerbDeclaration(
            planning: "shift",
            doc: "move jobs in time as `carbon_plan(job)` plans: a queued job is deferred until its planned start, a running one checkpointed until its planned resume, a deferred one whose plan is now to run released; `with budget D with share S`: the plan's wait allowance (as `carbon_plan(job, D, S)`)",
            targets: .jobs,
            slots: [
                SlotDeclaration("with budget", .duration, doc: "the longest a job may be held in all") { _ in nil },
                SlotDeclaration("with share", .number, doc: "the most a job may be held as a share of its length") { _ in nil },
            ],
            resolvesTo: ["defer", "preempt", "release"]
        ) { a, id in
            guard let plans = a.plans, let state = plans.state(of: id),
                  let plan = plans.planToShift(id: id, budget: a.number("with budget"), share: a.number("with share")) else { return nil }
            switch (state, plan.start) {
            case (.running, let t?): return .preemptUntil(t)
            case (.queued, let t?), (.deferred, let t?): return .deferUntil(t)
            case (.deferred, nil): return .release
            default: return nil
            }
        },
        VerbDeclaration(
            "cap", doc: "cap each GPU of the nodes at a power", targets: .nodes,
            slots: [
                SlotDeclaration("at", .quantity(.power), required: true) { value in
                    guard case .number(let w) = value else { return nil }
                    return { if case .cap(let watts) = $0 { abs(watts - w) <= 1e-6 * max(1, abs(w)) } else { false } }
                },
            ],
            forms: [
                JournalForm("cap", encode: { if case .cap(let w) = $0 { JournalFields(number: w) } else { nil } },
                            decode: { .cap(watts: $0.number ?? 0) }),
            ],
            reversedBy: ("uncap", "power_cap")
        ) { a in .cap(watts: a.number("at") ?? 0) },
        plain("uncap", doc: "remove the nodes' power caps", targets: .nodes, .uncap),
        plain("suspend", doc: "suspend idle nodes (power saving)", targets: .nodes, .suspend, reversedBy: ("wake", "state")),
        plain("wake", doc: "wake suspended nodes", targets: .nodes, .wake),
        plain("drain", doc: "take nodes out of service: no new jobs, running ones finish", targets: .nodes, .drain, reversedBy: ("resume", "state")),
        plain("resume", doc: "return drained nodes to service", targets: .nodes, .resume),
        VerbDeclaration(
            "alert", doc: "tell the operators", targets: .message,
            slots: [
                SlotDeclaration("with severity", .string, allowed: .fixed(["info", "warning", "critical"])) { value in
                    guard case .string(let s) = value else { return nil }
                    return { if case .alert(let severity, _) = $0 { severity == s } else { false } }
                },
            ],
            forms: [
                JournalForm("alert", encode: { if case .alert(let s, let m) = $0 { JournalFields(text: m, severity: s) } else { nil } },
                            decode: { .alert(severity: $0.severity ?? "warning", message: $0.text ?? "") }),
            ],
            message: { if case .alert(_, let m) = $0 { m } else { nil } }
        ) { a in .alert(severity: a.string("with severity") ?? "warning", message: a.message ?? "") },
    ]

    /// A verb with no slots, making one cluster action, journalled under its own name.
    static func plain(_ name: String, doc: String, targets: VerbDeclaration.Targets, _ kind: ClusterAction.Kind,
                      reversedBy: (verb: String, field: String)? = nil) -> VerbDeclaration {
        VerbDeclaration(name, doc: doc, targets: targets,
                        forms: [JournalForm(name, encode: { $0 == kind ? JournalFields() : nil }, decode: { _ in kind })],
                        reversedBy: reversedBy) { _ in kind }
    }
}
