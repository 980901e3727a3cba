import WattSupport

/// "Did you mean" suggestions: the closest candidate by edit distance, when close enough
/// to be a plausible typo (case differences count as small).
public enum Suggestions {
    /// Names longer than this get no suggestion (the edit distance is quadratic, and no
    /// typo of a real name is this long).
    static let maxLength = 128

    public static func closest(to name: String, in candidates: some Sequence<String>) -> String? {
        guard name.utf8.count <= maxLength else { return nil }
        let target = Array(name.lowercased())
        let allowed = max(1, min(3, target.count / 3))
        var best: (String, Int)?
        for candidate in candidates where candidate != name {
            // The distance is at least the difference in length: skip hopeless candidates
            // before paying for the table.
            let lowered = Array(candidate.lowercased())
            guard abs(lowered.count - target.count) <= allowed else { continue }
            let distance = lowered == target ? 0 : editDistance(target, lowered)
            guard distance <= allowed else { continue }
            if best == nil || distance < best!.1 || (distance == best!.1 && candidate < best!.0) {
                best = (candidate, distance)
            }
        }
        return best?.0
    }

    public static func didYouMean(_ name: String, in candidates: some Sequence<String>) -> String? {
        closest(to: name, in: candidates).map { "did you mean `\($0)`?" }
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int { EditDistance.distance(a, b) }
}
