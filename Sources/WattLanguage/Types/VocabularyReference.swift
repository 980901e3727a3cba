/// A reference of a vocabulary (names, record fields, functions, verbs, with types and
/// units) generated from the registration itself, so documentation cannot drift from code.
public enum VocabularyReference {
    public static func markdown(_ v: Vocabulary, title: String = "Vocabulary") -> String {
        var out = "# \(title)\n\nGenerated from the registered vocabulary (`watt vocab`); do not edit by hand.\n"
        out += "\n## Names\n\n| name | type | unit | description |\n|---|---|---|---|\n"
        for name in v.nameOrder {
            let n = v.names[name]!
            out += "| `\(name)` | \(typeText(n.type)) | \(unitText(n.type)) | \(cell(n.doc)) |\n"
        }
        out += "| `now` | time instant | UTC | the time of the evaluation |\n"
        for schemaName in v.schemas.keys.sorted() {
            let schema = v.schemas[schemaName]!
            out += "\n## Record `\(schemaName)`\n\n"
            if !schema.doc.isEmpty { out += schema.doc + "\n\n" }
            if let valueField = schema.valueField {
                out += "Where a value is expected, a `\(schemaName)` stands for its `\(valueField)`.\n\n"
            }
            out += "| field | type | unit | description |\n|---|---|---|---|\n"
            for f in schema.fields {
                out += "| `\(f.name)` | \(typeText(f.type)) | \(unitText(f.type)) | \(cell(f.doc)) |\n"
            }
        }
        if !v.functions.isEmpty {
            out += "\n## Functions\n\n| function | returns | description |\n|---|---|---|\n"
            for name in v.functions.keys.sorted() {
                let f = v.functions[name]!
                for o in f.overloads {
                    let params = zip(o.parameterNames, o.parameters).map { "\($0): \(patternText($1))" }.joined(separator: ", ")
                    out += "| `\(name)(\(params))` | \(patternText(o.result)) | \(cell(f.doc)) |\n"
                }
            }
        }
        if !v.verbs.isEmpty {
            out += "\n## Actions\n\n| action | target | parts | description |\n|---|---|---|---|\n"
            for name in v.verbs.keys.sorted() {
                let verb = v.verbs[name]!
                let target = verb.targets.isEmpty ? "none" : verb.targets.map(patternText).joined(separator: " or ")
                var parts = verb.slots.map { "`\($0.key)` \(patternText($0.type))\($0.required ? " (required)" : "")" }
                for group in verb.exactlyOneOf { parts.append("exactly one of " + group.map { "`\($0)`" }.joined(separator: ", ")) }
                out += "| `\(name)` | \(target) | \(parts.isEmpty ? "none" : parts.joined(separator: "; ")) | \(cell(verb.doc)) |\n"
            }
        }
        out += "\n## Built-in functions\n\n| function | description |\n|---|---|\n"
        for name in Builtins.docs.keys.sorted() where name != "now" { out += "| `\(name)` | \(cell(Builtins.docs[name]!)) |\n" }
        return out
    }

    static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }

    static func typeText(_ t: WattType) -> String {
        switch t {
        case .record(let name): return "`\(name)`"
        case .list(let e): return "list of \(typeText(e))"
        case .optional(let e): return "optional \(typeText(e))"
        default: return t.description
        }
    }

    static func unitText(_ t: WattType) -> String {
        switch t.unwrapped {
        case .quantity(let d): return d.isDimensionless ? "" : (UnitTable.typicalSymbol(for: d) ?? QuantityFormatter.canonicalSymbol(d))
        case .list(let e): return unitText(e)
        case .instant: return "UTC"
        default: return ""
        }
    }

    static func patternText(_ p: TypePattern) -> String {
        switch p {
        case .exact(let t): return typeText(t)
        case .anyQuantity: return "quantity"
        case .any: return "any"
        case .list(let e): return "list of \(patternText(e))"
        case .optional(let e): return "optional \(patternText(e))"
        case .path: return "telemetry path"
        case .pathOf(let d): return "telemetry path (\(WattType.quantity(d).description))"
        }
    }
}
