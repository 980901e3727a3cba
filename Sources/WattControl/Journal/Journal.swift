import Foundation
import GRDB
import WattBindings
import WattCluster
import WattLanguage
import WattSupport

/// The durable record of a run: one SQLite database in WAL mode with a row per tick, every
/// action with its status and reason, every rule's outcome and decision, and the rule
/// timers. Each tick is written in one transaction, so a crash loses at most the tick in
/// flight. Read back by `watt journal` and `watt explain`.
public final class Journal: @unchecked Sendable {
    public let path: String
    /// A pool for the journal a run writes; a read-only queue for `watt journal` and
    /// `watt explain` (`Journal(reading:)`).
    let pool: any DatabaseWriter
    public internal(set) var runID: Int64 = 0

    /// Where a test harness may act inside a tick's transaction (crash tests kill the
    /// process there: `RunProbe`); nil in production.
    public var probe: (any RunProbe)?

    /// Opens (creating when `create`) the journal. A reader opening it while a run writes
    /// waits for the writer's lock instead of failing.
    /// `maxPages`: the journal behaves as if the disk were full once it holds that many
    /// pages (crash tests of a full disk, on any file system, without root).
    public init(path: String, create: Bool = true, maxPages: Int? = nil) throws(WattError) {
        self.path = path
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw WattError(.unreadable, "no journal at `\(path)`")
        }
        pool = try Self.openForWriting(path: path, maxPages: maxPages)
    }

    /// The tables every Watt journal has (migration `v1`).
    static let tables: Set<String> = ["run", "tick", "action", "outcome", "rule_state"]

    /// Opens a journal to read it (`watt journal`, `watt explain`): checked read-only first,
    /// so a file that is not a Watt journal is refused untouched (no tables added, no switch
    /// to WAL). A Watt journal written by an earlier version, which lacks later columns, is
    /// migrated as `watt run --journal` would (it is Watt's own file).
    public init(reading path: String) throws(WattError) {
        self.path = path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw WattError(.unreadable, FileManager.default.fileExists(atPath: path) ? "cannot read journal `\(path)`" : "no journal at `\(path)`")
        }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        try? handle.close()
        let notAJournal = "a journal is what `watt run --journal FILE` writes"
        guard !header.isEmpty else { throw WattError(.journal, "`\(path)` is empty, not a Watt journal", hint: notAJournal) }
        guard header == Data("SQLite format 3\0".utf8) else {
            throw WattError(.journal, "`\(path)` is not a Watt journal (not an SQLite database)", hint: notAJournal)
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let reader: DatabaseQueue
        let migrations: Set<String>
        do {
            reader = try DatabaseQueue(path: path, configuration: configuration)
            let names = try reader.read { db in try Set(String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")) }
            guard Self.tables.isSubset(of: names), names.contains("grdb_migrations") else {
                let missing = Self.tables.subtracting(names).sorted().map { "`\($0)`" }.joined(separator: ", ")
                throw WattError(.journal, "`\(path)` is not a Watt journal: an SQLite database without the tables \(missing.isEmpty ? "of migrations" : missing)",
                                hint: notAJournal)
            }
            migrations = try reader.read { db in try Set(String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")) }
        } catch let error as WattError {
            throw error
        } catch {
            throw WattError(.journal, "cannot open journal `\(path)`: \(error)", hint: Self.openHint(error))
        }
        // A Watt journal is then read as a run reads it (a read-only connection to a WAL
        // database leaves its log and index beside it; the pool, last to close, removes
        // them), and migrated when an earlier version wrote it. Where it cannot be opened
        // for writing (a read-only file or folder), the read-only connection reads it.
        try? reader.close()
        do {
            pool = try Self.openForWriting(path: path, maxPages: nil)
        } catch {
            guard Self.migrationNames.isSubset(of: migrations) else { throw error }
            do { pool = try DatabaseQueue(path: path, configuration: configuration) } catch { throw WattError(.journal, "cannot open journal `\(path)`: \(error)") }
        }
    }

    /// The migrations of the current version, in order.
    static let migrationNames: Set<String> = ["v1", "v2-replay", "v3-flaps-reloads", "v4-power-sources", "v5-data-quality", "v6-identity"]

    private static func openForWriting(path: String, maxPages: Int?) throws(WattError) -> DatabasePool {
        let pool: DatabasePool
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            if let pages = maxPages {
                // A journal that cannot grow past this many pages is a full disk to SQLite
                // (SQLITE_FULL).
                configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA max_page_count = \(pages)") }
            }
            pool = try DatabasePool(path: path, configuration: configuration)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(sql: """
                    CREATE TABLE run (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at REAL NOT NULL, cluster TEXT NOT NULL,
                                      policies TEXT NOT NULL, dry_run INTEGER NOT NULL);
                    CREATE TABLE tick (run_id INTEGER NOT NULL REFERENCES run(id), time REAL NOT NULL, steps INTEGER NOT NULL,
                                       applied INTEGER NOT NULL, rejected INTEGER NOT NULL, conflicts INTEGER NOT NULL,
                                       site_power_w REAL, carbon_g_per_j REAL, PRIMARY KEY (run_id, time));
                    CREATE TABLE action (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL, time REAL NOT NULL,
                                         rule TEXT, action TEXT NOT NULL, target TEXT, status TEXT NOT NULL, detail TEXT NOT NULL,
                                         reason TEXT NOT NULL);
                    CREATE INDEX action_target ON action(run_id, target);
                    CREATE TABLE outcome (run_id INTEGER NOT NULL, time REAL NOT NULL, rule TEXT NOT NULL, status TEXT NOT NULL,
                                          decision TEXT NOT NULL, explanation TEXT NOT NULL, PRIMARY KEY (run_id, time, rule));
                    CREATE TABLE rule_state (run_id INTEGER NOT NULL, rule TEXT NOT NULL, state TEXT NOT NULL,
                                             PRIMARY KEY (run_id, rule));
                    """)
            }
            migrator.registerMigration("v2-replay") { db in
                // What was sent to the scheduler, in order, to replay a run after a crash.
                try db.execute(sql: """
                    CREATE TABLE sent (run_id INTEGER NOT NULL, time REAL NOT NULL, seq INTEGER NOT NULL, payload TEXT NOT NULL,
                                       PRIMARY KEY (run_id, time, seq));
                    """)
            }
            migrator.registerMigration("v3-flaps-reloads") { db in
                try db.execute(sql: """
                    ALTER TABLE tick ADD COLUMN flaps INTEGER NOT NULL DEFAULT 0;
                    CREATE TABLE reload (run_id INTEGER NOT NULL, time REAL NOT NULL, outcome TEXT NOT NULL, files TEXT NOT NULL,
                                         message TEXT NOT NULL);
                    """)
            }
            migrator.registerMigration("v4-power-sources") { db in
                // Where node power came from at each tick (`rapl:1,model:3`); NULL when the
                // scheduler does not say (the simulator). A per-tick count, not per node: enough
                // to tell measured from estimated power without a row per node and tick.
                try db.execute(sql: "ALTER TABLE tick ADD COLUMN power_sources TEXT")
            }
            migrator.registerMigration("v5-data-quality") { db in
                // Telemetry refused at each tick and why (`DataQuality.description`, e.g.
                // ``node.power: NaN ×2 (`a-001` nan, `a-002` nan)``); NULL when all was taken.
                try db.execute(sql: "ALTER TABLE tick ADD COLUMN data_quality TEXT")
            }
            migrator.registerMigration("v6-identity") { db in
                // What the run is (`RunIdentity`, JSON): `--resume` compares it.
                try db.execute(sql: "ALTER TABLE run ADD COLUMN identity TEXT")
            }
            assert(Set(migrator.migrations) == migrationNames)
            try migrator.migrate(pool)
        } catch {
            throw WattError(.journal, "cannot open journal `\(path)`: \(error)", hint: Self.openHint(error))
        }
        return pool
    }

    /// Starts a run: its identity (what `--resume` compares) and when it starts.
    public func startRun(_ identity: RunIdentity, at time: Double) throws(WattError) {
        do {
            let json = try Self.encode(identity)
            runID = try pool.write { db in
                try db.execute(sql: "INSERT INTO run (started_at, cluster, policies, dry_run, identity) VALUES (?, ?, ?, ?, ?)",
                               arguments: [time, identity.cluster, identity.policies.keys.sorted().joined(separator: "\n"),
                                           identity.dryRun ? 1 : 0, json])
                return db.lastInsertedRowID
            }
        } catch {
            throw WattError(.unwritable, "cannot write journal `\(path)`: \(error)", hint: Self.hint(error))
        }
    }

    /// The run's identity after a reload changed its policies.
    public func updateIdentity(_ identity: RunIdentity) throws(WattError) {
        let run = runID
        do {
            let json = try Self.encode(identity)
            try pool.write { db in
                try db.execute(sql: "UPDATE run SET identity = ?, policies = ? WHERE id = ?",
                               arguments: [json, identity.policies.keys.sorted().joined(separator: "\n"), run])
            }
        } catch {
            throw WattError(.unwritable, "cannot write journal `\(path)`: \(error)", hint: Self.hint(error))
        }
    }

    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func describe(_ decision: RuleTimer.Decision?) -> String {
        switch decision {
        case .act?: return "act"
        case .pending(let r)?: return "pending (\(wholeText(r)) s left)"
        case .coolingDown(let r)?: return "cooling down (\(wholeText(r)) s left)"
        case .inactive?, nil: return "inactive"
        }
    }

    /// A `per target` rule's elements still waiting: `; pending: node batch-002 (300 s left)`
    /// (the first five, then a count), and how many are cooling down.
    static func describe(_ step: RuleTimer.TargetStep?) -> String {
        guard let step else { return "" }
        var text = ""
        if !step.pending.isEmpty {
            let shown = step.pending.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.prefix(5)
            text += "; pending: " + shown.map { "\($0.key) (\(wholeText($0.value)) s left)" }.joined(separator: ", ")
            if step.pending.count > shown.count { text += " and \(step.pending.count - shown.count) more" }
        }
        if !step.cooling.isEmpty { text += "; \(step.cooling.count) cooling down" }
        return text
    }

    static func describe(_ status: RuleOutcome.Status) -> String {
        switch status {
        case .fired: return "fired"
        case .notFired: return "not fired"
        case .missing(let what): return "missing `\(what)`"
        case .failed(let why): return "failed: \(why)"
        }
    }

    /// Writes one tick atomically.
    /// A write that fails is the run failing (`runFailed`): the tick was rolled back whole.
    public func record(_ tick: ControlLoop.TickRecord, timers: [String: RuleTimer], dryRun: Bool = false) throws(WattError) {
        let run = runID
        let world = tick.world
        let probe = self.probe
        do {
            try pool.write { db in
                try db.execute(sql: """
                    INSERT OR REPLACE INTO tick (run_id, time, steps, applied, rejected, conflicts, site_power_w, carbon_g_per_j, flaps,
                                                 power_sources, data_quality)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [run, tick.time, tick.steps, tick.applied, tick.rejected, tick.conflicts.count,
                                     world.site.itPower.isFinite ? world.site.itPower : nil,
                                     world.grid.carbonIntensity?.isFinite == true ? world.grid.carbonIntensity : nil, tick.flaps,
                                     world.powerSources, tick.dataQuality.flatMap { $0.isClean ? nil : $0.description }])
                probe?.reached(.journal)
                for (seq, action) in tick.proposed.enumerated() where !dryRun {
                    try db.execute(sql: "INSERT OR REPLACE INTO sent VALUES (?, ?, ?, ?)",
                                   arguments: [run, tick.time, seq, ActionRecord(action).json])
                }
                for result in tick.results {
                    try db.execute(sql: "INSERT INTO action (run_id, time, rule, action, target, status, detail, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                   arguments: [run, tick.time, result.action.rule, result.action.verbDescription, result.target,
                                               result.status.rawValue, result.detail, result.action.reason])
                }
                probe?.reached(.journal)
                for event in tick.guardrailEvents {
                    try db.execute(sql: "INSERT INTO action (run_id, time, rule, action, target, status, detail, reason) VALUES (?, ?, ?, ?, ?, 'stopped', ?, '')",
                                   arguments: [run, tick.time, event.rule, event.action, event.target, "stopped by \(event.guardrail)"])
                }
                for conflict in tick.conflicts {
                    try db.execute(sql: "INSERT INTO action (run_id, time, rule, action, target, status, detail, reason) VALUES (?, ?, ?, ?, ?, 'overruled', ?, '')",
                                   arguments: [run, tick.time, conflict.losingRule, conflict.loser, conflict.target,
                                               "overruled by rule `\(conflict.winningRule)` (\(conflict.why))"])
                }
                for outcome in tick.outcomes {
                    let explanation = outcome.explanation.map(\.rendered).joined(separator: "; ")
                        + (outcome.diagnostic.map { " \($0.message)" } ?? "")
                    try db.execute(sql: "INSERT OR REPLACE INTO outcome VALUES (?, ?, ?, ?, ?, ?)",
                                   arguments: [run, tick.time, outcome.rule, Self.describe(outcome.status),
                                               Self.describe(tick.decisions[outcome.rule]) + Self.describe(tick.targetSteps[outcome.rule]),
                                               explanation])
                }
                probe?.reached(.journal)
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                for (rule, timer) in timers {
                    let state = String(decoding: try encoder.encode(timer), as: UTF8.self)
                    try db.execute(sql: "INSERT OR REPLACE INTO rule_state VALUES (?, ?, ?)", arguments: [run, rule, state])
                }
            }
        } catch {
            throw WattError(.runFailed, "cannot write journal `\(path)`: \(error)", hint: Self.hint(error))
        }
        probe?.reached(.journalCommitted)
    }

    /// What to do about a write that failed: the tick was rolled back whole, so the journal
    /// ends at the last complete tick and `--resume` continues from there.
    static func hint(_ error: Error) -> String? {
        guard let e = error as? DatabaseError else { return nil }
        switch e.resultCode {
        case .SQLITE_FULL:
            return "the disk is full; the run stopped after its last complete tick: free space, then continue it with `--resume`"
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
            return "the journal cannot be written here; the run stopped after its last complete tick: make it writable, then continue it with `--resume`"
        case .SQLITE_IOERR:
            return "the file system refused or failed the write (a read-only or immutable file, a failing disk); the run stopped after its last complete tick: fix it, then continue the run with `--resume`"
        default:
            return nil
        }
    }

    static func openHint(_ error: Error) -> String? {
        guard let e = error as? DatabaseError else { return nil }
        switch e.resultCode {
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM:
            return "the journal's directory must exist and be writable (the journal keeps a write-ahead log beside the file)"
        case .SQLITE_FULL: return "the disk is full"
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return "this file is not a Watt journal (or is damaged); give another path"
        default: return nil
        }
    }

    /// A hot reload: what changed, and whether it runs (`reloaded`, `partial`, `rejected`).
    public func recordReload(_ event: PolicySet.ReloadEvent, at time: Double) throws(WattError) {
        let run = runID
        do {
            try pool.write { db in
                try db.execute(sql: "INSERT INTO reload VALUES (?, ?, ?, ?, ?)",
                               arguments: [run, time, event.outcome.rawValue, event.changed.joined(separator: "\n"), event.summary])
            }
        } catch {
            throw WattError(.unwritable, "cannot write journal `\(path)`: \(error)", hint: Self.hint(error))
        }
    }
}
