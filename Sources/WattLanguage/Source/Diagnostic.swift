/// One diagnostic type for every stage (lexer, parser, checker, cost, runtime).
///
/// Message style (see docs/diagnostics.md): lowercase first word, no final period,
/// user text in backticks, name the things involved (`cannot compare power (kW) with time (h)`).
public struct Diagnostic: Sendable, Hashable {
    public enum Severity: String, Sendable, Codable, Comparable {
        case error, warning, note
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
        private var rank: Int { self == .error ? 2 : self == .warning ? 1 : 0 }
    }

    /// A secondary location with a short message, e.g. "previous definition here".
    public struct Label: Sendable, Hashable {
        public var range: SourceRange
        public var message: String
        /// The file of the label when it differs from the diagnostic's own file.
        public var source: SourceFile?
        public init(range: SourceRange, message: String, source: SourceFile? = nil) {
            self.range = range
            self.message = message
            self.source = source
        }
        public static func == (a: Label, b: Label) -> Bool {
            a.range == b.range && a.message == b.message && a.source === b.source
        }
        public func hash(into hasher: inout Hasher) { hasher.combine(range); hasher.combine(message) }
    }

    public var severity: Severity
    public var code: DiagnosticCode
    public var message: String
    public var range: SourceRange
    public var labels: [Label]
    public var help: String?
    /// Attached once, by `DiagnosticBag` (the single choke point), never by the stages.
    public var source: SourceFile?

    public init(_ severity: Severity = .error, _ code: DiagnosticCode, _ message: String,
                at range: SourceRange, labels: [Label] = [], help: String? = nil) {
        self.severity = severity
        self.code = code
        self.message = message
        self.range = range
        self.labels = labels
        self.help = help
    }

    public static func == (a: Diagnostic, b: Diagnostic) -> Bool {
        a.severity == b.severity && a.code == b.code && a.message == b.message && a.range == b.range
            && a.labels == b.labels && a.help == b.help && a.source === b.source
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code); hasher.combine(message); hasher.combine(range)
    }

    /// The source text the primary range underlines; what tests assert instead of columns.
    public var underlined: String { source?.text(range) ?? "" }
}

/// Collects diagnostics for one source file and attaches the file to each: the one
/// place where locations become file-qualified.
public struct DiagnosticBag: Sendable {
    public let source: SourceFile?
    public private(set) var items: [Diagnostic] = []
    private var seen: Set<SeenKey> = []
    private var errorCount = 0
    /// After this many errors in one file the rest are dropped (binary garbage would
    /// otherwise produce one error per byte).
    public static let maxErrors = 100

    /// The E0208 that closes a file's diagnostics once `last` is its `maxErrors`-th error
    /// (the bag, the checker and the whole compilation each cap at the same limit).
    static func tooManyErrors(after last: Diagnostic) -> Diagnostic {
        var stop = Diagnostic(.error, .inputTooLarge, "too many errors; stopped after \(maxErrors)",
                              at: last.range, help: "is this a policy file?")
        stop.source = last.source
        return stop
    }

    private struct SeenKey: Hashable { var start: Int; var code: DiagnosticCode }

    public init(source: SourceFile?) { self.source = source }

    public mutating func add(_ diagnostic: Diagnostic) {
        // Past the limit nothing more is kept (nor remembered: binary garbage must not
        // fill `seen` with one entry per byte).
        if diagnostic.severity == .error && isFull { return }
        var d = diagnostic
        if d.source == nil { d.source = source }
        // One error per location is enough: recovery can otherwise repeat itself.
        guard seen.insert(SeenKey(start: d.range.start, code: d.code)).inserted else { return }
        if d.severity == .error {
            errorCount += 1
            if errorCount > DiagnosticBag.maxErrors { return }
            if errorCount == DiagnosticBag.maxErrors {
                items.append(d)
                items.append(DiagnosticBag.tooManyErrors(after: d))
                return
            }
        }
        items.append(d)
    }
    public mutating func error(_ code: DiagnosticCode, _ message: String, at range: SourceRange,
                               labels: [Diagnostic.Label] = [], help: String? = nil) {
        add(Diagnostic(.error, code, message, at: range, labels: labels, help: help))
    }
    public mutating func warning(_ code: DiagnosticCode, _ message: String, at range: SourceRange,
                                 labels: [Diagnostic.Label] = [], help: String? = nil) {
        add(Diagnostic(.warning, code, message, at: range, labels: labels, help: help))
    }
    public mutating func append(contentsOf other: [Diagnostic]) { for d in other { add(d) } }
    public var hasErrors: Bool { items.contains { $0.severity == .error } }
    /// True once `maxErrors` errors were kept: further errors are dropped, so a stage may
    /// stop early (the lexer does, on binary garbage).
    public var isFull: Bool { errorCount >= DiagnosticBag.maxErrors }
}

extension Array where Element == Diagnostic {
    public var hasErrors: Bool { contains { $0.severity == .error } }
    public var errors: [Diagnostic] { filter { $0.severity == .error } }
}
