import Foundation
import Testing
@testable import WattCLI

/// `watt journal` and `watt explain` open a journal read-only: a file that is not a Watt
/// journal (an empty file, another program's SQLite database, text) is refused with
/// `error[C0203]` and left exactly as it was (no tables added, no switch to WAL); a damaged
/// journal is reported (exit 1 and a warning, or an error), never read as if whole.
@Suite struct JournalReadOnlyTests {
    func temporary() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-jro-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A minimal SQLite database of another program: one page, no tables, rollback journal
    /// mode (header bytes 18-19 are 1: legacy, not WAL), built by hand so the test needs no
    /// sqlite3 tool.
    static func foreignDatabase() throws -> Data {
        var page = Data(count: 4096)
        let header = Array("SQLite format 3\0".utf8)
        page.replaceSubrange(0..<16, with: header)
        page[16] = 0x10; page[17] = 0x00          // page size 4096
        page[18] = 1; page[19] = 1                // legacy (rollback) file format
        page[21] = 64; page[22] = 32; page[23] = 32
        page[27] = 1                              // change counter
        page[31] = 1                              // database size: 1 page
        page[47] = 4                              // schema format 4
        page[59] = 1                              // text encoding UTF-8
        page[95] = 1                              // version-valid-for
        page[100] = 0x0D                          // an empty table b-tree leaf (sqlite_master)
        page[105] = 0x10; page[106] = 0x00        // cell content area at 4096
        return page
    }

    @Test(arguments: ["empty", "foreign", "text"]) func notAJournalIsRefusedUntouched(_ kind: String) throws {
        let dir = try temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("\(kind).db")
        let content: Data = switch kind {
        case "empty": Data()
        case "foreign": try Self.foreignDatabase()
        default: Data("not a database\n".utf8)
        }
        try content.write(to: file)
        for arguments in [["journal", file.path], ["explain", "x", "--journal", file.path]] {
            let result = try runWatt(arguments)
            #expect(result.status == 2, "\(arguments): \(result)")
            #expect(result.stderr.hasPrefix("error[C0203]: `\(file.path)`"), "\(result.stderr)")
            #expect(result.stderr.contains("not a Watt journal"), "\(result.stderr)")
            #expect(try Data(contentsOf: file) == content, "the file was changed")
            let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            #expect(left == ["\(kind).db"], "files beside it: \(left)")
        }
    }

    @Test func aJournalReadsAndADamagedOneIsReported() throws {
        let dir = try temporary()
        defer { try? FileManager.default.removeItem(at: dir) }
        let journal = dir.appendingPathComponent("run.db").path
        let run = try runWatt(["run", "policies/peak", "--days", "0.2", "--journal", journal])
        #expect(run.status == 0)
        let whole = try runWatt(["journal", journal])
        #expect(whole.status == 0 && whole.stdout.contains("integrity ok"))
        #expect(try runWatt(["explain", "shave_peak", "--journal", journal]).status == 0)
        // Damage the middle of the database (past the schema pages).
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: journal))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size / 2)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 8192))
        try handle.close()
        for arguments in [["journal", journal], ["explain", "shave_peak", "--journal", journal]] {
            let damaged = try runWatt(arguments)
            #expect(damaged.status != 0, "\(arguments): a damaged journal read as whole: \(damaged.stdout)")
            #expect(!damaged.stderr.isEmpty || damaged.stdout.contains("integrity") && !damaged.stdout.contains("integrity ok"),
                    "\(arguments): no word of the damage")
        }
    }
}
