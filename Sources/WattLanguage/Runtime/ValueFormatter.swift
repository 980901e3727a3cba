/// Prints a runtime value using its static type: quantities in a sensible unit, lists
/// in brackets (truncated), records as `{field: value}`.
public enum ValueFormatter {
    public static func format(_ value: Value, _ type: WattType, unit: String? = nil, vocabulary: Vocabulary? = nil,
                              maxItems: Int = 20) -> String {
        switch value {
        case .missing: return "missing"
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return jsonString(s)
        case .instant(let t): return TimeCalendar.format(t)
        case .number(let d):
            if type.unwrapped == .instant { return TimeCalendar.format(d) }
            let dimension = type.dimension ?? .dimensionless
            let preferred = unit.flatMap { u -> String? in
                guard UnitTable.unit(u, as: dimension) != nil else { return nil }
                // Keep `%`, units of single-unit families (prices) and a reading's scale;
                // otherwise scale automatically.
                if u == "%" || (UnitTable.displayFamilies[dimension]?.count ?? 0) <= 1 || dimension == .temperature { return u }
                return nil
            }
            return QuantityFormatter.format(d, dimension, preferred: preferred)
        case .rows(let rows):
            // Box only the rows that are shown.
            let shown = (0..<min(rows.count, maxItems)).map { Value.record(rows.table.record(at: rows.row($0))) }
            let text = format(.list(shown), type, unit: unit, vocabulary: vocabulary, maxItems: maxItems)
            return rows.count > maxItems ? String(text.dropLast()) + ", … \(rows.count - maxItems) more]" : text
        case .list(let items):
            let elementType = type.elementType ?? .error
            var parts = items.prefix(maxItems).map { format($0, elementType, unit: unit, vocabulary: vocabulary, maxItems: maxItems) }
            if items.count > maxItems { parts.append("… \(items.count - maxItems) more") }
            return "[" + parts.joined(separator: ", ") + "]"
        case .record(let record):
            let parts = zip(record.schema.fields, record.fields).map { field, v in
                "\(field.name): \(format(v, field.type, vocabulary: vocabulary, maxItems: 3))"
            }
            return "{" + parts.joined(separator: ", ") + "}"
        }
    }
}
