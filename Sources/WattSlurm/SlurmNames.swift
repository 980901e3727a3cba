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

    /// Why `s` is refused, for the rejected action's message.
    public static func refusal(_ s: String, as kind: String) -> String {
        "refused \(kind) `\(s.debugDescription.dropFirst().dropLast())`: only letters, digits and `-_.` may reach a Slurm command"
    }
}
