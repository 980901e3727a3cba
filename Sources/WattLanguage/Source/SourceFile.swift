/// A policy source held as UTF-8 bytes, so that invalid UTF-8 or NUL bytes can be
/// reported with a location instead of failing at decode time.
public final class SourceFile: Sendable {
    public let name: String
    public let bytes: [UInt8]
    /// Byte offsets at which each line starts; line N (1-based) starts at lineStarts[N-1].
    private let lineStarts: [Int]
    /// Lines holding only ASCII bytes, whose columns are byte offsets: finding a column
    /// on a 10 MB line must not decode the line once per diagnostic.
    private let asciiLines: [Bool]
    /// 3 when the file starts with a UTF-8 byte order mark (skipped by the lexer and not
    /// part of line 1), else 0.
    public let byteOrderMarkLength: Int

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
        let bom = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
        var starts = [bom]
        var ascii: [Bool] = []
        bytes.withUnsafeBufferPointer { buffer in
            var lineIsASCII = true
            var index = bom
            while index < buffer.count {
                let byte = buffer[index]
                if byte == UInt8(ascii: "\n") {
                    ascii.append(lineIsASCII)
                    lineIsASCII = true
                    starts.append(index + 1)
                } else if byte >= 0x80 {
                    lineIsASCII = false
                }
                index += 1
            }
            ascii.append(lineIsASCII)
        }
        self.lineStarts = starts
        self.asciiLines = ascii
        self.byteOrderMarkLength = bom
    }

    public convenience init(name: String, text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }

    /// The 0-based index of the line holding `offset` (already clamped).
    private func lineIndex(of offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// 1-based line and column (column counted in characters of the decoded line).
    public func location(of offset: Int) -> (line: Int, column: Int) {
        let clamped = max(byteOrderMarkLength, min(offset, bytes.count))
        let index = lineIndex(of: clamped)
        let start = lineStarts[index]
        if asciiLines[index] { return (index + 1, clamped - start + 1) }
        let prefix = String(decoding: bytes[start..<clamped], as: UTF8.self)
        return (index + 1, prefix.count + 1)
    }

    /// The byte range of the 1-based line, without its line feed (and a carriage return
    /// before it).
    public func lineRange(_ line: Int) -> Range<Int> {
        guard line >= 1, line <= lineStarts.count else { return bytes.count..<bytes.count }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return start..<max(start, end)
    }

    /// The text of the 1-based line, without its newline.
    public func lineText(_ line: Int) -> String {
        String(decoding: bytes[lineRange(line)], as: UTF8.self)
    }

    public var lineCount: Int { lineStarts.count }

    /// Whether the 1-based line holds only ASCII bytes (its characters are its bytes).
    public func isASCII(line: Int) -> Bool { line >= 1 && line <= asciiLines.count && asciiLines[line - 1] }

    public func text(_ range: SourceRange) -> String {
        let lower = max(0, min(range.start, bytes.count))
        let upper = max(lower, min(range.end, bytes.count))
        return String(decoding: bytes[lower..<upper], as: UTF8.self)
    }

    /// The text of `range` for a message: at most `limit` bytes, cut at a character
    /// boundary and ended with `…` when longer (a 10 MB token must not make a 10 MB message).
    public func excerpt(_ range: SourceRange, limit: Int = 40) -> String {
        let lower = max(0, min(range.start, bytes.count))
        let upper = max(lower, min(range.end, bytes.count))
        guard upper - lower > limit else { return text(range) }
        var end = lower + limit
        while end > lower, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: bytes[lower..<end], as: UTF8.self) + "…"
    }
}

/// A half-open byte range in one source file.
public struct SourceRange: Hashable, Sendable, Codable {
    public var start: Int
    public var end: Int
    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = max(start, end)
    }
    public static let none = SourceRange(0, 0)
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(min(start, other.start), max(end, other.end))
    }
    public var isEmpty: Bool { start == end }
}
