import Foundation

/// A parsed JSON document, without Foundation's `Any` bridging (which differs by platform
/// on whether `true` is a number).
public indirect enum JSONValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let b = try? container.decode(Bool.self) { self = .bool(b); return }
        if let n = try? container.decode(Double.self) { self = .number(n); return }
        if let s = try? container.decode(String.self) { self = .string(s); return }
        if let a = try? container.decode([JSONValue].self) { self = .array(a); return }
        self = .object(try container.decode([String: JSONValue].self))
    }

    public static func parse(_ data: Data) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch let error as DecodingError {
            var detail = "\(error)"
            if case .dataCorrupted(let context) = error {
                detail = context.debugDescription
                if let underlying = context.underlyingError { detail += ": \(underlying.localizedDescription)" }
            }
            throw JSONWorld.LoadError(path: "", message: "not valid JSON: \(detail)")
        }
    }
}
