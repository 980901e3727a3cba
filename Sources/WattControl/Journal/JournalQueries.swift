import Foundation
import GRDB
import WattCluster
import WattLanguage
import WattSupport

/// What `watt journal`, `watt explain` and the REPL read back from a journal.
extension Journal {
    /// The reloads of the latest run, oldest first.
    public func reloads() throws(WattError) -> [(time: Double, outcome: String, message: String)] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT time, outcome, message FROM reload WHERE run_id = (SELECT max(id) FROM run) ORDER BY rowid")
                    .map { ($0["time"], $0["outcome"], $0["message"]) }
            }
        } catch {
            throw WattError(.journal, "cannot read journal `\(path)`: \(error)")
        }
    }

    /// Where node power came from in the latest run: each distinct per-tick count
    /// (`rapl:1,model:3`) with its number of ticks, in order of first appearance; empty when
    /// the scheduler never said (the simulator).
    public func powerSources() throws(WattError) -> [(sources: String, ticks: Int)] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT power_sources, count(*) AS ticks FROM tick
                    WHERE run_id = (SELECT max(id) FROM run) AND power_sources IS NOT NULL
                    GROUP BY power_sources ORDER BY min(time)
                    """).map { ($0["power_sources"], $0["ticks"]) }
            }
        } catch {
            throw WattError(.journal, "cannot read journal `\(path)`: \(error)")
        }
    }

    /// The ticks of the latest run at which telemetry was refused, oldest first, with what and why.
    public func dataQuality() throws(WattError) -> [(time: Double, issues: String)] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT time, data_quality FROM tick
                    WHERE run_id = (SELECT max(id) FROM run) AND data_quality IS NOT NULL ORDER BY time
                    """).map { ($0["time"], $0["data_quality"]) }
            }
        } catch {
            throw WattError(.journal, "cannot read journal `\(path)`: \(error)")
        }
    }

    /// What was refused at one tick of the latest run (nil when all was taken).
    public func dataQuality(at time: Double) throws(WattError) -> String? {
        do {
            return try pool.read { db in
                try String.fetchOne(db, sql: "SELECT data_quality FROM tick WHERE run_id = (SELECT max(id) FROM run) AND time = ?",
                                    arguments: [time])
            }
        } catch {
            throw WattError(.journal, "cannot read journal `\(path)`: \(error)")
        }
    }

    /// The rule timers of the latest run (to resume it).
    public func ruleStates() throws(WattError) -> [String: RuleTimer] {
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
            throw WattError(.journal, "cannot read journal `\(path)`: \(error)")
        }
    }

    /// Every journaled action on a job or node of the latest run, oldest first.
    public func history(of target: String) throws(WattError) -> [(time: Double, rule: String?, action: String, status: String, detail: String, reason: String)] {
        do {
            return try pool.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT time, rule, action, status, detail, reason FROM action
                    WHERE run_id = (SELECT max(id) FROM run) AND target = ? ORDER BY time, id
                    """, arguments: [target]).map { ($0["time"], $0["rule"], $0["action"], $0["status"], $0["detail"], $0["reason"]) }
            }
        } catch {
            throw WattError(.journal, "cannot read journal `\(path)`: \(error)")
        }
    }

    /// The latest outcome of a rule: what it decided and why.
    public func lastOutcome(of rule: String) throws(WattError) -> (time: Double, status: String, decision: String, explanation: String)? {
        do {
            return try pool.read { db in
                try Row.fetchOne(db, sql: """
                    SELECT time, status, decision, explanation FROM outcome
                    WHERE run_id = (SELECT max(id) FROM run) AND rule = ? ORDER BY time DESC LIMIT 1
                    """, arguments: [rule]).map { ($0["time"], $0["status"], $0["decision"], $0["explanation"]) }
            }
        } catch {
            throw WattError(.journal, "cannot read journal `\(path)`: \(error)")
        }
    }

    /// Ticks and action counts of the latest run.
    public func summary() throws(WattError) -> (ticks: Int, applied: Int, rejected: Int, journalMode: String) {
        do {
            return try pool.read { db in
                let ticks = try Int.fetchOne(db, sql: "SELECT count(*) FROM tick WHERE run_id = (SELECT max(id) FROM run)") ?? 0
                let applied = try Int.fetchOne(db, sql: "SELECT count(*) FROM action WHERE status = 'applied' AND run_id = (SELECT max(id) FROM run)") ?? 0
                let rejected = try Int.fetchOne(db, sql: "SELECT count(*) FROM action WHERE status = 'rejected' AND run_id = (SELECT max(id) FROM run)") ?? 0
                let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?"
                return (ticks, applied, rejected, mode)
            }
        } catch {
            throw WattError(.journal, "cannot read journal `\(path)`: \(error)")
        }
    }
}
