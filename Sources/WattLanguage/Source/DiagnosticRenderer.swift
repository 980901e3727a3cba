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
    static func snippet(_ source: SourceFile, _ range: SourceRange, message: String?) -> String {
        let (line, column) = source.location(of: range.start)
        let rawLine = source.lineText(line)
        // Very long lines (a 10 MB line) are cut around the caret so output stays readable.
        let limit = 160
        var shown = rawLine
        var caretColumn = column
        if rawLine.count > limit {
            let characters = Array(rawLine)
            let from = max(0, min(column - 1 - limit / 2, characters.count - limit))
            shown = (from > 0 ? "…" : "") + String(characters[from..<min(characters.count, from + limit)])
            caretColumn = column - from + (from > 0 ? 1 : 0)
        }
        shown = String(shown.map { $0 == "\t" ? " " : ($0.isASCII && ($0.asciiValue ?? 32) < 32 ? "?" : $0) })
        let (endLine, endColumn) = source.location(of: range.end)
        var width = endLine == line ? max(1, endColumn - column) : max(1, rawLine.count - column + 1)
        width = max(1, min(width, max(1, shown.count - caretColumn + 1)))
        let gutter = String(line)
        let pad = String(repeating: " ", count: gutter.count)
        var out = " \(gutter) | \(shown)\n"
        out += " \(pad) | " + String(repeating: " ", count: max(0, caretColumn - 1)) + "^" + String(repeating: "~", count: width - 1)
        if let message { out += " \(message)" }
        out += "\n"
        return out
    }

    public static func json(_ diagnostics: [Diagnostic]) -> String {
        "[" + diagnostics.map(json).joined(separator: ",") + "]"
    }

    public static func json(_ d: Diagnostic) -> String {
        var fields: [String] = [
            "\"severity\":\(jsonString(d.severity.rawValue))",
            "\"code\":\(jsonString(d.code.rawValue))",
            "\"message\":\(jsonString(d.message))",
        ]
        if let source = d.source {
            fields.append("\"file\":\(jsonString(source.name))")
            fields.append(jsonRange(source, d.range))
            fields.append("\"text\":\(jsonString(source.text(d.range)))")
        }
        let labels = d.labels.map { label -> String in
            var parts = ["\"message\":\(jsonString(label.message))"]
            if let source = label.source ?? d.source {
                parts.append("\"file\":\(jsonString(source.name))")
                parts.append(jsonRange(source, label.range))
            }
            return "{" + parts.joined(separator: ",") + "}"
        }
        fields.append("\"labels\":[\(labels.joined(separator: ","))]")
        if let help = d.help { fields.append("\"help\":\(jsonString(help))") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private static func jsonRange(_ source: SourceFile, _ range: SourceRange) -> String {
        let start = source.location(of: range.start)
        let end = source.location(of: range.end)
        return "\"start\":{\"line\":\(start.line),\"column\":\(start.column),\"offset\":\(range.start)},"
            + "\"end\":{\"line\":\(end.line),\"column\":\(end.column),\"offset\":\(range.end)}"
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
