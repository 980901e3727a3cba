import Foundation
import WattLanguage
import WattSupport

/// The policy files a run watches: directories expanded to their `.watt` files (sorted),
/// compiled against a vocabulary, and reloaded when they change on disk or when asked
/// (SIGHUP). A reload never makes things worse: a changed file with errors is reported and
/// its previous version keeps running; if the set still does not compile, the whole
/// previous program keeps running.
public final class PolicySet {
    /// What a reload did, for the operator and the journal.
    public struct ReloadEvent: Sendable {
        public enum Outcome: String, Sendable {
            /// Every change is running.
            case reloaded
            /// Some changed files had errors; their previous versions (or nothing, for new
            /// files) keep running, the other changes are running.
            case partial
            /// Nothing new could be compiled; the previous program keeps running.
            case rejected
        }
        public var outcome: Outcome
        /// Files added, changed or removed since the running version.
        public var changed: [String]
        /// Files whose new version was not taken (errors).
        public var kept: [String]
        /// The new versions' diagnostics (errors that kept a file back, and warnings).
        public var diagnostics: [Diagnostic]

        /// One line for the operator, e.g. "reloaded policies/peak/peak.watt".
        public var summary: String {
            switch outcome {
            case .reloaded: return "reloaded \(changed.joined(separator: ", "))"
            case .partial:
                return "reloaded \(changed.filter { !kept.contains($0) }.joined(separator: ", ")); "
                    + "\(kept.joined(separator: ", ")) has errors, its previous version keeps running"
            case .rejected:
                return "reload rejected: \(kept.joined(separator: ", ")) has errors, the previous version keeps running"
            }
        }
    }

    /// The paths as given (files and directories).
    public let paths: [String]
    /// The versions compiled into the running program, by path.
    public private(set) var running: [String: SourceFile] = [:]
    /// Modification time and size of each file when last read: a cheap change test.
    private var stamps: [String: Stamp] = [:]

    struct Stamp: Equatable {
        var modified: Date?
        var size: Int
    }

    /// Reads the files; a missing path or unreadable file is an error (at start, nothing runs
    /// without its policies).
    public init(paths: [String]) throws(WattError) {
        self.paths = paths
        for path in try Self.expand(paths, includingTests: false) {
            running[path] = try Self.load(path)
            stamps[path] = Self.stamp(path)
        }
    }

    /// The running files in path order.
    public var files: [SourceFile] { running.keys.sorted().compactMap { running[$0] } }

    /// Directories become their `.watt` files, sorted (test files, `*_test.watt`, only when
    /// `includingTests`: a run does not load them); files stay as given.
    public static func expand(_ paths: [String], includingTests: Bool = true) throws(WattError) -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw WattError(.unreadable, "no such file or directory `\(path)`")
            }
            if isDirectory.boolValue {
                let found = (manager.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                    .filter { $0.hasSuffix(".watt") && (includingTests || !$0.hasSuffix("_test.watt")) }
                    .sorted()
                    .map { (path as NSString).appendingPathComponent($0) }
                files.append(contentsOf: found)
            } else {
                files.append(path)
            }
        }
        return files
    }

    public static func load(_ path: String) throws(WattError) -> SourceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WattError(.unreadable, "cannot read `\(path)`")
        }
        return SourceFile(name: path, bytes: Array(data))
    }

    static func stamp(_ path: String) -> Stamp? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        return Stamp(modified: attributes[.modificationDate] as? Date, size: (attributes[.size] as? NSNumber)?.intValue ?? 0)
    }

    /// Whether any file was added, removed or touched since the running version (stat only).
    public func hasChanges() -> Bool {
        guard let now = try? Self.expand(paths, includingTests: false) else { return true }
        if Set(now) != Set(stamps.keys) { return true }
        return now.contains { Self.stamp($0) != stamps[$0] }
    }

    /// Re-reads the files; when something changed (or `force`), compiles the new set and
    /// returns the program to run now (nil: keep the running one) and what happened (nil:
    /// nothing changed).
    public func reload(vocabulary: Vocabulary, force: Bool = false) -> (program: Program?, event: ReloadEvent)? {
        guard force || hasChanges() else { return nil }
        let nowPaths = (try? Self.expand(paths, includingTests: false)) ?? Array(running.keys)
        var candidate: [String: SourceFile] = [:]
        var newStamps: [String: Stamp] = [:]
        var unreadable: [String] = []
        for path in nowPaths {
            newStamps[path] = Self.stamp(path)
            if let file = try? Self.load(path) { candidate[path] = file } else { unreadable.append(path) }
        }
        stamps = newStamps
        var changed = candidate.filter { path, file in running[path].map { $0.bytes != file.bytes } ?? true }.map(\.key)
        changed += running.keys.filter { candidate[$0] == nil && !unreadable.contains($0) }
        changed += unreadable
        changed.sort()
        guard !changed.isEmpty else { return nil }
        // An unreadable file (being written, permissions) keeps its running version.
        for path in unreadable { candidate[path] = running[path] }

        func compile(_ set: [String: SourceFile]) -> CompilationResult {
            Compilation.compile(set.keys.sorted().compactMap { set[$0] }, vocabulary: vocabulary)
        }
        let first = compile(candidate)
        if let program = first.program, !first.hasErrors {
            let kept = unreadable.sorted()
            running = candidate
            return (program, ReloadEvent(outcome: kept.isEmpty ? .reloaded : .partial, changed: changed, kept: kept,
                                         diagnostics: first.diagnostics))
        }
        // Put back the previous version of each changed file with errors (drop new ones).
        let broken = Set(first.diagnostics.filter { $0.severity == .error }.compactMap { $0.source?.name })
            .intersection(changed).union(unreadable)
        var repaired = candidate
        for path in broken { repaired[path] = running[path] }
        let second = broken.isEmpty ? first : compile(repaired)
        let errors = first.diagnostics.filter { $0.severity == .error }
        if let program = second.program, !second.hasErrors, broken.count < changed.count {
            running = repaired
            return (program, ReloadEvent(outcome: .partial, changed: changed, kept: broken.sorted(), diagnostics: errors))
        }
        let kept = broken.isEmpty ? changed : broken.sorted()
        return (nil, ReloadEvent(outcome: .rejected, changed: changed, kept: kept, diagnostics: errors))
    }
}
