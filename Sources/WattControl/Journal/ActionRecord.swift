import Foundation
import WattBindings
import WattCluster

/// A cluster action as the journal stores it, so a run can be replayed exactly.
struct ActionRecord: Codable, Equatable {
    var verb: String
    var targets: [String]
    var rule: String?
    var reason: String
    var number: Double?
    var text: String?
    var severity: String?

    /// Encoded by the verb declarations' journal forms (`EnergyVerbs`): the codes
    /// (`move-pool`, `defer-until`, ...) are stable, so journals of earlier versions read.
    init(_ a: ClusterAction, declarations: EnergyDeclarations = .standard) {
        targets = a.targets
        rule = a.rule
        reason = a.reason
        // Every `ClusterAction.Kind` is some verb's form (`EnergyDeclarationsTests`).
        let encoded = declarations.journalEncoding(of: a.kind)
        verb = encoded?.code ?? "unknown"
        number = encoded?.fields.number
        text = encoded?.fields.text
        severity = encoded?.fields.severity
    }

    /// The action; nil for a code no verb declares.
    func action(declarations: EnergyDeclarations = .standard) -> ClusterAction? {
        guard let kind = declarations.journalDecoding(code: verb, fields: JournalFields(number: number, text: text, severity: severity))
        else { return nil }
        return ClusterAction(kind, targets: targets, rule: rule, reason: reason)
    }

    var action: ClusterAction? { action() }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
