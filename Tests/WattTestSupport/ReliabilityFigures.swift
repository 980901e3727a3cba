import Foundation

/// Reliability tests record what they tried (`.build/reliability/PROPERTY[--PART].json`);
/// `scripts/reliability-figures.py`, run by `make test`, adds up the parts of each property,
/// writes the figures into docs/reliability.md and fails when one falls below its floor.
/// Shared by the test targets that record (target `WattTestSupport`).
public enum ReliabilityFigures {
    public static let root = RepositoryRoot.url

    /// Writes one record. `part` names what one test (or one case of a parameterised test)
    /// tried, so that tests running in parallel never share a file; `skipped` says why the
    /// test could not run here.
    public static func record(_ property: String, part: String? = nil, test: String, _ figures: [String: Int], skipped: String? = nil) {
        let dir = root.appendingPathComponent(".build/reliability")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var object: [String: Any] = ["property": property, "test": test, "figures": figures]
        if let part { object["part"] = part }
        if let skipped { object["skipped"] = skipped }
        let name = part.map { property + "--" + String($0.map { $0.isLetter || $0.isNumber ? $0 : "-" }) } ?? property
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]) {
            try? data.write(to: dir.appendingPathComponent("\(name).json"), options: .atomic)
        }
    }
}

/// What a test tried, by kind, and how many of those inputs behaved as required (every
/// check on that input held): the figures `KIND: tried` and `KIND: as required`.
public struct Tally {
    public init() {}

    public private(set) var figures: [String: Int] = [:]

    /// Counts one input of `kind`; `ok` is whether all its checks held.
    @discardableResult
    public mutating func count(_ kind: String, _ ok: Bool) -> Bool {
        figures[kind + ": tried", default: 0] += 1
        figures[kind + ": as required", default: 0] += ok ? 1 : 0
        return ok
    }

    /// Whether every input counted so far behaved as required.
    public var allAsRequired: Bool {
        figures.allSatisfy { key, tried in
            !key.hasSuffix(": tried") || figures[String(key.dropLast(": tried".count)) + ": as required"] == tried
        }
    }

    public func record(_ property: String, part: String? = nil, test: String) {
        ReliabilityFigures.record(property, part: part, test: test, figures)
    }
}
