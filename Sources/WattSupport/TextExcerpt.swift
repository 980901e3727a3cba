import Foundation

/// How errors quote a file's content: at most a short excerpt of one line, with control and
/// invisible characters shown as `?`, so that an error never prints a whole line of a file
/// that is not what it was named as (a `trace: ../../etc/shadow` printed a line of it), nor
/// a terminal escape sequence. Readers quote content only once a file has shown itself of
/// the expected kind (a trace's header names a known column; a series has a row that
/// parses); before that, an error says what was expected and where (docs/diagnostics.md).
public enum TextExcerpt {
    /// The longest excerpt, in characters.
    public static let maxLength = 40

    public static func short(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let clean = String(String.UnicodeScalarView(trimmed.unicodeScalars.map { s in
            s.properties.generalCategory == .control || s.properties.generalCategory == .format ? "?" : s
        }))
        return clean.count > maxLength ? String(clean.prefix(maxLength - 3)) + "..." : clean
    }
}
