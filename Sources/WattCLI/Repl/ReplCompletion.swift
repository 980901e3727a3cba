import Foundation
import WattLanguage

/// Tab completion that knows the language: meta commands, record fields after a dot, units
/// after a number, pool and profile names inside a string, and otherwise keywords, verbs,
/// functions and every name in scope.
extension ReplSession {
    /// Candidates for the word that ends `before` (the line up to the cursor).
    public func completions(_ before: String) -> [String] {
        let word = String(before.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }.reversed())
        let head = String(before.dropLast(word.count))
        func matching(_ candidates: some Sequence<String>) -> [String] {
            Array(Set(candidates.filter { $0.hasPrefix(word) })).sorted()
        }
        // Meta commands, at the start of the line.
        if head.trimmingCharacters(in: .whitespaces).isEmpty && word.hasPrefix(":") {
            return matching(Self.metaCommands.map(\.name))
        }
        if head.hasPrefix(":load ") || head.hasPrefix(":save ") { return files(word: word, head: head) }
        // Inside a string: the names that fit string values (pools, profiles).
        if head.filter({ $0 == "\"" }).count % 2 == 1 {
            return matching(stringValues())
        }
        // After `EXPR.`: the fields of its record type.
        if head.hasSuffix(".") {
            let base = Self.trailingPostfix(String(head.dropLast()))
            guard !base.isEmpty, let schema = recordSchema(of: base) else { return [] }
            return matching(schema.fields.map(\.name))
        }
        // After a number: units.
        let trimmed = head.trimmingCharacters(in: .whitespaces)
        if let last = trimmed.last, last.isNumber, head.last == " " || head.last == last {
            let units = UnitTable.units.keys.filter { $0.first?.isLetter ?? false }
            if !word.isEmpty || head.last == " " { return matching(units) }
        }
        var names: [String] = Keyword.allCases.map(\.rawValue)
        names += Array(vocabulary.names.keys) + Array(vocabulary.functions.keys) + Array(vocabulary.verbs.keys)
        names += Array(Builtins.all.keys)
        for source in sources {
            for case .binding(let b) in Parser.parse(source).unit.declarations { names.append(b.name.name) }
        }
        return matching(names)
    }

    /// `forecast(site.power, 1 h)` from `x + forecast(site.power, 1 h)`: the postfix
    /// expression (names, calls, field accesses) that ends the text.
    static func trailingPostfix(_ text: String) -> String {
        var depth = 0
        var start = text.endIndex
        var i = text.endIndex
        while i > text.startIndex {
            let j = text.index(before: i)
            let c = text[j]
            if c == ")" { depth += 1 } else if c == "(" {
                if depth == 0 { break }
                depth -= 1
            } else if depth == 0 && !(c.isLetter || c.isNumber || c == "_" || c == ".") {
                break
            }
            i = j
            start = j
        }
        return String(text[start...])
    }

    func recordSchema(of expression: String) -> RecordSchema? {
        let source = SourceFile(name: "<completion>", text: expression)
        let (expr, diagnostics) = Parser.parseExpression(source)
        guard let expr, !diagnostics.hasErrors else { return nil }
        let checker = Checker(vocabulary: vocabulary)
        _ = checker.check(sources.map { Parser.parse($0).unit })
        let (typed, _) = checker.checkExpression(expr, source: source)
        var type = typed.type.unwrapped
        if let element = type.elementType { type = element.unwrapped }
        guard case .record(let name) = type else { return nil }
        return vocabulary.schemas[name]
    }

    func stringValues() -> [String] {
        var values = Set<String>()
        for schema in vocabulary.schemas.values {
            for field in schema.fields { values.formUnion(field.allowedValues ?? []) }
        }
        return Array(values)
    }

    func files(word: String, head: String) -> [String] {
        let typed = String(head.split(separator: " ", maxSplits: 1).last ?? "") + word
        let directory = typed.contains("/") ? (typed as NSString).deletingLastPathComponent : "."
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.filter { $0.hasPrefix(word) }.sorted()
    }
}
