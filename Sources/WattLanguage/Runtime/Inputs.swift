/// The host's values for one evaluation, indexed by the slots the vocabulary assigned.
public struct Inputs: Sendable {
    public let vocabulary: Vocabulary
    public private(set) var values: [Value]

    public init(vocabulary: Vocabulary) {
        self.vocabulary = vocabulary
        self.values = Array(repeating: .missing, count: vocabulary.nameOrder.count)
    }

    public enum InputError: Error, CustomStringConvertible {
        case unknownName(String)
        public var description: String {
            switch self { case .unknownName(let n): return "the vocabulary has no name `\(n)`" }
        }
    }

    public mutating func set(_ name: String, _ value: Value) throws {
        guard let host = vocabulary.names[name] else { throw InputError.unknownName(name) }
        values[host.slot] = value
    }

    /// Hosts that cache the slot avoid the name lookup each tick.
    public mutating func set(slot: Int, _ value: Value) { values[slot] = value }
}
