import CReadline
import Foundation
import WattLanguage

/// The terminal around the REPL core: GNU readline for line editing, Ctrl-R search and tab
/// completion, a bounded persistent history, Ctrl-C to clear the line or stop a long `:tick`
/// (not to exit), Ctrl-D to leave; SIGTERM and SIGHUP leave too, the terminal restored and
/// the history saved. Everything else is `ReplSession`.
enum ReplTerminal {
    nonisolated(unsafe) static var session: ReplSession?
    nonisolated(unsafe) static var candidates: [String] = []

    /// Returns the signal that ended the session (SIGTERM, SIGHUP), or nil after Ctrl-D or `:quit`.
    static func run(_ session: ReplSession, historyPath: String, historySize: Int32) -> Int32? {
        Self.session = session
        watt_rl_setup { _, state in
            if state == 0 {
                let raw = watt_rl_line_before_cursor()
                let before = raw.map { String(cString: $0) } ?? ""
                free(raw)
                ReplTerminal.candidates = ReplTerminal.session?.completions(before) ?? []
            }
            let i = Int(state)
            guard i < ReplTerminal.candidates.count else { return nil }
            return strdup(ReplTerminal.candidates[i])
        }
        using_history()
        stifle_history(historySize)
        _ = read_history(historyPath)
        // Ctrl-C drops the line (and any unfinished entry) and starts a fresh prompt.
        watt_rl_install_sigint()
        session.interrupted = { watt_rl_take_sigint() != 0 || watt_rl_stop_signal() != 0 }
        print("watt repl: \(TimeCalendar.format(session.now)) on \(session.worldName); :help lists the commands, Ctrl-D leaves")
        while true {
            var interrupted: Int32 = 0
            guard watt_rl_stop_signal() == 0, let raw = watt_rl_read_line(session.prompt, &interrupted) else { print(""); break }
            let line = String(cString: raw)
            free(raw)
            if interrupted != 0 {
                session.cancelEntry()
                continue
            }
            if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                add_history(line)
                _ = write_history(historyPath)
            }
            let reply = session.handle(line)
            if !reply.output.isEmpty { FileHandle.standardOutput.write(Data(reply.output.utf8)) }
            if reply.quit { break }
        }
        _ = history_truncate_file(historyPath, historySize)
        let signal = watt_rl_stop_signal()
        return signal == 0 ? nil : signal
    }
}
