import Foundation
import WattControl
import WattLanguage

/// What a command printed and how it ended; commands return this so tests can run them
/// in process and the executable only prints it.
public struct CommandOutput: Sendable, Equatable, Error {
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

/// Finds policy files: files as given, directories searched recursively for `*.watt`
/// (the same rule as the control loop's `PolicySet`).
enum PolicyFiles {
    struct Failure: Error { var message: String }

    static func expand(_ paths: [String]) throws -> [String] {
        do { return try PolicySet.expand(paths) } catch { throw Failure(message: error.message) }
    }

    static func load(_ path: String) throws -> SourceFile {
        do { return try PolicySet.load(path) } catch { throw Failure(message: error.message) }
    }
}
