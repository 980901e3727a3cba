/// A table from names to values for the lexer's, parser's and checker's lookups of
/// identifiers: open addressing with FNV-1a over the name's UTF-8 bytes. A `Dictionary`
/// with `String` keys hashes with SipHash through `Hasher`, about 300 instructions per
/// lookup of a short name; this is under a hundred, and a policy's names are looked up
/// hundreds of thousands of times (docs/performance.md). Insert-only: no removal.
struct NameTable<Value> {
    private var names: [String?]
    private var hashes: [UInt64]
    private var values: [Value?]
    private(set) var count = 0

    init(minimumCapacity: Int = 8) {
        var capacity = 8
        while capacity < minimumCapacity * 2 { capacity *= 2 }
        names = Array(repeating: nil, count: capacity)
        hashes = Array(repeating: 0, count: capacity)
        values = Array(repeating: nil, count: capacity)
    }

    init<S: Sequence>(_ entries: S) where S.Element == (String, Value) {
        self.init()
        for (name, value) in entries where self[name] == nil { self[name] = value }
    }

    @inline(__always)
    static func hash(_ name: String) -> UInt64 {
        var name = name
        return name.withUTF8 { bytes in
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            return hash
        }
    }

    /// The slot holding `name`, or the empty slot where it would go.
    @inline(__always)
    private func slot(_ name: String, _ hash: UInt64) -> Int {
        let mask = names.count - 1
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        while true {
            guard let found = names[slot] else { return slot }
            if hashes[slot] == hash && found == name { return slot }
            slot = (slot + 1) & mask
        }
    }

    subscript(name: String) -> Value? {
        get { values[slot(name, NameTable.hash(name))] }
        set {
            let hash = NameTable.hash(name)
            var index = slot(name, hash)
            guard let newValue else {
                precondition(names[index] == nil, "NameTable does not remove entries")
                return
            }
            if names[index] == nil {
                if (count + 1) * 2 > names.count {
                    grow()
                    index = slot(name, hash)
                }
                names[index] = name
                hashes[index] = hash
                count += 1
            }
            values[index] = newValue
        }
    }

    private mutating func grow() {
        let old = (names, hashes, values)
        names = Array(repeating: nil, count: old.0.count * 2)
        hashes = Array(repeating: 0, count: old.0.count * 2)
        values = Array(repeating: nil, count: old.0.count * 2)
        for i in old.0.indices {
            guard let name = old.0[i] else { continue }
            let index = slot(name, old.1[i])
            names[index] = name
            hashes[index] = old.1[i]
            values[index] = old.2[i]
        }
    }
}

extension NameTable: Sendable where Value: Sendable {}

/// Tables the lexer, parser and checker share, built once.
enum NameTables {
    /// `UnitTable.units`: `unit(_:)` is `UnitTable.lookup(_:)`.
    static let units = NameTable(UnitTable.units.map { ($0.key, $0.value) })
    static let builtins = NameTable(Builtins.all.map { ($0.key, $0.value) })

    /// `UnitTable.lookup(symbol)`: the table, then (for a compound `a/b`) the lookup itself.
    static func unit(_ symbol: String) -> PhysicalUnit? { units[symbol] ?? UnitTable.lookup(symbol) }
}
