import Foundation
import Testing
@testable import WattSupport

/// Issue 18: `--metrics-file` wrote `FILE.tmp` following a symlink planted there (as root,
/// any file could be clobbered through a shared metrics directory).
@Suite struct AtomicFileTests {
    func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-atomic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aSymlinkPlantedAtTheTemporaryNameIsNeverFollowed() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let victim = dir + "/victim", target = dir + "/watt.prom"
        try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        var names = ["planted", "fresh"].makeIterator()
        try FileManager.default.createSymbolicLink(atPath: target + ".planted.tmp", withDestinationPath: victim)
        try AtomicFile.write(Array("watt_ticks_total 1\n".utf8), to: target, suffix: { names.next() ?? "last" })
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "watt_ticks_total 1\n")
        // The planted link is left alone; no temporary of ours is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["victim", "watt.prom", "watt.prom.planted.tmp"])
    }

    @Test func eachWriteReplacesTheFileAndAFailureSaysWhy() throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/m.prom"
        for n in 1...3 { try AtomicFile.write(Array("n \(n)\n".utf8), to: target) }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "n 3\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["m.prom"])
        #expect(throws: AtomicFile.Failure.self) { try AtomicFile.write([1], to: dir + "/missing/m.prom") }
    }
}
