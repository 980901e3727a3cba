/// Names that reach a Slurm command (job ids, partitions, nodes) come from policies, cluster
/// files and Slurm's own output. They are checked before use: a command gets only plain
/// names, so nothing can be read as an option, a second argument or shell syntax (no shell
/// runs anyway).
public enum SlurmNames {
    /// `123`, `123_4` (array task), `123+1` (het job component).
    public static func isJobID(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 32, s.first!.isASCII, s.first!.isNumber else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "_" || $0 == "+") }
    }

    /// Partition and node names: letters, digits, `-`, `_`, `.`; not starting with `-`.
    public static func isName(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 64, s.first != "-" else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    /// The reason Slurm records for a node a rule drains: `watt: RULE`. A rule name is free text
    /// to Slurm (an anonymous rule is named `line N`), so only letters, digits and
    /// `-_.:/` pass, anything else becomes `_`, and it is cut at 64 characters: the reason
    /// stays one plain value that no Slurm tool can read as another key or option.
    public static func drainReason(rule: String?) -> String {
        guard let rule, !rule.isEmpty else { return "watt" }
        let safe = rule.prefix(64).map { c -> Character in
            c.isASCII && (c.isLetter || c.isNumber || "-_.:/".contains(c)) ? c : "_"
        }
        return "watt: " + String(safe)
    }

    /// Why `s` is refused, for the rejected action's message.
    public static func refusal(_ s: String, as kind: String) -> String {
        "refused \(kind) `\(s.debugDescription.dropFirst().dropLast())`: only letters, digits and `-_.` may reach a Slurm command"
    }
}
