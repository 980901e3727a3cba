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

extension Inputs {
    /// The same inputs with every list of records stored as a table (`Value.rows`), for
    /// hosts that build records and tests that check both representations agree.
    public func tabulated() -> Inputs {
        var copy = self
        for (slot, value) in values.enumerated() {
            guard case .list(let items) = value, case .record(let first)? = items.first else { continue }
            var records: [Record] = []
            records.reserveCapacity(items.count)
            for item in items {
                guard case .record(let r) = item, r.schema === first.schema else { records = []; break }
                records.append(r)
            }
            guard records.count == items.count else { continue }
            copy.set(slot: slot, .rows(Rows(Table(schema: first.schema, records: records))))
        }
        return copy
    }
}
