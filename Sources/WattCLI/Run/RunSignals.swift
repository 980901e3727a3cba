import Foundation
import Synchronization
import WattSupport

/// Signals for a long `watt run`: SIGINT and SIGTERM ask the loop to stop after the current
/// tick (a second one stops at once, as shells expect), SIGHUP asks it to reload the policy
/// files. The handlers only store into atomics (async-signal-safe); the loop polls them.
/// A tick can be long (a tiny tick over a long window, a scheduler that hangs): when the
/// run has not ended `grace` seconds after a stop request, a watchdog ends the process at
/// once, as SIGKILL would but saying so. The journal is safe either way (each tick is one
/// transaction: `--resume` continues from the last one committed).
enum RunSignals {
    static let stopSignal = Atomic<Int32>(0)
    static let hangups = Atomic<Int>(0)
    private static let watching = Atomic<Bool>(false)

    static func install(grace: Double = 10) {
        if !watching.exchange(true, ordering: .relaxed) {
            let watchdog = Thread {
                while stopSignal.load(ordering: .relaxed) == 0 { usleep(50_000) }
                let signal = stopSignal.load(ordering: .relaxed)
                usleep(useconds_t(min(max(grace, 0), 3600) * 1e6))
                let message = "\nwatt: stopped by \(name(signal)): the tick in progress did not end within \(DurationText.short(grace)); "
                    + "the journal holds every tick before it (`--resume` continues the run)\n"
                FileHandle.standardError.write(Data(message.utf8))
                _exit(128 + signal)
            }
            watchdog.name = "watt-stop-watchdog"
            watchdog.start()
        }
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
