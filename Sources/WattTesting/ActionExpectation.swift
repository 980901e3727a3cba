import Foundation
import WattBindings
import WattCluster
import WattControl
import WattLanguage

/// `expect [no] VERB [node|nodes|job|jobs] ["ID"] {slot}`: what the control loop sent to the
/// scheduler on the ticks of the last `after` (after arbitration and guardrails).
extension StepContext {
    /// A predicate on one action, and how the expectation reads.
    struct Matcher {
        var verb: String
        var id: String?
        var test: (ClusterAction) -> Bool
    }

    /// The matcher of `expect VERB [KIND] ["ID"] {SLOT value}`, from the verb's declaration
    /// (`EnergyVerbs`): which cluster actions are the verb's, and what each slot compares.
    func matcher(verb: Identifier, kind: Identifier?, id: Expr?, slots: [Slot]) throws(TestFailure) -> Matcher {
        let name = verb.name
        let verbs = setup.binding.declarations.verbs
        guard let declaration = verbs.first(where: { $0.name == name }) else {
            let hint = Suggestions.closest(to: name, in: verbs.map(\.name).sorted()).map { "; did you mean `\($0)`?" } ?? ""
            throw TestFailure(range: verb.range, message: "unknown action `\(name)`\(hint)")
        }
        if let kind {
            let wantsNodes = kind.name.hasPrefix("node")
            if declaration.targets == .message || wantsNodes != (declaration.targets == .nodes) {
                throw TestFailure(range: kind.range, message: "`\(name)` does not act on \(kind.name)")
            }
        }
        var idText: String?
        if let id, case .string(let s) = id.kind { idText = s }
        var checks: [(ClusterAction.Kind) -> Bool] = []
        for slot in slots {
            let value = try evaluate(slot.value)
            guard let check = declaration.matcher(slot: slot.key, value: value.value) else {
                let known = verbs.filter { !$0.slots.isEmpty }.map { "\($0.name): \($0.slots.map(\.key).joined(separator: "/"))" }
                throw TestFailure(range: slot.range, message: "`\(slot.key)` with \(value.type.description) is not something `\(name)` has (\(known.joined(separator: "; ")))")
            }
            checks.append(check)
        }
        // A planning verb (`shift`) matches the actions its targets resolved to.
        let makers = [declaration] + declaration.resolvesTo.compactMap { name in verbs.first { $0.name == name } }
        let test: (ClusterAction) -> Bool = { action in
            guard makers.contains(where: { $0.makes(action.kind) }), checks.allSatisfy({ $0(action.kind) }) else { return false }
            guard let idText else { return true }
            return declaration.names(idText, in: action)
        }
        return Matcher(verb: name, id: idText, test: test)
    }

    func expectAction(negated: Bool, verb: Identifier, kind: Identifier?, id: Expr?, slots: [Slot],
                      range: SourceRange) throws(TestFailure) -> TestFailure? {
        if verb.name == "diagnostics" { return try expectDiagnostics(negated: negated, file: id, slots: slots, range: range) }
        let m = try matcher(verb: verb, kind: kind, id: id, slots: slots)
        guard ticksRun > 0 else { throw noTickYet(verb.range) }
        let sent = window.flatMap { record in record.proposed.map { (record.time, $0) } }
        let matching = sent.filter { m.test($0.1) }
        let text = expressions.file.text(range).replacingOccurrences(of: "expect ", with: "", options: .anchored)
        let span = window.count == 1 ? "at \(TimeCalendar.format(window[0].time))"
            : "from \(TimeCalendar.format(window.first!.time)) to \(TimeCalendar.format(window.last!.time)) (\(window.count) ticks)"
        if negated {
            guard let first = matching.first else { return nil }
            return TestFailure(range: range, message: "expected \(text) \(span), but at \(TimeCalendar.format(first.0)): \(describe(first.1))")
        }
        if !matching.isEmpty { return nil }
        var message = "expected \(text) \(span), but "
        if sent.isEmpty {
            message += "no action was sent"
            let states = window.last.map { r in rules.map { "\($0) \(Self.state(r.decisions[$0]))" }.joined(separator: ", ") } ?? ""
            if !states.isEmpty { message += "; rules: \(states)" }
        } else {
            message += "got:"
            for (time, action) in sent.prefix(8) { message += "\n    \(TimeCalendar.format(time)): \(describe(action))" }
            if sent.count > 8 { message += "\n    … and \(sent.count - 8) more" }
        }
        return TestFailure(range: range, message: message)
    }

    /// `expect diagnostics "FILE" [with codes ["E0401", ...]]`: the file (relative to the test
    /// file) does not check: every listed code is reported and every error code is listed
    /// (any error without a list); `expect no diagnostics "FILE"`: it checks clean. Checked with the test's
    /// vocabulary, alone (not with the policies).
    func expectDiagnostics(negated: Bool, file: Expr?, slots: [Slot], range: SourceRange) throws(TestFailure) -> TestFailure? {
        guard let file, case .string(let name) = file.kind else {
            throw TestFailure(range: range, message: "write `expect diagnostics \"FILE\" with codes [\"E0401\"]`")
        }
        let path = name.hasPrefix("/") ? name : ((expressions.file.name as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: path) else { throw TestFailure(range: file.range, message: "cannot read `\(name)`") }
        var expected: [String]?
        for slot in slots {
            guard slot.key == "with codes", case .list(let items) = slot.value.kind else {
                throw TestFailure(range: slot.range, message: "`diagnostics` takes `with codes [\"E0401\", ...]`")
            }
            expected = try items.map { item throws(TestFailure) in
                guard case .string(let code) = item.kind else { throw TestFailure(range: item.range, message: "a code is a string, e.g. \"E0401\"") }
                return code
            }
        }
        let source = SourceFile(name: name, bytes: Array(data))
        let diagnostics = Compilation.compile([source], vocabulary: setup.binding.vocabulary, stopAfter: .check).diagnostics
        let codes = Set(diagnostics.map(\.code.rawValue))
        let errorCodes = Set(diagnostics.filter { $0.severity == .error }.map(\.code.rawValue))
        let rendered = diagnostics.isEmpty ? "no diagnostics" : "\n" + DiagnosticRenderer.text(diagnostics)
        if negated {
            return diagnostics.isEmpty ? nil : TestFailure(range: range, message: "expected `\(name)` to check clean, but:\(rendered)")
        }
        if let expected {
            // Every listed code is reported, and every error reported is listed (warnings not
            // listed are not checked).
            let wanted = Set(expected)
            if wanted.isSubset(of: codes) && errorCodes.isSubset(of: wanted) { return nil }
            return TestFailure(range: range, message: "expected `\(name)` to report \(expected.joined(separator: ", ")), but it reports \(codes.isEmpty ? "nothing" : codes.sorted().joined(separator: ", ")):\(rendered)")
        }
        return diagnostics.hasErrors ? nil : TestFailure(range: range, message: "expected `\(name)` not to check, but it has no errors:\(rendered)")
    }

    static func state(_ d: RuleTimer.Decision?) -> String { (d ?? .inactive).stateName }

    func describe(_ action: ClusterAction) -> String {
        var targets = action.targets.prefix(4).map { "`\($0)`" }.joined(separator: ", ")
        if action.targets.count > 4 { targets += " and \(action.targets.count - 4) more" }
        var s = action.verbDescription + (targets.isEmpty ? "" : " for \(targets)")
        if let rule = action.rule { s += " (rule `\(rule)`" + (action.reason.isEmpty ? ")" : ", because \(action.reason))") }
        return s
    }
}
