import Foundation
import Testing
import WattTestSupport

/// A journal whose directory or files become read-only while `watt run` writes it, made so
/// by means that bind root too (the tests run as root, who ignores permission bits): the
/// immutable attribute (`chattr +i`, which ext4, XFS and Btrfs honour for everyone), and,
/// for the permission bits themselves, a run as an unprivileged user (`setpriv` to
/// `nobody`). The run is stopped at a known point (`WATT_FAULT_STOP`, SIGSTOP), the change
/// made, and the run let go (SIGCONT). Where the file system or the machine lacks the means,
/// the test records a skip with the reason (scripts/reliability-figures.py prints it).
@Suite(.serialized) struct ReadOnlyJournalTests {
    static let test = "Tests/WattCLITests/ReadOnlyJournalTests.swift"
    static let arguments = RandomCrashTests.arguments
    /// The start of tick 10 of 36 (six fault points a tick).
    static let stopPoint = 6 * 9 + 1

    @discardableResult
    static func shell(_ command: String) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command + " 2>&1"]
        let out = Pipe()
        process.standardOutput = out
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func quoted(_ path: String) -> String { "'" + path.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Nil when `chattr +i` makes a file unwritable even to this process, else why not.
    static let immutableUnsupported: String? = {
        guard let dir = try? CrashRecoveryTests().temporaryDirectory() else { return "no temporary directory" }
        defer { shell("chattr -R -i \(quoted(dir.path))"); try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("probe").path
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let set = shell("chattr +i \(quoted(file))")
        guard set.status == 0 else {
            return "`chattr +i` is not available on the temporary directory's file system here: \(set.output.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
        if FileHandle(forWritingAtPath: file) != nil { return "`chattr +i` did not stop this process from writing a file" }
        return nil
    }()

    /// Nil when `setpriv` can run the built `watt` as `nobody`, else why not.
    /// What `nobody` runs: a copy of the binary (with its resource bundles) and of the
    /// run's inputs in a world-readable directory under /tmp, since a clone may live in a
    /// directory only its owner can enter (`mktemp -d` makes mode 0700). Removed after the test.
    struct UnprivilegedTree {
        let root: URL
        var binary: String { root.appendingPathComponent("bin/watt").path }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("watt-nobody-\(UUID().uuidString)")
            let fm = FileManager.default
            let bin = root.appendingPathComponent("bin")
            try fm.createDirectory(at: bin, withIntermediateDirectories: true)
            let built = URL(fileURLWithPath: Paths.binary).deletingLastPathComponent()
            try fm.copyItem(at: URL(fileURLWithPath: Paths.binary), to: bin.appendingPathComponent("watt"))
            for bundle in try fm.contentsOfDirectory(atPath: built.path) where bundle.hasSuffix(".resources") {
                try fm.copyItem(at: built.appendingPathComponent(bundle), to: bin.appendingPathComponent(bundle))
            }
            // The inputs `RandomCrashTests.arguments` name, at the same relative paths.
            for input in ["policies", "Tests/WattCLITests/Fixtures/crash", "examples/data/grid"] {
                let target = root.appendingPathComponent(input)
                try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try fm.copyItem(at: Paths.root.appendingPathComponent(input), to: target)
            }
            ReadOnlyJournalTests.shell("chmod -R a+rX \(ReadOnlyJournalTests.quoted(root.path))")
        }

        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    /// Why `nobody` cannot run the copy here (no `setpriv`, or no user `nobody`), or nil.
    static func unprivilegedUnsupported(_ tree: UnprivilegedTree) -> String? {
        let probe = shell("cd \(quoted(tree.root.path)) && setpriv --reuid=nobody --regid=nogroup --clear-groups \(quoted(tree.binary)) eval 1")
        return probe.status == 0 ? nil
            : "cannot run `watt` as `nobody` with `setpriv` here: \(probe.output.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))"
    }

    /// A run started in the background; its output goes to files (no pipe to fill up).
    struct Background {
        let process: Process
        let out: URL
        let err: URL

        init(_ arguments: [String], environment: [String: String], dir: URL, prefix: [String] = [],
             tree: UnprivilegedTree? = nil) throws {
            process = Process()
            out = dir.appendingPathComponent("stdout-\(UUID().uuidString)")
            err = dir.appendingPathComponent("stderr-\(UUID().uuidString)")
            FileManager.default.createFile(atPath: out.path, contents: nil)
            FileManager.default.createFile(atPath: err.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            if prefix.isEmpty {
                process.executableURL = URL(fileURLWithPath: Paths.binary)
                process.arguments = arguments
            } else {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = prefix + [tree?.binary ?? Paths.binary] + arguments
            }
            process.currentDirectoryURL = tree?.root ?? Paths.root
            try process.run()
        }

        /// Waits until the process (or, through `setpriv`, the same process after exec)
        /// has stopped itself; false after `seconds`, or if it ended first.
        func waitStopped(seconds: Double = 120) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                guard process.isRunning else { return false }
                if let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
                   let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "T" {
                    return true
                }
                usleep(20_000)
            }
            return false
        }

        func resume() -> (stdout: String, stderr: String, status: Int32) {
            kill(process.processIdentifier, SIGCONT)
            return wait()
        }

        func wait() -> (stdout: String, stderr: String, status: Int32) {
            process.waitUntilExit()
            let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
            let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            return (stdout, stderr, process.terminationStatus)
        }
    }

    static func ticks(_ journal: String) -> Int {
        let summary = (try? runWatt(["journal", journal]).stdout) ?? ""
        return summary.firstMatch(of: /: ([0-9]+) ticks/).flatMap { Int($0.1) } ?? -1
    }

    static func integrityOK(_ journal: String) -> Bool { ((try? runWatt(["journal", journal]).stdout) ?? "").contains("integrity ok") }

    /// Resumes `journal` and checks the run ends like the uninterrupted one.
    static func resumesToTheReference(_ journal: String, in dir: URL) throws -> Bool {
        let reference = try RandomCrashTests.reference.get()
        let json = dir.appendingPathComponent("resumed-\(UUID().uuidString).json").path
        let resumed = try runWatt(arguments + ["--journal", journal, "--resume", "--json", json])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let report = (try? String(contentsOf: URL(fileURLWithPath: json), encoding: .utf8)) == reference.report
        #expect(report, "the resumed run's report differs from the uninterrupted run's")
        let actions = try runWatt(["journal", journal, "--actions"]).stdout == reference.actions
        #expect(actions, "the journal's actions differ from the uninterrupted run's")
        return resumed.status == 0 && report && actions && integrityOK(journal)
    }

    /// The directory made immutable at tick 10: SQLite already holds every file it writes
    /// (the database, its write-ahead log and shared-memory index), so the run goes on and
    /// ends like the uninterrupted run; nothing needs a new file. The log it could not
    /// remove at the end stays beside the journal, which reads and resumes as before.
    @Test func theDirectoryMadeImmutableMidRun() throws {
        if let why = Self.immutableUnsupported {
            ReliabilityFigures.record("read-only-journal", part: "directory", test: Self.test, [:], skipped: why)
            return
        }
        let reference = try RandomCrashTests.reference.get()
        let work = try CrashRecoveryTests().temporaryDirectory()
        let dir = work.appendingPathComponent("journal")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { Self.shell("chattr -R -i \(Self.quoted(work.path))"); try? FileManager.default.removeItem(at: work) }
        let journal = dir.appendingPathComponent("run.db").path
        let json = work.appendingPathComponent("report.json").path
        let run = try Background(Self.arguments + ["--journal", journal, "--json", json], environment: ["WATT_FAULT_STOP": "\(Self.stopPoint)"],
                                 dir: work)
        try #require(run.waitStopped(), "the run did not stop at point \(Self.stopPoint)")
        let set = Self.shell("chattr +i \(Self.quoted(dir.path))")
        #expect(set.status == 0, "\(set.output)")
        let created = FileManager.default.createFile(atPath: dir.appendingPathComponent("probe").path, contents: Data())
        #expect(!created, "the directory still takes new files")
        let ended = run.resume()
        #expect(ended.status == 0, "\(ended.stdout)\(ended.stderr)")
        let sameReport = (try? String(contentsOf: URL(fileURLWithPath: json), encoding: .utf8)) == reference.report
        #expect(sameReport)
        let actions = try runWatt(["journal", journal, "--actions"]).stdout == reference.actions
        #expect(actions)
        let integrity = Self.integrityOK(journal)
        #expect(integrity)
        var tally = Tally()
        tally.count("journal directory made immutable mid-run", ended.status == 0 && sameReport && actions && integrity && !created)
        tally.record("read-only-journal", part: "directory", test: Self.test)
    }

    /// The journal's files (the database and its write-ahead log) made immutable at tick 10:
    /// the tick's write fails, the run stops with an error naming the journal and what to do,
    /// the journal ends at tick 9 with integrity ok, and once writable again `--resume`
    /// finishes the run like the uninterrupted one.
    @Test func theJournalFilesMadeImmutableMidRun() throws {
        if let why = Self.immutableUnsupported {
            ReliabilityFigures.record("read-only-journal", part: "files", test: Self.test, [:], skipped: why)
            return
        }
        let work = try CrashRecoveryTests().temporaryDirectory()
        defer { Self.shell("chattr -R -i \(Self.quoted(work.path))"); try? FileManager.default.removeItem(at: work) }
        let journal = work.appendingPathComponent("run.db").path
        let run = try Background(Self.arguments + ["--journal", journal], environment: ["WATT_FAULT_STOP": "\(Self.stopPoint)"], dir: work)
        try #require(run.waitStopped(), "the run did not stop at point \(Self.stopPoint)")
        let set = Self.shell("chattr +i \(Self.quoted(journal)) \(Self.quoted(journal + "-wal"))")
        #expect(set.status == 0, "\(set.output)")
        let ended = run.resume()
        #expect(ended.status == 1, "\(ended.stdout)\(ended.stderr)")
        let said = ended.stderr.contains("error[C0302]: cannot write journal `\(journal)`")
            && ended.stderr.contains("the run stopped after its last complete tick") && ended.stderr.contains("--resume")
        #expect(said, "\(ended.stdout)\(ended.stderr)")
        Self.shell("chattr -i \(Self.quoted(journal)) \(Self.quoted(journal + "-wal"))")
        let ticks = Self.ticks(journal)
        #expect(ticks == 9, "the journal should end at the last complete tick")
        let integrity = Self.integrityOK(journal)
        #expect(integrity)
        let resumed = try Self.resumesToTheReference(journal, in: work)
        var tally = Tally()
        tally.count("journal files made immutable mid-run", ended.status == 1 && said && ticks == 9 && integrity && resumed)
        tally.record("read-only-journal", part: "files", test: Self.test)
    }

    /// A run stopped part-way (a full disk) is resumed while its directory is immutable: the
    /// journal cannot be opened for writing (SQLite needs to create its log beside it), so the
    /// resume is refused before it runs, the journal untouched; made writable again, the
    /// resume finishes the run.
    @Test func aResumeInAnImmutableDirectoryIsRefusedThenFinishes() throws {
        if let why = Self.immutableUnsupported {
            ReliabilityFigures.record("read-only-journal", part: "resume", test: Self.test, [:], skipped: why)
            return
        }
        let work = try CrashRecoveryTests().temporaryDirectory()
        let dir = work.appendingPathComponent("journal")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { Self.shell("chattr -R -i \(Self.quoted(work.path))"); try? FileManager.default.removeItem(at: work) }
        let journal = dir.appendingPathComponent("run.db").path
        let full = try runWatt(Self.arguments + ["--journal", journal], environment: ["WATT_FAULT_JOURNAL_MAX_PAGES": "30"])
        #expect(full.status == 1)
        let before = Self.ticks(journal)
        #expect(before > 0 && before < 36)
        let set = Self.shell("chattr +i \(Self.quoted(dir.path))")
        #expect(set.status == 0, "\(set.output)")
        let refused = try runWatt(Self.arguments + ["--journal", journal, "--resume"])
        #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
        let said = refused.stderr.contains("error[C0203]: cannot open journal `\(journal)`")
            && refused.stderr.contains("help: the journal's directory must exist and be writable")
        #expect(said, "\(refused.stderr)")
        #expect(!refused.stdout.contains("IT energy"), "nothing ran")
        Self.shell("chattr -i \(Self.quoted(dir.path))")
        let untouched = Self.ticks(journal) == before
        #expect(untouched)
        let resumed = try Self.resumesToTheReference(journal, in: work)
        var tally = Tally()
        tally.count("resume in an immutable directory", refused.status == 2 && said && untouched && resumed)
        tally.record("read-only-journal", part: "resume", test: Self.test)
    }

    /// The permission bits, for runs as `nobody`. The directory and the journal's files made
    /// read-only (`chmod a-w`) at tick 10: the files are already open, so the run goes on
    /// and ends like the uninterrupted run. A journal stopped part-way (a full disk) in a
    /// read-only directory: its resume is refused with the error and help, the journal
    /// untouched; the directory writable again, the resume finishes the run.
    @Test func unprivilegedRunsAndAReadOnlyDirectory() throws {
        let tree = try UnprivilegedTree()
        defer { tree.remove() }
        if let why = Self.unprivilegedUnsupported(tree) {
            ReliabilityFigures.record("read-only-journal", part: "unprivileged", test: Self.test, [:], skipped: why)
            return
        }
        let reference = try RandomCrashTests.reference.get()
        let work = try CrashRecoveryTests().temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let asNobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        func make(_ name: String) throws -> URL {
            let dir = work.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            Self.shell("chown nobody:nogroup \(Self.quoted(work.path)) \(Self.quoted(dir.path)); chmod 755 \(Self.quoted(work.path))")
            return dir
        }
        var tally = Tally()

        // Write access lost mid-run.
        let dir = try make("mid-run")
        let journal = dir.appendingPathComponent("run.db").path
        let json = work.appendingPathComponent("report.json").path
        let run = try Background(Self.arguments + ["--journal", journal, "--json", json],
                                 environment: ["WATT_FAULT_STOP": "\(Self.stopPoint)"], dir: work, prefix: asNobody, tree: tree)
        try #require(run.waitStopped(), "the run did not stop at point \(Self.stopPoint)")
        Self.shell("chmod a-w \(Self.quoted(dir.path)) \(Self.quoted(journal))*")
        let denied = Self.shell("setpriv --reuid=nobody --regid=nogroup --clear-groups touch \(Self.quoted(dir.path + "/probe"))").status != 0
        #expect(denied, "nobody can still create files in the directory")
        let ended = run.resume()
        #expect(ended.status == 0, "\(ended.stdout)\(ended.stderr)")
        let sameReport = (try? String(contentsOf: URL(fileURLWithPath: json), encoding: .utf8)) == reference.report
        #expect(sameReport)
        let actions = try runWatt(["journal", journal, "--actions"]).stdout == reference.actions
        #expect(actions)
        tally.count("journal directory made read-only for an unprivileged run", ended.status == 0 && denied && sameReport && actions)

        // A resume in a read-only directory.
        let stopped = try make("resume")
        let partial = stopped.appendingPathComponent("run.db").path
        let full = try Background(Self.arguments + ["--journal", partial], environment: ["WATT_FAULT_JOURNAL_MAX_PAGES": "30"],
                                  dir: work, prefix: asNobody, tree: tree).wait()
        #expect(full.status == 1, "\(full.stdout)")
        let before = Self.ticks(partial)
        Self.shell("chmod a-w \(Self.quoted(stopped.path))")
        let refused = try Background(Self.arguments + ["--journal", partial, "--resume"], environment: [:], dir: work, prefix: asNobody,
                                     tree: tree).wait()
        #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
        let said = refused.stderr.contains("error[C0203]: cannot open journal `\(partial)`")
            && refused.stderr.contains("help: the journal's directory must exist and be writable")
        #expect(said, "\(refused.stderr)")
        Self.shell("chmod u+w \(Self.quoted(stopped.path))")
        let untouched = before > 0 && before < 36 && Self.ticks(partial) == before
        #expect(untouched)
        let resumedJSON = work.appendingPathComponent("resumed.json").path
        let resumed = try Background(Self.arguments + ["--journal", partial, "--resume", "--json", resumedJSON], environment: [:],
                                     dir: work, prefix: asNobody, tree: tree).wait()
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let resumedActions = try runWatt(["journal", partial, "--actions"]).stdout
        let finished = resumed.status == 0 && (try? String(contentsOf: URL(fileURLWithPath: resumedJSON), encoding: .utf8)) == reference.report
            && resumedActions == reference.actions
        #expect(finished)
        tally.count("resume as an unprivileged user in a read-only directory", refused.status == 2 && said && untouched && finished)
        tally.record("read-only-journal", part: "unprivileged", test: Self.test)
    }
}
