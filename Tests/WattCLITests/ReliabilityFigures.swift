import Foundation

/// Reliability tests record what they tried (`.build/reliability/NAME.json`);
/// `scripts/reliability-figures.py`, run by `make test`, writes the figures into
/// docs/reliability.md and fails when one falls below its floor. Also in WattControlTests
/// and WattLanguageTests (a file each: test targets share no code).
enum ReliabilityFigures {
    static func record(_ name: String, test: String, _ figures: [String: Int]) {
        let dir = Paths.root.appendingPathComponent(".build/reliability")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let object: [String: Any] = ["property": name, "test": test, "figures": figures]
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]) {
            try? data.write(to: dir.appendingPathComponent("\(name).json"), options: .atomic)
        }
    }
}
