import Foundation
import Synchronization
import WattSupport

/// Signals for a long `watt run`: SIGINT and SIGTERM ask the loop to stop after the current
/// tick (a second one stops at once, as shells expect), SIGHUP asks it to reload the policy
/// files. The handlers only store into atomics (async-signal-safe); the loop polls them.
enum RunSignals {
    static let stopSignal = Atomic<Int32>(0)
    static let hangups = Atomic<Int>(0)

    static func install() {
        // A parent may have started us with these blocked (a spawned process inherits the
        // spawning thread's mask): unblock them, or a stop request would wait for the end.
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT, handleStop)
        signal(SIGTERM, handleStop)
        signal(SIGHUP, handleHangup)
    }

    /// The signal that asked to stop, or nil.
    static var stopRequested: Int32? {
        let s = stopSignal.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    /// Whether a SIGHUP arrived since the last call.
    static func takeHangup() -> Bool { hangups.exchange(0, ordering: .relaxed) > 0 }

    static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGHUP: return "SIGHUP"
        default: return "signal \(signal)"
        }
    }
}

private func handleStop(_ signal: Int32) {
    if RunSignals.stopSignal.exchange(signal, ordering: .relaxed) != 0 { _exit(128 + signal) }
}

private func handleHangup(_ signal: Int32) {
    RunSignals.hangups.add(1, ordering: .relaxed)
}
