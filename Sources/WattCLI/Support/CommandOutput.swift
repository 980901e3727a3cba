import Foundation
import WattControl
import WattLanguage
import WattSupport

/// What a command printed and how it ended; commands return this so tests can run them
/// in process and the executable only prints it.
public struct CommandOutput: Sendable, Equatable, Error {
    public var stdout: String = ""
    public var stderr: String = ""
    public var exitCode: Int32 = 0

    public init(stdout: String = "", stderr: String = "", exitCode: Int32 = 0) {
        self.stdout = stdout; self.stderr = stderr; self.exitCode = exitCode
    }

    /// An error as every command prints it: `error[CODE]: message` (and `help: hint`) on
    /// stderr, with the code's exit status.
    public init(error: WattError, stdout: String = "") {
        self.init(stdout: stdout + (error.details ?? ""), stderr: error.description + "\n", exitCode: error.exitStatus)
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
    static func expand(_ paths: [String]) throws(WattError) -> [String] { try PolicySet.expand(paths) }
    static func load(_ path: String) throws(WattError) -> SourceFile { try PolicySet.load(path) }
}
