import Foundation
import GRDB
import WattBindings
import WattCluster
import WattLanguage

/// The durable record of a run: one SQLite database in WAL mode with a row per tick, every
/// action with its status and reason, every rule's outcome and decision, and the rule
/// timers. Each tick is written in one transaction, so a crash loses at most the tick in
/// flight. Read back by `watt journal` and `watt explain`.
public final class Journal: @unchecked Sendable {
    public let path: String
    let pool: DatabasePool
    public private(set) var runID: Int64 = 0

    public struct Failure: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Opens (creating when `create`) the journal. A reader opening it while a run writes
    /// waits for the writer's lock instead of failing.
    public init(path: String, create: Bool = true) throws(Failure) {
        self.path = path
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw Failure(message: "no journal at `\(path)`")
        }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            if let pages = FaultInjection.journalMaxPages {
                // Crash tests: a journal that cannot grow past this many pages is a full disk
                // to SQLite (SQLITE_FULL), on any file system, without root.
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
            try migrator.migrate(pool)
        } catch {
            throw Failure(message: "cannot open journal `\(path)`: \(error)" + Self.openHint(error))
        }
    }

    public func startRun(cluster: String, policies: [String], dryRun: Bool, at time: Double) throws(Failure) {
        do {
            runID = try pool.write { db in
                try db.execute(sql: "INSERT INTO run (started_at, cluster, policies, dry_run) VALUES (?, ?, ?, ?)",
                               arguments: [time, cluster, policies.joined(separator: "\n"), dryRun ? 1 : 0])
                return db.lastInsertedRowID
            }
        } catch {
            throw Failure(message: "cannot write journal `\(path)`: \(error)")
        }
    }

    static func describe(_ decision: RuleTimer.Decision?) -> String {
        switch decision {
        case .act?: return "act"
        case .pending(let r)?: return "pending (\(wholeText(r)) s left)"
        case .coolingDown(let r)?: return "cooling down (\(wholeText(r)) s left)"
        case .inactive?, nil: return "inactive"
        }
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
    public func record(_ tick: ControlLoop.TickRecord, world: World, timers: [String: RuleTimer],
                       dryRun: Bool = false) throws(Failure) {
        let run = runID
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
                FaultInjection.point()
                for (seq, action) in tick.proposed.enumerated() where !dryRun {
                    try db.execute(sql: "INSERT OR REPLACE INTO sent VALUES (?, ?, ?, ?)",
                                   arguments: [run, tick.time, seq, ActionRecord(action).json])
                }
                for result in tick.results {
                    try db.execute(sql: "INSERT INTO action (run_id, time, rule, action, target, status, detail, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                   arguments: [run, tick.time, result.action.rule, result.action.verbDescription, result.target,
                                               result.status.rawValue, result.detail, result.action.reason])
                }
                FaultInjection.point()
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
                                               Self.describe(tick.decisions[outcome.rule]), explanation])
                }
                FaultInjection.point()
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                for (rule, timer) in timers {
                    let state = String(decoding: try encoder.encode(timer), as: UTF8.self)
                    try db.execute(sql: "INSERT OR REPLACE INTO rule_state VALUES (?, ?, ?)", arguments: [run, rule, state])
                }
            }
        } catch {
            throw Failure(message: "error: cannot write journal `\(path)`: \(error)" + Self.hint(error))
        }
        FaultInjection.point()
    }

    /// What to do about a write that failed: the tick was rolled back whole, so the journal
    /// ends at the last complete tick and `--resume` continues from there.
    static func hint(_ error: Error) -> String {
        guard let e = error as? DatabaseError else { return "" }
        switch e.resultCode {
        case .SQLITE_FULL:
            return "\nhelp: the disk is full; the run stopped after its last complete tick: free space, then continue it with `--resume`"
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
            return "\nhelp: the journal cannot be written here; the run stopped after its last complete tick: make it writable, then continue it with `--resume`"
        case .SQLITE_IOERR:
            return "\nhelp: the file system refused or failed the write (a read-only or immutable file, a failing disk); the run stopped after its last complete tick: fix it, then continue the run with `--resume`"
        default:
            return ""
        }
    }

    static func openHint(_ error: Error) -> String {
        guard let e = error as? DatabaseError else { return "" }
        switch e.resultCode {
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM:
            return "\nhelp: the journal's directory must exist and be writable (the journal keeps a write-ahead log beside the file)"
        case .SQLITE_FULL: return "\nhelp: the disk is full"
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: return "\nhelp: this file is not a Watt journal (or is damaged); give another path"
        default: return ""
        }
    }

    /// A hot reload: what changed, and whether it runs (`reloaded`, `partial`, `rejected`).
    public func recordReload(_ event: PolicySet.ReloadEvent, at time: Double) throws(Failure) {
        let run = runID
        do {
            try pool.write { db in
                try db.execute(sql: "INSERT INTO reload VALUES (?, ?, ?, ?, ?)",
                               arguments: [run, time, event.outcome.rawValue, event.changed.joined(separator: "\n"), event.summary])
            }
        } catch {
            throw Failure(message: "cannot write journal `\(path)`: \(error)")
        }
    }

    /// The reloads of the latest run, oldest first.
    public func reloads() throws(Failure) -> [(time: Double, outcome: String, message: String)] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT time, outcome, message FROM reload WHERE run_id = (SELECT max(id) FROM run) ORDER BY rowid")
                    .map { ($0["time"], $0["outcome"], $0["message"]) }
            }
        } catch {
            throw Failure(message: "cannot read journal `\(path)`: \(error)")
        }
    }

    /// Where node power came from in the latest run: each distinct per-tick count
    /// (`rapl:1,model:3`) with its number of ticks, in order of first appearance; empty when
    /// the scheduler never said (the simulator).
    public func powerSources() throws(Failure) -> [(sources: String, ticks: Int)] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT power_sources, count(*) AS ticks FROM tick
                    WHERE run_id = (SELECT max(id) FROM run) AND power_sources IS NOT NULL
                    GROUP BY power_sources ORDER BY min(time)
                    """).map { ($0["power_sources"], $0["ticks"]) }
            }
        } catch {
            throw Failure(message: "cannot read journal `\(path)`: \(error)")
        }
    }

    /// The ticks of the latest run at which telemetry was refused, oldest first, with what and why.
    public func dataQuality() throws(Failure) -> [(time: Double, issues: String)] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT time, data_quality FROM tick
                    WHERE run_id = (SELECT max(id) FROM run) AND data_quality IS NOT NULL ORDER BY time
                    """).map { ($0["time"], $0["data_quality"]) }
            }
        } catch {
            throw Failure(message: "cannot read journal `\(path)`: \(error)")
        }
    }

    /// What was refused at one tick of the latest run (nil when all was taken).
    public func dataQuality(at time: Double) throws(Failure) -> String? {
        do {
            return try pool.read { db in
                try String.fetchOne(db, sql: "SELECT data_quality FROM tick WHERE run_id = (SELECT max(id) FROM run) AND time = ?",
                                    arguments: [time])
            }
        } catch {
            throw Failure(message: "cannot read journal `\(path)`: \(error)")
        }
    }

    /// The rule timers of the latest run (to resume it).
    public func ruleStates() throws(Failure) -> [String: RuleTimer] {
        do {
            return try pool.read { db in
                var states: [String: RuleTimer] = [:]
                let rows = try Row.fetchAll(db, sql: "SELECT rule, state FROM rule_state WHERE run_id = (SELECT max(id) FROM run)")
                for row in rows {
                    let text: String = row["state"]
                    states[row["rule"]] = try JSONDecoder().decode(RuleTimer.self, from: Data(text.utf8))
                }
                return states
            }
        } catch {
            throw Failure(message: "cannot read journal `\(path)`: \(error)")
        }
    }

    /// Every journaled action on a job or node of the latest run, oldest first.
    public func history(of target: String) throws(Failure) -> [(time: Double, rule: String?, action: String, status: String, detail: String, reason: String)] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT time, rule, action, status, detail, reason FROM action
                    WHERE run_id = (SELECT max(id) FROM run) AND target = ? ORDER BY time, id
                    """, arguments: [target]).map { ($0["time"], $0["rule"], $0["action"], $0["status"], $0["detail"], $0["reason"]) }
            }
        } catch {
            throw Failure(message: "cannot read journal `\(path)`: \(error)")
        }
    }

    /// The latest outcome of a rule: what it decided and why.
    public func lastOutcome(of rule: String) throws(Failure) -> (time: Double, status: String, decision: String, explanation: String)? {
        do {
            return try pool.read { db in
                try Row.fetchOne(db, sql: """
                    SELECT time, status, decision, explanation FROM outcome
                    WHERE run_id = (SELECT max(id) FROM run) AND rule = ? ORDER BY time DESC LIMIT 1
                    """, arguments: [rule]).map { ($0["time"], $0["status"], $0["decision"], $0["explanation"]) }
            }
        } catch {
            throw Failure(message: "cannot read journal `\(path)`: \(error)")
        }
    }

    /// Ticks and action counts of the latest run.
    public func summary() throws(Failure) -> (ticks: Int, applied: Int, rejected: Int, journalMode: String) {
        do {
            return try pool.read { db in
                let ticks = try Int.fetchOne(db, sql: "SELECT count(*) FROM tick WHERE run_id = (SELECT max(id) FROM run)") ?? 0
                let applied = try Int.fetchOne(db, sql: "SELECT count(*) FROM action WHERE status = 'applied' AND run_id = (SELECT max(id) FROM run)") ?? 0
                let rejected = try Int.fetchOne(db, sql: "SELECT count(*) FROM action WHERE status = 'rejected' AND run_id = (SELECT max(id) FROM run)") ?? 0
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?"
                return (ticks, applied, rejected, mode)
            }
        } catch {
            throw Failure(message: "cannot read journal `\(path)`: \(error)")
        }
    }
}

extension Journal {
    /// What a resumed run needs from the latest run of the journal.
    public struct Resumption {
        public var runID: Int64
        public var lastTick: Double
        public var sent: [Double: [ClusterAction]]
        public var timers: [String: RuleTimer]
        public var applied: Int
        public var rejected: Int
        public var conflicts: Int
        public var stops: Int
        public var flaps: Int
        public var firingTimes: [String: [Double]]
        public var carbon: [(time: Double, gramsPerJoule: Double)]
    }

    /// The latest run's cluster file and policy files, as `startRun` recorded them.
    public func latestRun() throws(Failure) -> (cluster: String, policies: [String], dryRun: Bool)? {
        do {
            return try pool.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT cluster, policies, dry_run FROM run ORDER BY id DESC LIMIT 1") else { return nil }
                let policies: String = row["policies"]
                return (row["cluster"], policies.split(separator: "\n").map(String.init), (row["dry_run"] as Int) != 0)
            }
        } catch {
            throw Failure(message: "cannot read journal `\(path)`: \(error)")
        }
    }

    /// The latest run, if it has at least one tick.
    public func resumption() throws(Failure) -> Resumption? {
        let timers = try ruleStates()
        do {
            return try pool.read { db -> Resumption? in
                guard let run = try Int64.fetchOne(db, sql: "SELECT max(id) FROM run"),
                      let last = try Double.fetchOne(db, sql: "SELECT max(time) FROM tick WHERE run_id = ?", arguments: [run])
                else { return nil }
                var sent: [Double: [ClusterAction]] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT time, payload FROM sent WHERE run_id = ? ORDER BY time, seq", arguments: [run]) {
                    let text: String = row["payload"]
                    if let record = try? JSONDecoder().decode(ActionRecord.self, from: Data(text.utf8)), let action = record.action {
                        sent[row["time"], default: []].append(action)
                    }
                }
                let counts = try Row.fetchOne(db, sql: "SELECT sum(applied) AS a, sum(rejected) AS r, sum(conflicts) AS c, sum(flaps) AS f FROM tick WHERE run_id = ?",
                                              arguments: [run])
                let stops = try Int.fetchOne(db, sql: "SELECT count(*) FROM action WHERE run_id = ? AND status = 'stopped'", arguments: [run]) ?? 0
                var firings: [String: [Double]] = [:]
                for row in try Row.fetchAll(db, sql: "SELECT rule, time FROM outcome WHERE run_id = ? AND decision = 'act' ORDER BY time",
                                            arguments: [run]) {
                    firings[row["rule"], default: []].append(row["time"])
                }
                let carbon = try Row.fetchAll(db, sql: "SELECT time, carbon_g_per_j FROM tick WHERE run_id = ? ORDER BY time", arguments: [run])
                    .map { (time: $0["time"] as Double, gramsPerJoule: ($0["carbon_g_per_j"] as Double?) ?? .nan) }
                return Resumption(runID: run, lastTick: last, sent: sent, timers: timers,
                                  applied: counts?["a"] ?? 0, rejected: counts?["r"] ?? 0, conflicts: counts?["c"] ?? 0,
                                  stops: stops, flaps: counts?["f"] ?? 0, firingTimes: firings, carbon: carbon)
            }
        } catch {
            throw Failure(message: "cannot read journal `\(path)`: \(error)")
        }
    }

    /// Every action of the latest run, in the order written: time, rule, action, target,
    /// status and detail, one line each (crash tests compare these with an uninterrupted run).
    public func actionLines() throws(Failure) -> [String] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT time, rule, action, target, status, detail FROM action
                    WHERE run_id = (SELECT max(id) FROM run) ORDER BY rowid
                    """).map { row in
                    let time: Double = row["time"]
                    let fields: [String?] = [row["rule"], row["action"], row["target"], row["status"], row["detail"]]
                    return ([TimeCalendar.format(time)] + fields.map { $0 ?? "-" }).joined(separator: "\t")
                }
            }
        } catch {
            throw Failure(message: "cannot read journal `\(path)`: \(error)")
        }
    }

    /// SQLite's own integrity check: `ok`, or what is wrong.
    public func integrityCheck() throws(Failure) -> String {
        do {
            return try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
        } catch {
            throw Failure(message: "cannot read journal `\(path)`: \(error)")
        }
    }

    /// Continues writing into an earlier run.
    public func continueRun(_ id: Int64) { runID = id }
}
