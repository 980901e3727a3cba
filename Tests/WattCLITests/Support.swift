import Foundation
import Testing
import WattTestSupport

enum Paths {
    static let root: URL = RepositoryRoot.url
    static func fixture(_ name: String) -> String { root.appendingPathComponent("Tests/WattCLITests/Fixtures/\(name)").path }
    static let binary = root.appendingPathComponent(".build/debug/watt").path
}

/// Compares with a stored snapshot; `WATT_RECORD=1` rewrites it.
func assertSnapshot(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = Paths.root.appendingPathComponent("Tests/WattCLITests/Snapshots/\(name).txt")
    if ProcessInfo.processInfo.environment["WATT_RECORD"] == "1" {
        try actual.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        Issue.record("missing snapshot \(name); run with WATT_RECORD=1 and review it", sourceLocation: sourceLocation)
        return
    }
    #expect(actual == expected, "snapshot \(name) differs", sourceLocation: sourceLocation)
}

/// Runs the built `watt` binary; the end-to-end tests check stdout and the exit code.
func runWatt(_ arguments: [String], in directory: URL = Paths.root,
             environment: [String: String] = [:], input: String? = nil) throws -> (stdout: String, stderr: String, status: Int32) {
    let process = Process()
    if let input {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("watt-stdin-\(UUID().uuidString)")
        try input.write(to: file, atomically: true, encoding: .utf8)
        process.standardInput = try FileHandle(forReadingFrom: file)
        // Unlinked now: the open handle still reads it, and nothing is left behind.
        defer { try? FileManager.default.removeItem(at: file) }
    }
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    process.executableURL = URL(fileURLWithPath: Paths.binary)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self), process.terminationStatus)
}
