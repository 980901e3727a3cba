import Foundation
import WattLanguage

/// What a command printed and how it ended; commands return this so tests can run them
/// in process and the executable only prints it.
public struct CommandOutput: Sendable, Equatable {
    public var stdout: String = ""
    public var stderr: String = ""
    public var exitCode: Int32 = 0

    public init(stdout: String = "", stderr: String = "", exitCode: Int32 = 0) {
        self.stdout = stdout; self.stderr = stderr; self.exitCode = exitCode
    }

    public func emit() {
        if !stdout.isEmpty { FileHandle.standardOutput.write(Data(stdout.utf8)) }
        if !stderr.isEmpty { FileHandle.standardError.write(Data(stderr.utf8)) }
    }
}

public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json
}

/// Finds policy files: files as given, directories searched recursively for `*.watt`.
enum PolicyFiles {
    struct Failure: Error { var message: String }

    static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw Failure(message: "error: no such file or directory `\(path)`")
            }
            if isDirectory.boolValue {
                let found = (manager.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                    .filter { $0.hasSuffix(".watt") }
                    .sorted()
                    .map { (path as NSString).appendingPathComponent($0) }
                files.append(contentsOf: found)
            } else {
                files.append(path)
            }
        }
        return files
    }

    static func load(_ path: String) throws -> SourceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(message: "error: cannot read `\(path)`")
        }
        return SourceFile(name: path, bytes: Array(data))
    }
}
