import Foundation

/// Crash tests: the control loop passes numbered fault points (the start of a tick, the
/// tick applied, each stage of its journal transaction, the commit); with
/// `WATT_FAULT_KILL=N` the process SIGKILLs itself at the N-th point it passes, with
/// `WATT_FAULT_COUNT=1` it reports how many points a run passed (on stderr, at exit), so a
/// harness can kill a run at random points that cover every stage; with
/// `WATT_FAULT_JOURNAL_MAX_PAGES=N` the journal's disk is full at N pages; with
/// `WATT_FAULT_STOP=N` the process stops itself (SIGSTOP) at the N-th point, so that a harness
/// can change the world under a run at a known place (make the journal's directory read-only)
/// and let it go on with SIGCONT. Inert otherwise.
public enum FaultInjection {
    nonisolated(unsafe) private static var killAt: Int?
    nonisolated(unsafe) private static var stopAt: Int?
    nonisolated(unsafe) private static var passed = 0
    nonisolated(unsafe) public private(set) static var counting = false
    /// `WATT_FAULT_JOURNAL_MAX_PAGES=N`: the journal behaves as if the disk were full once it
    /// holds N pages.
    nonisolated(unsafe) public private(set) static var journalMaxPages: Int?

    /// Reads the environment once, at start-up (the CLI calls this).
    public static func configure(environment: [String: String] = ProcessInfo.processInfo.environment) {
        killAt = environment["WATT_FAULT_KILL"].flatMap { Int($0) }
        stopAt = environment["WATT_FAULT_STOP"].flatMap { Int($0) }
        counting = environment["WATT_FAULT_COUNT"] == "1"
        journalMaxPages = environment["WATT_FAULT_JOURNAL_MAX_PAGES"].flatMap { Int($0) }
    }

    /// One fault point. The counter is only touched on the loop's thread.
    @inline(__always)
    static func point() {
        guard killAt != nil || stopAt != nil || counting else { return }
        passed += 1
        if passed == killAt { kill(getpid(), SIGKILL) }
        if passed == stopAt { kill(getpid(), SIGSTOP) }
    }

    /// The number of points passed so far.
    public static var pointsPassed: Int { passed }
}
