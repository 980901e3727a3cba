import WattSupport

/// A problem in a hardware profile file. Loading reports it and skips the entry it is in;
/// everything else still loads.
///
/// `description` reads `file: entry: field NAME: message`, leaving out the parts that do not
/// apply, e.g.
/// ``custom.json: devices[2] `my-gpu`: field idle_w: must be a number of watts ≥ 0, found string `abc` ``.
/// Messages are lowercase, with no final period; text from the file is in backticks.
public struct ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as it was named to the loader.
    public var file: String
    /// The entry, e.g. ``devices[2] `my-gpu` ``; `nil` for problems with the whole file.
    public var entry: String?
    /// The field path inside the entry (or the file), e.g. `idle_w`, `devices[1].count`.
    public var field: String?
    public var message: String

    public init(file: String, entry: String? = nil, field: String? = nil, message: String) {
        self.file = file
        self.entry = entry
        self.field = field
        self.message = message
    }

    public var description: String {
        var parts = [file]
        if let entry { parts.append(entry) }
        if let field { parts.append("field \(field)") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}

/// Looking up a catalog name that does not exist.
public struct HardwareLookupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `device`, `node`, `pool` or `curve`.
    public var kind: String
    public var name: String
    /// The closest existing name, when one is close.
    public var suggestion: String?

    public var description: String {
        "unknown \(kind) `\(name)`" + (suggestion.map { "; did you mean `\($0)`?" } ?? "")
    }
}

/// Did-you-mean suggestions for names and fields.
enum HardwareNames {
    /// The candidate closest to `name` by edit distance (case-insensitive), if it is close
    /// enough to be a plausible typo: at most 1 edit for short names, a third of the length
    /// otherwise; or a candidate that contains the name, or that the name starts with.
    static func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
        let n = Array(name.lowercased())
        var best: (distance: Int, name: String)?
        for candidate in candidates {
            let c = Array(candidate.lowercased())
            let d = editDistance(n, c)
            if best == nil || d < best!.distance { best = (d, candidate) }
        }
        guard let best else { return nil }
        if best.distance <= max(1, n.count / 3) { return best.name }
        // A fragment of a name, e.g. `h100-sxm` for `h100-sxm5-80gb`, or a name with more
        // after it, e.g. `idle_watts` for `idle_w`.
        let lower = name.lowercased()
        guard lower.count >= 3 else { return nil }
        return candidates.first(where: { $0.lowercased().contains(lower) })
            ?? candidates.first(where: { $0.count >= 3 && lower.hasPrefix($0.lowercased()) })
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and
    /// transpositions of neighbours each cost 1.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int { EditDistance.distance(a, b) }
}
