import Foundation
import WattControl

/// Crash tests' probe (`RunProbe`), installed by `watt run` only when a `WATT_FAULT_*`
/// variable asks for it, so the control loop and the journal carry no fault branches:
/// - `WATT_FAULT_KILL=N`: SIGKILL at the N-th point passed (the start of a tick, the tick
///   applied, each stage of its journal transaction, the commit);
/// - `WATT_FAULT_KILL_AFTER_TICK=N`: SIGKILL once tick N (1-based, counting resumed ones)
///   is applied and before it is journaled;
/// - `WATT_FAULT_STOP=N`: SIGSTOP at the N-th point, so a harness can change the world under
///   a run at a known place (make the journal's directory read-only) and SIGCONT it;
/// - `WATT_FAULT_HANG_AFTER_TICK=N`: once tick N is applied and before it is journaled,
///   the tick never ends (it sleeps until the process is killed): a tick that outlasts a
///   stop request;
/// - `WATT_FAULT_COUNT=1`: report on stderr, at exit, how many points the run passed, so a
///   harness can pick kill points that cover every stage;
/// - `WATT_FAULT_JOURNAL_MAX_PAGES=N`: the journal's disk is full at N pages.
final class FaultInjection: RunProbe {
    let killAt: Int?
    let killAfterTick: Int?
    var hangAfterTick: Int?
    let stopAt: Int?
    let counting: Bool
    let journalMaxPages: Int?
    private(set) var passed = 0

    /// The probe the environment asks for, or nil (the normal case).
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> FaultInjection? {
        let probe = FaultInjection(
            killAt: environment["WATT_FAULT_KILL"].flatMap { Int($0) },
            killAfterTick: environment["WATT_FAULT_KILL_AFTER_TICK"].flatMap { Int($0) },
            stopAt: environment["WATT_FAULT_STOP"].flatMap { Int($0) },
            counting: environment["WATT_FAULT_COUNT"] == "1",
            journalMaxPages: environment["WATT_FAULT_JOURNAL_MAX_PAGES"].flatMap { Int($0) })
        probe.hangAfterTick = environment["WATT_FAULT_HANG_AFTER_TICK"].flatMap { Int($0) }
        let inert = probe.hangAfterTick == nil && probe.killAt == nil && probe.killAfterTick == nil && probe.stopAt == nil && !probe.counting
            && probe.journalMaxPages == nil
        return inert ? nil : probe
    }

    init(killAt: Int?, killAfterTick: Int?, stopAt: Int?, counting: Bool, journalMaxPages: Int?) {
        self.killAt = killAt
        self.killAfterTick = killAfterTick
        self.stopAt = stopAt
        self.counting = counting
        self.journalMaxPages = journalMaxPages
    }

    func reached(_ point: RunPoint) {
        if case .tickApplied(let tick) = point, tick == killAfterTick { kill(getpid(), SIGKILL) }
        if case .tickApplied(let tick) = point, tick == hangAfterTick { while true { sleep(60) } }
        passed += 1
        if passed == killAt { kill(getpid(), SIGKILL) }
        if passed == stopAt { kill(getpid(), SIGSTOP) }
    }
}
