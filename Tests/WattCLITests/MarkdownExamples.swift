import Foundation

/// The examples of a markdown file: its fenced code blocks, each with its info string (`watt`,
/// `sh`, `text`, ...), its lines, where it starts, and the reason it is not run when the line
/// before its fence is `<!-- not run: REASON -->`. Shell blocks hold commands (`$ watt ...`)
/// each followed by the output it prints; a line `...` in the output stands for any lines.
struct MarkdownExamples {
    struct Block {
        var info: String
        var lines: [String]
        /// 1-based line of the opening fence.
        var line: Int
        var notRun: String?
        /// The line range of the content in the file (0-based, end exclusive), for record mode.
        var contentLines: Range<Int>
    }

    struct Command {
        var text: String
        /// What it prints, as shown (empty when the doc shows nothing).
        var expected: [String]
        var line: Int
    }

    let path: String
    let lines: [String]
    let blocks: [Block]

    init(path: String, text: String) {
        self.path = path
        lines = text.components(separatedBy: "\n")
        var blocks: [Block] = []
        var i = 0
        while i < lines.count {
            let line = lines[i]
            guard line.hasPrefix("```") else { i += 1; continue }
            let info = String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces)
            var previous = i - 1
            while previous >= 0, lines[previous].trimmingCharacters(in: .whitespaces).isEmpty { previous -= 1 }
            var notRun: String?
            if previous >= 0, let match = lines[previous].firstMatch(of: /<!-- not run: (.+) -->/) { notRun = String(match.1) }
            var end = i + 1
            while end < lines.count, !lines[end].hasPrefix("```") { end += 1 }
            blocks.append(Block(info: info, lines: Array(lines[(i + 1)..<min(end, lines.count)]), line: i + 1, notRun: notRun,
                                contentLines: (i + 1)..<min(end, lines.count)))
            i = end + 1
        }
        self.blocks = blocks
    }

    /// The commands of a shell block: `$ ` lines (with `\` continuations), each with the
    /// lines after it up to the next command.
    static func commands(_ block: Block) -> [Command] {
        var out: [Command] = []
        var k = 0
        while k < block.lines.count {
            let line = block.lines[k]
            guard line.hasPrefix("$ ") else {
                if !out.isEmpty { out[out.count - 1].expected.append(line) }
                k += 1
                continue
            }
            var text = String(line.dropFirst(2))
            let start = k
            while text.hasSuffix("\\"), k + 1 < block.lines.count {
                k += 1
                text = String(text.dropLast()) + " " + block.lines[k].trimmingCharacters(in: .whitespaces)
            }
            out.append(Command(text: text, expected: [], line: block.line + 1 + start))
            k += 1
        }
        for i in out.indices {
            while let last = out[i].expected.last, last.trimmingCharacters(in: .whitespaces).isEmpty { out[i].expected.removeLast() }
        }
        return out
    }

    /// Whether `actual` is what the doc shows: line by line, trailing spaces ignored, `...`
    /// matching any number of lines.
    static func matches(_ expected: [String], _ actual: [String]) -> Bool {
        func trim(_ s: String) -> Substring {
            var t = Substring(s)
            while t.last == " " { t.removeLast() }
            return t
        }
        func match(_ e: ArraySlice<String>, _ a: ArraySlice<String>) -> Bool {
            guard let first = e.first else { return a.isEmpty }
            if first.trimmingCharacters(in: .whitespaces) == "..." {
                let rest = e.dropFirst()
                if rest.isEmpty { return true }
                var k = a.startIndex
                while k <= a.endIndex {
                    if match(rest, a[k...]) { return true }
                    k += 1
                }
                return false
            }
            guard let head = a.first, trim(head) == trim(first) else { return false }
            return match(e.dropFirst(), a.dropFirst())
        }
        return match(expected[...], actual[...])
    }
}
