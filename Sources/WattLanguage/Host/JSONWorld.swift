import Foundation

/// Host data as JSON: values for a vocabulary's names, or a vocabulary inferred from the
/// data itself. Quantities are strings with a unit (`"850 kW"`), instants ISO 8601 strings,
/// `null` a missing value. Errors name the path (`nodes[2].power`).
public enum JSONWorld {
    public struct LoadError: Error, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { path.isEmpty ? message : "`\(path)`: \(message)" }
    }

    /// Parses `"850 kW"`, `"1.5kWh"`, `"80 %"` into a canonical value and its unit.
    public static func parseQuantity(_ text: String) -> (value: Double, unit: PhysicalUnit)? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var end = trimmed.startIndex
        var sawDigit = false
        while end < trimmed.endIndex {
            let c = trimmed[end]
            if c.isNumber { sawDigit = true } else if !(c == "." || c == "-" || c == "+" || ((c == "e" || c == "E") && sawDigit
                && trimmed.index(after: end) < trimmed.endIndex && (trimmed[trimmed.index(after: end)].isNumber || "+-".contains(trimmed[trimmed.index(after: end)])))) {
                break
            }
            end = trimmed.index(after: end)
        }
        guard sawDigit, let number = Double(trimmed[..<end]), number.isFinite else { return nil }
        let symbol = trimmed[end...].trimmingCharacters(in: .whitespaces)
        guard !symbol.isEmpty, let unit = UnitTable.lookup(symbol) else { return nil }
        return (unit.toCanonical(number), unit)
    }

    /// Values for the names of `vocabulary`, and the evaluation time if the data has `now`.
    public static func inputs(from data: Data, vocabulary: Vocabulary) throws -> (Inputs, now: Double?) {
        guard case .object(let object) = try JSONValue.parse(data) else {
            throw LoadError(path: "", message: "the world must be a JSON object of names")
        }
        var inputs = Inputs(vocabulary: vocabulary)
        var now: Double?
        for (key, raw) in object.sorted(by: { $0.key < $1.key }) {
            if key == "now" {
                guard case .string(let text) = raw, let t = TimeCalendar.parseISO8601(text) else {
                    throw LoadError(path: "now", message: "expected an ISO 8601 time such as \"2026-11-29T18:00:00Z\"")
                }
                now = t
                continue
            }
            guard let host = vocabulary.names[key] else {
                throw LoadError(path: key, message: "the vocabulary has no name `\(key)`"
                                + (Suggestions.didYouMean(key, in: vocabulary.nameOrder).map { "; \($0)" } ?? ""))
            }
            inputs.set(slot: host.slot, try convert(raw, to: host.type, path: key, vocabulary: vocabulary))
        }
        return (inputs, now)
    }

    static func convert(_ raw: JSONValue, to type: WattType, path: String, vocabulary: Vocabulary) throws -> Value {
        if raw == .null {
            guard type.isOptional else { throw LoadError(path: path, message: "is null, but \(type.description) is required") }
            return .missing
        }
        switch type.unwrapped {
        case .bool:
            guard case .bool(let b) = raw else { throw LoadError(path: path, message: "expected true or false") }
            return .bool(b)
        case .string:
            guard case .string(let s) = raw else { throw LoadError(path: path, message: "expected a string") }
            return .string(s)
        case .instant:
            if case .string(let s) = raw, let t = TimeCalendar.parseISO8601(s) { return .instant(t) }
            if case .number(let n) = raw { return .instant(n) }
            throw LoadError(path: path, message: "expected an ISO 8601 time such as \"2026-11-29T18:00:00Z\"")
        case .quantity(let d):
            if case .number(let n) = raw {
                guard d.isDimensionless else {
                    let unit = UnitTable.displaySymbol(for: d) ?? ""
                    throw LoadError(path: path, message: "expected \(d.name) with a unit, e.g. \"\(QuantityFormatter.formatNumber(n)) \(unit)\"")
                }
                guard n.isFinite else { throw LoadError(path: path, message: "is not a finite number") }
                return .number(n)
            }
            guard case .string(let s) = raw, let (value, unit) = parseQuantity(s) else {
                throw LoadError(path: path, message: "expected \(d.isDimensionless ? "a number" : "\(d.name) such as \"5 \(UnitTable.displaySymbol(for: d) ?? "")\"")")
            }
            guard unit.dimension == d else {
                throw LoadError(path: path, message: "`\(s)` is \(unit.dimension.name), expected \(d.name)")
            }
            return .number(value)
        case .list(let element):
            guard case .array(let array) = raw else { throw LoadError(path: path, message: "expected a list") }
            return .list(try array.enumerated().map { try convert($1, to: element, path: "\(path)[\($0)]", vocabulary: vocabulary) })
        case .record(let name):
            guard let schema = vocabulary.schemas[name], case .object(let object) = raw else {
                throw LoadError(path: path, message: "expected an object (\(name))")
            }
            for key in object.keys.sorted() where schema.fieldIndex(key) == nil {
                throw LoadError(path: "\(path).\(key)", message: "`\(name)` has no field `\(key)`"
                                + (Suggestions.didYouMean(key, in: schema.fields.map(\.name)).map { "; \($0)" } ?? ""))
            }
            let fields = try schema.fields.map { field -> Value in
                guard let value = object[field.name] else {
                    guard field.type.isOptional else {
                        throw LoadError(path: "\(path).\(field.name)", message: "is required (\(field.type.description))")
                    }
                    return .missing
                }
                return try convert(value, to: field.type, path: "\(path).\(field.name)", vocabulary: vocabulary)
            }
            return .record(Record(schema: schema, fields: fields))
        case .optional, .error:
            return .missing
        }
    }
}
