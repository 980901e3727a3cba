import WattLanguage

/// How the REPL prints results: a value with its type (`912.4 kW : power`); a list of
/// records as an aligned table, truncated with a count.
enum ReplFormat {
    static let maxRows = 10

    static func result(_ r: ExpressionResult, vocabulary: Vocabulary) -> String {
        if let items = r.value.elements, case .record(let name)? = r.type.elementType?.unwrapped,
           let schema = vocabulary.schemas[name] {
            return table(items, schema: schema, vocabulary: vocabulary) + "\(items.count) × \(name) : \(r.type.description)\n"
        }
        return "\(r.formatted) : \(r.type.description)\n"
    }

    static func table(_ items: [Value], schema: RecordSchema, vocabulary: Vocabulary) -> String {
        guard !items.isEmpty else { return "(empty)\n" }
        // Scalar fields only: lists and records would not fit a column.
        let columns = schema.fields.enumerated().filter { _, f in
            switch f.type.unwrapped { case .list, .record: return false; default: return true }
        }
        var rows: [[String]] = [columns.map(\.element.name)]
        for item in items.prefix(maxRows) {
            guard case .record(let record) = item else { continue }
            rows.append(columns.map { i, f in
                if case .string(let s) = record.fields[i] { return s }  // no quotes in a table
                return ValueFormatter.format(record.fields[i], f.type, vocabulary: vocabulary)
            })
        }
        var widths = Array(repeating: 0, count: columns.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in rows {
            out += row.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        if items.count > maxRows { out += "… \(items.count - maxRows) more\n" }
        return out
    }

    static func list(_ ids: [String], limit: Int = 6) -> String {
        let shown = ids.prefix(limit).map { "`\($0)`" }.joined(separator: ", ")
        return ids.count > limit ? "\(shown) and \(ids.count - limit) more (\(ids.count))" : shown
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
