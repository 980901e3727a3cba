import Foundation

/// Infers a vocabulary from JSON data, so `watt eval --data world.json` works on any
/// records before a host registers a vocabulary: `"jobs": [{...}]` becomes a name `jobs`
/// of type list of `job`, with field types read off the values.
extension JSONWorld {
    public static func inferVocabulary(from data: Data) throws -> Vocabulary {
        guard case .object(let object) = try JSONValue.parse(data) else {
            throw LoadError(path: "", message: "the world must be a JSON object of names")
        }
        var inference = Inference()
        var vocabulary = Vocabulary()
        var names: [(String, WattType, Int)] = []
        for (key, raw) in object.sorted(by: { $0.key < $1.key }) where key != "now" {
            let type = try inference.infer(raw, path: key, nameHint: key)
            var size = 1
            if case .array(let items) = raw { size = items.count }
            names.append((key, type, size))
        }
        for schema in inference.schemaOrder {
            let fields = inference.schemas[schema]!.map { FieldSchema($0.name, Inference.finish($0.type)) }
            try vocabulary.register(RecordSchema(name: schema, fields: fields))
        }
        for (name, type, size) in names {
            do {
                try vocabulary.register(HostName(name, Inference.finish(type), doc: "from the data file", sizeHint: max(1, size)))
            } catch {
                throw LoadError(path: name, message: "\(error)")
            }
        }
        return vocabulary
    }

    struct Inference {
        var schemas: [String: [(name: String, type: WattType)]] = [:]
        var schemaOrder: [String] = []

        static func singular(_ name: String) -> String {
            if name.hasSuffix("ies") { return String(name.dropLast(3)) + "y" }
            if name.hasSuffix("s") && !name.hasSuffix("ss") && name.count > 1 { return String(name.dropLast()) }
            return name
        }

        mutating func infer(_ raw: JSONValue, path: String, nameHint: String) throws -> WattType {
            switch raw {
            case .null: return .optional(.error)
            case .bool: return .bool
            case .number: return .number
            case .string(let s):
                if let (_, unit) = JSONWorld.parseQuantity(s) { return .quantity(unit.dimension) }
                if TimeCalendar.parseISO8601(s) != nil { return .instant }
                return .string
            case .array(let array):
                var element: WattType?
                for (i, item) in array.enumerated() {
                    let t = try infer(item, path: "\(path)[\(i)]", nameHint: Inference.singular(nameHint))
                    element = try element.map { try unify($0, t, path: "\(path)[\(i)]") } ?? t
                }
                return .list(element ?? .optional(.error))
            case .object(let object):
                var name = nameHint.isEmpty ? "record" : nameHint
                if Keyword(rawValue: name) != nil { name += "_record" }
                var fields: [(name: String, type: WattType)] = []
                for (key, value) in object.sorted(by: { $0.key < $1.key }) {
                    fields.append((key, try infer(value, path: "\(path).\(key)", nameHint: key)))
                }
                if let existing = schemas[name] {
                    schemas[name] = try merge(existing, fields, path: path)
                } else {
                    schemas[name] = fields
                    schemaOrder.append(name)
                }
                return .record(name)
            }
        }

        /// A value only ever seen as `null` is taken to be an optional string.
        static func finish(_ t: WattType) -> WattType {
            switch t {
            case .optional(.error), .error: return .optional(.string)
            case .list(let e): return .list(finish(e))
            case .optional(let e): return .optional(finish(e))
            default: return t
            }
        }

        func unify(_ a: WattType, _ b: WattType, path: String) throws -> WattType {
            if a == b { return a }
            if a.unwrapped == .error { return b.isOptional ? b : .optional(b) }
            if b.unwrapped == .error { return a.isOptional ? a : .optional(a) }
            if a.unwrapped == b.unwrapped { return .optional(a.unwrapped) }
            if case .list(let x) = a.unwrapped, case .list(let y) = b.unwrapped {
                return .list(try unify(x, y, path: path))
            }
            throw LoadError(path: path, message: "mixes \(a.description) and \(b.description) values")
        }

        mutating func merge(_ a: [(name: String, type: WattType)], _ b: [(name: String, type: WattType)], path: String) throws
            -> [(name: String, type: WattType)] {
            var result = a
            for field in b {
                if let i = result.firstIndex(where: { $0.name == field.name }) {
                    result[i].type = try unify(result[i].type, field.type, path: "\(path).\(field.name)")
                } else {
                    result.append((field.name, field.type.isOptional ? field.type : .optional(field.type)))
                }
            }
            for i in result.indices where !b.contains(where: { $0.name == result[i].name }) && !result[i].type.isOptional {
                result[i].type = .optional(result[i].type)
            }
            return result
        }
    }
}
