import Foundation

/// Renders diagnostics as text (`file:line:col: error[E0401]: message`, the line, a caret
/// underline, labels and help) or as JSON for tools.
public enum DiagnosticRenderer {
    public static func text(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map(text).joined()
    }

    public static func text(_ d: Diagnostic) -> String {
        var out = ""
        let header = "\(d.severity.rawValue)[\(d.code.rawValue)]: \(d.message)"
        if let source = d.source {
            let (line, column) = source.location(of: d.range.start)
            out += "\(source.name):\(line):\(column): \(header)\n"
            out += snippet(source, d.range, message: nil)
        } else {
            out += "\(header)\n"
        }
        for label in d.labels {
            if let source = label.source ?? d.source {
                let (line, column) = source.location(of: label.range.start)
                out += "\(source.name):\(line):\(column): note: \(label.message)\n"
                out += snippet(source, label.range, message: nil)
            } else {
                out += "note: \(label.message)\n"
            }
        }
        if let help = d.help { out += "  = help: \(help)\n" }
        return out
    }

    /// The line of the range's start with `^~~~` under the range (clipped to that line).
    /// A long line (a 10 MB line) is cut to `snippetWidth` characters around the caret,
    /// with `…` where it was cut; only a window of bytes around the caret is decoded, so
    /// rendering costs the same on any line.
    static let snippetWidth = 160

    static func snippet(_ source: SourceFile, _ range: SourceRange, message: String?) -> String {
        let (line, _) = source.location(of: range.start)
        let lineBytes = source.lineRange(line)
        let bytes = source.bytes
        let limit = snippetWidth
        let caret = max(lineBytes.lowerBound, min(range.start, lineBytes.upperBound))
        // This window holds `limit` characters each side: a byte each on an ASCII line,
        // at most 4 bytes each on others.
        let reach = (source.isASCII(line: line) ? 1 : 4) * limit
        var from = max(lineBytes.lowerBound, caret - reach)
        var to = min(lineBytes.upperBound, caret + reach)
        while from > lineBytes.lowerBound, from < caret, bytes[from] & 0xC0 == 0x80 { from += 1 }
        while to < lineBytes.upperBound, bytes[to] & 0xC0 == 0x80 { to += 1 }
        let before = Array(String(decoding: bytes[from..<caret], as: UTF8.self))
        let after = Array(String(decoding: bytes[caret..<to], as: UTF8.self))
        let total = before.count + after.count
        var shown: [Character]
        var caretColumn: Int
        var cutBefore = from > lineBytes.lowerBound
        var cutAfter = to < lineBytes.upperBound
        if !cutBefore && !cutAfter && total <= limit {
            shown = before + after
            caretColumn = before.count + 1
        } else {
            // As many characters as fit, half before the caret, more before it near the end.
            let first = max(0, min(before.count - limit / 2, total - limit))
            let all = before + after
            let last = min(total, first + limit)
            shown = Array(all[first..<last])
            caretColumn = before.count - first + 1
            cutBefore = cutBefore || first > 0
            cutAfter = cutAfter || last < total
            if cutBefore { shown.insert("…", at: 0); caretColumn += 1 }
            if cutAfter { shown.append("…") }
        }
        let text = String(shown.map { $0 == "\t" ? " " : ($0.isASCII && ($0.asciiValue ?? 32) < 32 ? "?" : $0) })
        // The underline runs to the range's end on this line, and no further than shown.
        let end = max(caret, min(range.end, to))
        let underlined = String(decoding: bytes[caret..<end], as: UTF8.self).count
        let room = shown.count - caretColumn + 1 - (cutAfter ? 1 : 0)
        let width = max(1, min(underlined, room))
        let gutter = String(line)
        let pad = String(repeating: " ", count: gutter.count)
        var out = " \(gutter) | \(text)\n"
        out += " \(pad) | " + String(repeating: " ", count: max(0, caretColumn - 1)) + "^" + String(repeating: "~", count: width - 1)
        if let message { out += " \(message)" }
        out += "\n"
        return out
    }

    /// Diagnostics as a JSON array (`watt check --format json`), written by `JSONEncoder`
    /// from `DiagnosticRecord`s.
    public static func json(_ diagnostics: [Diagnostic]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every field is a string or an integer: encoding cannot fail.
        return (try? encoder.encode(diagnostics.map(DiagnosticRecord.init))).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    public static func json(_ d: Diagnostic) -> String { String(json([d]).dropFirst().dropLast()) }

    /// The most bytes of underlined source text a JSON diagnostic carries.
    static let jsonTextLimit = 1000
}

/// A diagnostic as machine-readable data (the JSON of `watt check --format json` and of
/// editors' tools): file, 1-based line and column (in characters) and byte offset of both
/// ends, and the underlined text, cut for tools that print it (a 10 MB token stays 10 MB in
/// the file).
public struct DiagnosticRecord: Codable, Sendable, Equatable {
    public struct Position: Codable, Sendable, Equatable {
        public var line: Int
        public var column: Int
        public var offset: Int
    }
    public struct Label: Codable, Sendable, Equatable {
        public var message: String
        public var file: String?
        public var start: Position?
        public var end: Position?
    }
    public var severity: String
    public var code: String
    public var message: String
    public var file: String?
    public var start: Position?
    public var end: Position?
    public var text: String?
    public var labels: [Label]
    public var help: String?

    public init(_ d: Diagnostic) {
        func position(_ source: SourceFile, _ offset: Int) -> Position {
            let location = source.location(of: offset)
            return Position(line: location.line, column: location.column, offset: offset)
        }
        severity = d.severity.rawValue
        code = d.code.rawValue
        message = d.message
        if let source = d.source {
            file = source.name
            start = position(source, d.range.start)
            end = position(source, d.range.end)
            text = source.excerpt(d.range, limit: DiagnosticRenderer.jsonTextLimit)
        }
        labels = d.labels.map { label in
            let source = label.source ?? d.source
            return Label(message: label.message, file: source?.name, start: source.map { position($0, label.range.start) },
                         end: source.map { position($0, label.range.end) })
        }
        help = d.help
    }
}

/// Minimal JSON string escaping, shared by every JSON writer in the package.
public func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
