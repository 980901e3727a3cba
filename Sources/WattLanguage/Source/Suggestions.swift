import WattSupport

/// "Did you mean" suggestions: the closest candidate by edit distance, when close enough
/// to be a plausible typo (case differences count as small).
public enum Suggestions {
    public static func closest(to name: String, in candidates: some Sequence<String>) -> String? {
        let target = Array(name.lowercased())
        var best: (String, Int)?
        for candidate in candidates where candidate != name {
            let distance = candidate.lowercased() == name.lowercased()
                ? 0 : editDistance(target, Array(candidate.lowercased()))
            let allowed = max(1, min(3, target.count / 3))
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
