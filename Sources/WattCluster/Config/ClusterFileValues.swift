import Foundation
import WattEnergy
import WattSupport
import Yams

/// The cluster file loader's value readers: names, numbers with their units, paths and
/// YAML errors, each with the hint a user needs (split from ClusterFile.swift).
extension ClusterFileLoader {

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)
    }

    static func isValidName(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "-_.".unicodeScalars.contains($0) }
    }

    mutating func error(_ path: String?, _ node: Yams.Node?, _ message: String) {
        errors.append(ClusterFileError(file: file, path: path, line: node?.mark?.line, message: message))
    }

    /// `` `text` `` for a scalar, `a list` / `a mapping` otherwise.
    func found(_ node: Yams.Node) -> String {
        switch node {
        case .scalar(let s): return "`\(TextExcerpt.short(s.string))`"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }

    func unknownChoice(_ what: String, _ value: String, _ choices: [String]) -> String {
        if let s = ClusterNames.suggestion(for: value, among: choices) {
            return "unknown \(what) `\(value)`; did you mean `\(s)`?"
        }
        return "unknown \(what) `\(value)`; expected \(ClusterText.list(choices.map { "`\($0)`" }, conjunction: "or"))"
    }

    /// The keys of a mapping, checked against the allowed and required ones.
    struct Fields {
        var values: [String: Yams.Node] = [:]
        /// Keys in file order.
        var keys: [String] = []
        subscript(_ key: String) -> Yams.Node? { values[key] }
    }

    mutating func fields(_ node: Yams.Node, _ path: String?, allowed: [String], required: [String] = []) -> Fields? {
        guard case .mapping(let mapping) = node else {
            error(path, node, "must be a mapping, found \(found(node))")
            return nil
        }
        var f = Fields()
        for (keyNode, value) in mapping {
            guard case .scalar(let k) = keyNode else {
                error(path, keyNode, "keys must be names, found \(found(keyNode))")
                continue
            }
            let key = k.string
            let p = path.map { "\($0).\(TextExcerpt.short(key))" } ?? TextExcerpt.short(key)
            guard allowed.contains(key) else {
                let hint = ClusterNames.suggestion(for: key, among: allowed).map { "; did you mean `\($0)`?" } ?? ""
                error(p, keyNode, "unknown field\(hint)")
                continue
            }
            f.values[key] = value
            f.keys.append(key)
        }
        for key in required where f.values[key] == nil {
            error(path.map { "\($0).\(key)" } ?? key, node, "missing required field")
        }
        return f
    }

    mutating func list(_ node: Yams.Node, _ path: String) -> [Yams.Node]? {
        guard case .sequence(let s) = node else {
            error(path, node, "must be a list, found \(found(node))")
            return nil
        }
        return Array(s)
    }

    mutating func string(_ node: Yams.Node, _ path: String) -> String? {
        guard case .scalar(let s) = node, !s.string.isEmpty else {
            error(path, node, "must be a non-empty string, found \(node.scalar != nil ? "an empty value" : found(node))")
            return nil
        }
        return s.string
    }

    enum Bound {
        case any, positive, nonNegative, unit, hourOfDay
        /// From `lower` to `upper`, both included (`ClusterLimits`).
        case within(ClosedRange<Double>)
        /// Above 0 and at most the bound.
        case positiveUpTo(Double)
        var text: String {
            switch self {
            case .any: return ""
            case .positive: return " > 0"
            case .nonNegative: return " ≥ 0"
            case .unit: return " in [0, 1]"
            case .hourOfDay: return " in [0, 24)"
            case .within(let r): return " from \(ClusterText.number(r.lowerBound)) to \(ClusterText.number(r.upperBound))"
            case .positiveUpTo(let upper): return " > 0 and at most \(ClusterText.number(upper))"
            }
        }
        func contains(_ v: Double) -> Bool {
            switch self {
            case .any: return true
            case .positive: return v > 0
            case .nonNegative: return v >= 0
            case .unit: return v >= 0 && v <= 1
            case .hourOfDay: return v >= 0 && v < 24
            case .within(let r): return r.contains(v)
            case .positiveUpTo(let upper): return v > 0 && v <= upper
            }
        }
    }

    static func parseNumber(_ text: String) -> Double? {
        let t = text.trimmingWhitespace().replacingOccurrences(of: "_", with: "")
        guard let v = Double(t), v.isFinite else { return nil }
        return v
    }

    mutating func number(_ node: Yams.Node, _ path: String, of unit: String?, _ bound: Bound) -> Double? {
        let what = "must be a number" + (unit.map { " of \($0)" } ?? "") + bound.text
        guard case .scalar(let s) = node, let v = ClusterFileLoader.parseNumber(s.string), bound.contains(v) else {
            let hint = node.scalar.flatMap { ClusterFileLoader.unitHint($0.string, unit) } ?? ""
            error(path, node, "\(what), found \(found(node))\(hint)")
            return nil
        }
        return v
    }

    /// For a number written with a unit (`1.2 MW`, `5 min`), how to write it: the file's
    /// numbers are plain, in the unit the key names (`_w`, `_s`).
    static func unitHint(_ text: String, _ unit: String?) -> String? {
        let t = text.trimmingWhitespace()
        guard let split = t.firstIndex(where: { !($0.isASCII && $0.isNumber) && !".-+_ ".contains($0) }), split != t.startIndex,
              let v = parseNumber(String(t[..<split])) else { return nil }
        let suffix = String(t[split...]).trimmingWhitespace()
        guard !suffix.isEmpty, suffix.allSatisfy({ $0.isLetter || $0 == "/" }) else { return nil }
        let factors: [String: Double]
        switch unit {
        case "watts"?: factors = ["W": 1, "kW": 1e3, "MW": 1e6]
        case "seconds"?: factors = ["s": 1, "min": 60, "h": 3600, "d": 86_400]
        default: factors = [:]
        }
        if let f = factors[suffix] { return "; write it as a plain number of \(unit!): `\(ClusterText.number(v * f))`" }
        return "; write a plain number" + (unit.map { " of \($0)" } ?? "") + ", without a unit"
    }

    /// A whole number from `minimum` to `maximum` (below 1e9 when no maximum is given).
    mutating func integer(_ node: Yams.Node, _ path: String, minimum: Int, maximum: Int? = nil) -> Int? {
        guard case .scalar(let s) = node, let v = ClusterFileLoader.parseNumber(s.string), v == v.rounded(),
              v >= Double(minimum), v < 1e9 else {
            let range = maximum.map { " from \(minimum) to \($0)" } ?? " ≥ \(minimum)"
            error(path, node, "must be a whole number\(range), found \(found(node))")
            return nil
        }
        if let maximum, v > Double(maximum) {
            error(path, node, "must be a whole number from \(minimum) to \(maximum), found \(found(node))")
            return nil
        }
        return Int(v)
    }

    mutating func seedValue(_ node: Yams.Node, _ path: String) -> UInt64? {
        guard case .scalar(let s) = node, let v = UInt64(s.string.trimmingWhitespace()) else {
            error(path, node, "must be a whole number ≥ 0, found \(found(node))")
            return nil
        }
        return v
    }

    mutating func instant(_ node: Yams.Node, _ path: String) -> Double? {
        guard case .scalar(let s) = node, let t = ClusterText.parseInstant(s.string) else {
            error(path, node, "must be a UTC timestamp such as `2020-06-01T00:00:00Z`, found \(found(node))")
            return nil
        }
        return t
    }

    mutating func timeOfDay(_ node: Yams.Node, _ path: String) -> Double? {
        if case .scalar(let s) = node {
            let parts = s.string.trimmingWhitespace().split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 2, parts[0].count <= 2, parts[1].count == 2,
               let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m) {
                return Double(h * 3600 + m * 60)
            }
        }
        error(path, node, "must be a time of day `HH:MM` (UTC), found \(found(node))")
        return nil
    }

    static func describeYAMLError(_ error: any Error) -> (line: Int?, column: Int?, message: String) {
        guard let e = error as? YamlError else { return (nil, nil, "\(error)") }
        switch e {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let text = context.map { "\($0.text) " } ?? ""
            return (mark.line, mark.column, text + problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "`\($0)`" }.joined(separator: ", ")
            return (context.mark.line, context.mark.column, "duplicate key \(keys)")
        case .reader(let problem, _, _, _):
            return (nil, nil, problem)
        default:
            return (nil, nil, "\(e)")
        }
    }
}
