import Foundation
import GRDB
import WattCluster
import WattLanguage
import WattSupport

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
        /// Ticks each rule ended without a result (`PolicyRun.Summary.gaps`).
        public var gaps: [String: Int]
        public var carbon: [(time: Double, gramsPerJoule: Double)]
        /// What the run is; nil for a run journaled before identities were kept.
        public var identity: RunIdentity?
    }

    /// The latest run's cluster file and policy files, as `startRun` recorded them.
    public func latestRun() throws(WattError) -> (cluster: String, policies: [String], dryRun: Bool)? {
        do {
            return try pool.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT cluster, policies, dry_run FROM run ORDER BY id DESC LIMIT 1") else { return nil }
                let policies: String = row["policies"]
                return (row["cluster"], policies.split(separator: "\n").map(String.init), (row["dry_run"] as Int) != 0)
            }
        } catch {
            throw WattError(.journal, "cannot read journal `\(path)`: \(error)")
        }
    }

    /// The latest run, if it has at least one tick.
    public func resumption() throws(WattError) -> Resumption? {
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
                var gaps: [String: Int] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT rule, count(*) AS n FROM outcome
                    WHERE run_id = ? AND (status LIKE 'missing %' OR status LIKE 'failed:%') GROUP BY rule
                    """, arguments: [run]) {
                    gaps[row["rule"]] = row["n"]
                }
                let identity = try String.fetchOne(db, sql: "SELECT identity FROM run WHERE id = ?", arguments: [run])
                    .flatMap { try? JSONDecoder().decode(RunIdentity.self, from: Data($0.utf8)) }
                let carbon = try Row.fetchAll(db, sql: "SELECT time, carbon_g_per_j FROM tick WHERE run_id = ? ORDER BY time", arguments: [run])
                    .map { (time: $0["time"] as Double, gramsPerJoule: ($0["carbon_g_per_j"] as Double?) ?? .nan) }
                return Resumption(runID: run, lastTick: last, sent: sent, timers: timers,
                                  applied: counts?["a"] ?? 0, rejected: counts?["r"] ?? 0, conflicts: counts?["c"] ?? 0,
                                  stops: stops, flaps: counts?["f"] ?? 0, firingTimes: firings, gaps: gaps, carbon: carbon,
                                  identity: identity)
            }
        } catch {
            throw WattError(.journal, "cannot read journal `\(path)`: \(error)")
        }
    }

    /// Every action of the latest run, in the order written: time, rule, action, target,
    /// status and detail, one line each (crash tests compare these with an uninterrupted run).
    public func actionLines() throws(WattError) -> [String] {
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
            throw WattError(.journal, "cannot read journal `\(path)`: \(error)")
        }
    }

    /// SQLite's own integrity check: `ok`, or what is wrong.
    public func integrityCheck() throws(WattError) -> String {
        do {
            return try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
        } catch {
            throw WattError(.journal, "cannot read journal `\(path)`: \(error)")
        }
    }

    /// Continues writing into an earlier run.
    public func continueRun(_ id: Int64) { runID = id }
}
