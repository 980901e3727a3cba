/// The one error type of the energy wing and the command line: a stable code, a message in
/// the diagnostics' style (lowercase, no final period, user input in backticks) and an
/// optional hint. Printed on stderr as `error[C0201]: message` with `help: hint` below it.
/// The code decides the exit status, so every command exits alike (docs/diagnostics.md):
/// 0 ok, 1 the policies or the run failed, 2 bad input (a file, a journal, a setting),
/// 64 usage (a flag's value or a combination of flags).
public struct WattError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// A flag's value is out of range or not of its kind, or flags that do not go together.
        case usage = "C0101"
        /// A file or directory cannot be read, or is not there.
        case unreadable = "C0201"
        /// A cluster, trace, grid, profile or data file has invalid content.
        case invalidFile = "C0202"
        /// A journal cannot be opened or read.
        case journal = "C0203"
        /// `--resume` with settings that differ from the journaled run's.
        case resumeMismatch = "C0204"
        /// An output (report, chart, metrics) cannot be written.
        case unwritable = "C0205"
        /// The policies have errors (their diagnostics are printed before).
        case policies = "C0301"
        /// The run failed while it went on (the scheduler, the journal, a tick).
        case runFailed = "C0302"

        public var exitStatus: Int32 {
            switch self {
            case .usage: return 64
            case .unreadable, .invalidFile, .journal, .resumeMismatch, .unwritable: return 2
            case .policies, .runFailed: return 1
            }
        }

        /// What the code means, for docs/diagnostics.md and `--help`.
        public var summary: String {
            switch self {
            case .usage: return "a flag's value is out of range or not of its kind, or flags that do not go together"
            case .unreadable: return "a file or directory cannot be read, or is not there"
            case .invalidFile: return "a cluster, trace, grid, profile or data file has invalid content"
            case .journal: return "a journal cannot be opened or read"
            case .resumeMismatch: return "`--resume` with settings that differ from the journaled run's"
            case .unwritable: return "an output (report, chart, metrics, journal) cannot be written"
            case .policies: return "the policies have errors"
            case .runFailed: return "the run failed while it went on (the scheduler, the journal, a tick)"
            }
        }
    }

    public var code: Code
    public var message: String
    public var hint: String?
    /// What explains the error at length, printed before it on stdout: the policies'
    /// diagnostics, rendered with their carets.
    public var details: String?

    public init(_ code: Code, _ message: String, hint: String? = nil, details: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.details = details
    }

    public var exitStatus: Int32 { code.exitStatus }

    /// `error[C0201]: message`, and `help: hint` on the next line.
    public var description: String {
        "error[\(code.rawValue)]: \(message)" + (hint.map { "\nhelp: \($0)" } ?? "")
    }
}
