import Foundation
import GRDB
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

    public init(path: String) throws(Failure) {
        self.path = path
        do {
            pool = try DatabasePool(path: path)
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
            try migrator.migrate(pool)
        } catch {
            throw Failure(message: "cannot open journal `\(path)`: \(error)")
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
        case .pending(let r)?: return "pending (\(Int(r)) s left)"
        case .coolingDown(let r)?: return "cooling down (\(Int(r)) s left)"
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
    public func record(_ tick: ControlLoop.TickRecord, world: World, timers: [String: RuleTimer]) throws(Failure) {
        let run = runID
        do {
            try pool.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO tick VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               arguments: [run, tick.time, tick.steps, tick.applied, tick.rejected, tick.conflicts.count,
                                           world.site.itPower, world.grid.carbonIntensity])
                for result in tick.results {
                    try db.execute(sql: "INSERT INTO action (run_id, time, rule, action, target, status, detail, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                   arguments: [run, tick.time, result.action.rule, result.action.verbDescription, result.target,
                                               result.status.rawValue, result.detail, result.action.reason])
                }
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
                let encoder = JSONEncoder()
                encoder.outputFormatting = .sortedKeys
                for (rule, timer) in timers {
                    let state = String(decoding: try encoder.encode(timer), as: UTF8.self)
                    try db.execute(sql: "INSERT OR REPLACE INTO rule_state VALUES (?, ?, ?)", arguments: [run, rule, state])
                }
            }
        } catch {
            throw Failure(message: "cannot write journal `\(path)`: \(error)")
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
