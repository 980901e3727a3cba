import Foundation

/// Progress of a simulation on stderr: a bar redrawn in place with the simulated time and an
/// ETA when stderr is a terminal, otherwise a line every 10 % (logs stay readable).
final class ProgressBar {
    let interactive: Bool
    let started = Date()
    private var lastDrawn = Date.distantPast
    private var lastDecile = 0
    private let write: (String) -> Void

    init(interactive: Bool = isatty(STDERR_FILENO) == 1,
         write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.interactive = interactive
        self.write = write
    }

    /// The ETA text for `fraction` done after `elapsed` seconds.
    static func eta(fraction: Double, elapsed: Double) -> String {
        guard fraction > 0.005, fraction < 1 else { return fraction >= 1 ? "done" : "ETA --:--" }
        let left = Int((elapsed * (1 - fraction) / fraction).rounded())
        return left >= 3600 ? String(format: "ETA %d:%02d:%02d", left / 3600, left % 3600 / 60, left % 60)
            : String(format: "ETA %d:%02d", left / 60, left % 60)
    }

    func update(fraction: Double, simulatedTime: String) {
        let f = min(1, max(0, fraction))
        let elapsed = Date().timeIntervalSince(started)
        if interactive {
            // Redraw at most 10 times a second, and always at the end.
            guard f >= 1 || Date().timeIntervalSince(lastDrawn) >= 0.1 else { return }
            lastDrawn = Date()
            let width = 30, filled = Int(f * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            write("\r\u{1B}[K  \(bar) \(String(format: "%3d", Int(f * 100))) %  \(simulatedTime)  \(Self.eta(fraction: f, elapsed: elapsed))")
            if f >= 1 { write("\n") }
        } else {
            let decile = Int(f * 10)
            guard decile != lastDecile else { return }
            lastDecile = decile
            write("  simulated \(decile * 10) % (to \(simulatedTime)), \(Self.eta(fraction: f, elapsed: elapsed))\n")
        }
    }

    /// Ends the bar's line (before other stderr output, or when stopping early).
    func interrupt() {
        if interactive && lastDrawn != .distantPast { write("\n"); lastDrawn = .distantPast }
    }
}
