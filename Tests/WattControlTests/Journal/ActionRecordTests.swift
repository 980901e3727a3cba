import Foundation
import Testing
import WattBindings
import WattCluster
@testable import WattControl

/// The journal's action payloads, encoded by the verb declarations: every action round-trips,
/// and payloads written before the declarations (verbatim from a journal of that version)
/// read as the actions they were.
@Suite struct ActionRecordTests {
    func decode(_ json: String) throws -> ClusterAction? {
        try JSONDecoder().decode(ActionRecord.self, from: Data(json.utf8)).action
    }

    @Test func everyActionRoundTrips() throws {
        let kinds: [ClusterAction.Kind] = [
            .move(to: .pool("efficient")), .move(to: .node("a-001")), .deferUntil(1_591_353_600), .deferFor(7200), .release,
            .preempt, .cap(watts: 400), .uncap, .suspend, .wake, .drain, .resume, .alert(severity: "critical", message: "hot"),
        ]
        for kind in kinds {
            let action = ClusterAction(kind, targets: kind == .alert(severity: "critical", message: "hot") ? [] : ["x", "y"],
                                       rule: "r", reason: "why")
            #expect(try decode(ActionRecord(action).json) == action, "\(kind)")
        }
    }

    @Test func payloadsOfEarlierJournalsRead() throws {
        let old: [(String, ClusterAction)] = [
            (#"{"reason":"r","rule":"consolidate_on_efficient","targets":["j000002"],"text":"efficient","verb":"move-pool"}"#,
             .move(jobs: ["j000002"], toPool: "efficient", rule: "consolidate_on_efficient", reason: "r")),
            (#"{"reason":"r","rule":"suspend_idle","targets":["efficient-025"],"verb":"suspend"}"#,
             .suspend(nodes: ["efficient-025"], rule: "suspend_idle", reason: "r")),
            (#"{"number":400,"reason":"r","rule":"cap_on_dirty_grid","targets":["batch-001","batch-002"],"verb":"cap"}"#,
             .cap(nodes: ["batch-001", "batch-002"], atWatts: 400, rule: "cap_on_dirty_grid", reason: "r")),
            (#"{"reason":"r","rule":"wake_on_queue","targets":["efficient-025"],"verb":"wake"}"#,
             .wake(nodes: ["efficient-025"], rule: "wake_on_queue", reason: "r")),
            (#"{"reason":"r","rule":"u","targets":["default-006"],"verb":"uncap"}"#, .uncap(nodes: ["default-006"], rule: "u", reason: "r")),
            (#"{"reason":"r","rule":"cap_hot_nodes","severity":"warning","targets":[],"text":"hot nodes capped","verb":"alert"}"#,
             .alert("hot nodes capped", severity: "warning", rule: "cap_hot_nodes", reason: "r")),
            (#"{"number":1591353600,"reason":"r","rule":"shift_to_clean_window","targets":["j009474"],"verb":"defer-until"}"#,
             .deferJobs(["j009474"], until: 1_591_353_600, rule: "shift_to_clean_window", reason: "r")),
            (#"{"number":7200,"reason":"r","targets":["j1"],"verb":"defer-for"}"#, .deferJobs(["j1"], for: 7200, reason: "r")),
            (#"{"reason":"r","targets":["j1"],"text":"a-001","verb":"move-node"}"#, .move(jobs: ["j1"], toNode: "a-001", reason: "r")),
        ]
        for (json, action) in old { #expect(try decode(json) == action, "\(json)") }
        // An unknown code is skipped on replay, not guessed.
        #expect(try decode(#"{"reason":"","targets":[],"verb":"teleport"}"#) == nil)
    }
}
