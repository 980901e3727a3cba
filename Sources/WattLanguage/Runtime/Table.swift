/// A collection of records stored by column: one typed array per field. Hosts hand large
/// collections (`jobs`, `nodes`) to a program as tables, so a filter such as
/// `jobs where state == "queued" and priority < 5` is a scan over two arrays with no
/// per-element boxing, and the result is a selection of row numbers, not copied records.
///
/// Missing values are sentinels: NaN in a number column, `Column.missingBool` in a bool
/// column, code -1 in a string column. (Telemetry never supplies NaN as a value: hosts
/// reject it, so NaN can mean "no value".)
public final class Table: @unchecked Sendable {
    public let schema: RecordSchema
    public let count: Int
    public let columns: [Column]

    public enum Column: Sendable {
        /// Quantities and plain numbers, canonical units; NaN is missing.
        case number([Double])
        /// Instants (seconds since 1970); NaN is missing.
        case instant([Double])
        /// 0 false, 1 true, `missingBool` missing.
        case bool([UInt8])
        /// Dictionary-encoded strings: `dictionary[codes[row]]`; -1 is missing.
        case string(codes: [Int32], dictionary: StringDictionary)
        /// Anything else (lists, records): boxed values.
        case values([Value])

        public static let missingBool: UInt8 = 2

        var count: Int {
            switch self {
            case .number(let a), .instant(let a): return a.count
            case .bool(let a): return a.count
            case .string(let codes, _): return codes.count
            case .values(let a): return a.count
            }
        }
    }

    public enum TableError: Error, CustomStringConvertible {
        case columnCount(expected: Int, got: Int)
        case rowCount(field: String, expected: Int, got: Int)
        public var description: String {
            switch self {
            case .columnCount(let e, let g): return "the table needs \(e) columns, one per field, not \(g)"
            case .rowCount(let f, let e, let g): return "column `\(f)` has \(g) rows, the table \(e)"
            }
        }
    }

    public init(schema: RecordSchema, count: Int, columns: [Column]) throws {
        guard columns.count == schema.fields.count else { throw TableError.columnCount(expected: schema.fields.count, got: columns.count) }
        for (field, column) in zip(schema.fields, columns) where column.count != count {
            throw TableError.rowCount(field: field.name, expected: count, got: column.count)
        }
        self.schema = schema
        self.count = count
        self.columns = columns
    }

    /// A table from records of one schema (hosts that already have records; tests).
    public convenience init(schema: RecordSchema, records: [Record]) {
        var builder = TableBuilder(schema: schema, capacity: records.count)
        for record in records { builder.append(record.fields) }
        // The builder makes one column per field of this schema, so this cannot fail.
        try! self.init(schema: schema, count: records.count, columns: builder.columns())
    }

    /// One field of one row as a boxed value (the generic path).
    @inline(__always)
    public func value(row: Int, field: Int) -> Value {
        switch columns[field] {
        case .number(let a): let d = a[row]; return d.isNaN ? .missing : .number(d)
        case .instant(let a): let d = a[row]; return d.isNaN ? .missing : .instant(d)
        case .bool(let a):
            let b = a[row]
            return b == Column.missingBool ? .missing : .bool(b == 1)
        case .string(let codes, let dictionary):
            let c = codes[row]
            return c < 0 ? .missing : .string(dictionary.strings[Int(c)])
        case .values(let a): return a[row]
        }
    }

    /// Row `row` as a record: allocates, so only paths that need a whole record use it.
    public func record(at row: Int) -> Record {
        Record(schema: schema, fields: (0..<columns.count).map { value(row: row, field: $0) })
    }
}

/// The distinct strings of a string column, and their codes (0, 1, ... in the order they were
/// first interned).
///
/// The lookup table is open addressing with linear probing over a cheap hash of the UTF-8
/// bytes, not a `[String: Int32]`: SipHash and the dictionary's checks were most of the
/// cost of binding a world of 20,000 jobs (docs/performance.md). Strings compare as Swift
/// strings do (canonical equivalence), so the byte hash serves only while every string
/// interned is ASCII, where equal means byte for byte equal; the first non-ASCII string
/// switches the dictionary to Swift's own string hash for good.
public final class StringDictionary: @unchecked Sendable {
    public var strings: [String] { storage.strings }
    private var storage = Storage()

    public init() {}

    /// A dictionary of `strings` (distinct), coded 0, 1, ... in that order: for a column whose
    /// values come from a fixed set (an enumeration's cases), whose codes the host can compute
    /// without looking strings up.
    public convenience init(strings: [String]) {
        self.init()
        _ = encode(strings)
    }

    /// The same strings and codes in a new dictionary (copy on write: nothing is copied
    /// until one of the two interns a new string).
    init(copying other: StringDictionary) {
        storage = other.storage
    }

    public func code(for string: String) -> Int32? { storage.code(for: string) }

    func intern(_ string: String) -> Int32 { storage.intern(string) }

    /// The codes of `values`, interning the new ones. The table is taken out of the object
    /// for the loop, so each value costs a hash and a probe, no exclusivity check.
    func encode(_ values: [String]) -> [Int32] {
        var table = storage
        storage = Storage()
        let codes = values.map { table.intern($0) }
        storage = table
        return codes
    }

    /// The same for optional strings: nil is -1 (missing).
    func encode(_ values: [String?]) -> [Int32] {
        var table = storage
        storage = Storage()
        let codes = values.map { $0.map { table.intern($0) } ?? -1 }
        storage = table
        return codes
    }

    struct Storage {
        var strings: [String] = []
        /// The hash of each string, by code (to grow the table without hashing again).
        var hashes: [UInt64] = []
        /// Codes by slot, -1 for an empty slot; a power of two long, at least twice the count.
        var slots: [Int32] = []
        /// Whether hashes are Swift's (`hashValue`), after a non-ASCII string.
        var canonical = false
        /// The byte hash's seed, one per process (as Swift's own string hash): strings chosen
        /// to collide cannot be prepared in advance.
        let seed = Storage.processSeed
        static let processSeed = UInt64.random(in: .min ... .max)

        /// The byte hash of an ASCII string, nil for any other.
        @inline(__always)
        func asciiHash(_ s: String) -> UInt64? {
            var s = s
            let seed = self.seed
            return s.withUTF8 { bytes -> UInt64? in
                let n = bytes.count
                var h: UInt64 = seed ^ 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: n)
                var high: UInt64 = 0
                guard let base = bytes.baseAddress else { return Storage.finish(h) }
                let raw = UnsafeRawPointer(base)
                var i = 0
                while i + 8 <= n {
                    let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    high |= w
                    h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
                    h ^= h >> 29
                    i += 8
                }
                if i < n {
                    var w: UInt64 = 0
                    var shift: UInt64 = 0
                    while i < n {
                        w |= UInt64(base[i]) << shift
                        shift += 8
                        i += 1
                    }
                    high |= w
                    h = (h ^ w) &* 0x94D0_49BB_1331_11EB
                    h ^= h >> 31
                }
                guard high & 0x8080_8080_8080_8080 == 0 else { return nil }
                return Storage.finish(h)
            }
        }

        @inline(__always)
        private static func finish(_ h: UInt64) -> UInt64 {
            let m = h &* 0xD6E8_FEB8_6659_FD93
            return m ^ (m >> 32)
        }

        @inline(__always)
        static func swiftHash(_ s: String) -> UInt64 { UInt64(bitPattern: Int64(s.hashValue)) }

        @inline(__always)
        func find(_ s: String, hash h: UInt64) -> (slot: Int, code: Int32) {
            let mask = slots.count - 1
            var i = Int(truncatingIfNeeded: h) & mask
            while true {
                let c = slots[i]
                if c < 0 || (hashes[Int(c)] == h && strings[Int(c)] == s) { return (i, c) }
                i = (i + 1) & mask
            }
        }

        func code(for s: String) -> Int32? {
            guard !slots.isEmpty else { return nil }
            let h: UInt64
            if canonical {
                h = Self.swiftHash(s)
            } else if let a = asciiHash(s) {
                h = a
            } else {
                // Every string here is ASCII, and none is equal to this one unless canonically
                // equivalent (U+212A KELVIN SIGN equals "K"): a rare query, a linear search.
                return strings.firstIndex(of: s).map { Int32($0) }
            }
            let c = find(s, hash: h).code
            return c < 0 ? nil : c
        }

        mutating func intern(_ s: String) -> Int32 {
            var h: UInt64
            if canonical {
                h = Self.swiftHash(s)
            } else if let a = asciiHash(s) {
                h = a
            } else {
                becomeCanonical()
                h = Self.swiftHash(s)
            }
            if slots.isEmpty || (strings.count + 1) * 2 > slots.count { grow() }
            let (slot, found) = find(s, hash: h)
            if found >= 0 { return found }
            let c = Int32(strings.count)
            strings.append(s)
            hashes.append(h)
            slots[slot] = c
            return c
        }

        /// Twice the slots (16 at first), every code placed again from its hash.
        private mutating func grow() {
            rebuild(capacity: max(16, slots.count * 2))
        }

        private mutating func rebuild(capacity: Int) {
            slots = [Int32](repeating: -1, count: capacity)
            let mask = capacity - 1
            for (c, h) in hashes.enumerated() {
                var i = Int(truncatingIfNeeded: h) & mask
                while slots[i] >= 0 { i = (i + 1) & mask }
                slots[i] = Int32(c)
            }
        }

        private mutating func becomeCanonical() {
            canonical = true
            hashes = strings.map(Self.swiftHash)
            rebuild(capacity: max(16, slots.count))
        }
    }
}

/// Builds a table row by row from boxed field values, choosing each column's storage from
/// the field's type.
public struct TableBuilder {
    public let schema: RecordSchema
    private var numbers: [[Double]]
    private var bools: [[UInt8]]
    private var codes: [[Int32]]
    private var dictionaries: [StringDictionary]
    private var boxed: [[Value]]
    private enum Kind { case number, instant, bool, string, boxed }
    private let kinds: [Kind]
    public private(set) var count = 0

    public init(schema: RecordSchema, capacity: Int = 0) {
        self.schema = schema
        kinds = schema.fields.map { field in
            switch field.type.unwrapped {
            case .quantity: return .number
            case .instant: return .instant
            case .bool: return .bool
            case .string: return .string
            default: return .boxed
            }
        }
        let n = schema.fields.count
        func reserved<T>(_: T.Type) -> [[T]] {
            (0..<n).map { _ in var a: [T] = []; a.reserveCapacity(capacity); return a }
        }
        numbers = reserved(Double.self)
        bools = reserved(UInt8.self)
        codes = reserved(Int32.self)
        boxed = reserved(Value.self)
        dictionaries = (0..<n).map { _ in StringDictionary() }
    }

    /// Appends one row; `fields` in schema order. A value of the wrong kind is stored as
    /// missing (hosts type-check their data before this).
    public mutating func append(_ fields: [Value]) {
        for (i, kind) in kinds.enumerated() {
            let v = i < fields.count ? fields[i] : .missing
            switch kind {
            case .number, .instant:
                switch v {
                case .number(let d), .instant(let d): numbers[i].append(d.isFinite ? d : .nan)
                default: numbers[i].append(.nan)
                }
            case .bool:
                if case .bool(let b) = v { bools[i].append(b ? 1 : 0) } else { bools[i].append(Table.Column.missingBool) }
            case .string:
                if case .string(let s) = v { codes[i].append(dictionaries[i].intern(s)) } else { codes[i].append(-1) }
            case .boxed:
                boxed[i].append(v)
            }
        }
        count += 1
    }

    public func columns() -> [Table.Column] {
        kinds.enumerated().map { i, kind in
            switch kind {
            case .number: return .number(numbers[i])
            case .instant: return .instant(numbers[i])
            case .bool: return .bool(bools[i])
            case .string: return .string(codes: codes[i], dictionary: dictionaries[i])
            case .boxed: return .values(boxed[i])
            }
        }
    }

    public func build() -> Table {
        // One column per field of the schema, each `count` long: cannot fail.
        try! Table(schema: schema, count: count, columns: columns())
    }
}

/// Some rows of a table, in table order: the value of a filtered table collection.
public struct Rows: Sendable, Hashable {
    public let table: Table
    /// Row numbers, ascending; nil means every row.
    public let selection: [Int32]?

    public init(_ table: Table, selection: [Int32]? = nil) {
        self.table = table
        self.selection = selection
    }

    public var count: Int { selection?.count ?? table.count }

    @inline(__always)
    public func row(_ i: Int) -> Int { selection.map { Int($0[i]) } ?? i }

    /// The rows as records (allocates one per row).
    public var records: [Value] { (0..<count).map { .record(table.record(at: row($0))) } }

    public static func == (a: Rows, b: Rows) -> Bool {
        if a.table === b.table && a.selection == b.selection { return true }
        return a.records == b.records
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(count) }
}

// Concrete array parameters, not generic sequences: a generic public function is called
// unspecialised from other modules, which allocated once per element (309k allocations to
// bind the 1x world, docs/performance.md).
extension Table.Column {
    /// A string column from optional strings (nil is missing), dictionary-encoded.
    public static func strings(_ values: [String?]) -> Table.Column {
        let dictionary = StringDictionary()
        return .string(codes: dictionary.encode(values), dictionary: dictionary)
    }

    /// A string column with no missing values.
    public static func strings(_ values: [String]) -> Table.Column {
        let dictionary = StringDictionary()
        return .string(codes: dictionary.encode(values), dictionary: dictionary)
    }

    /// A number column (quantities in canonical units); nil and non-finite values are missing.
    public static func numbers(_ values: [Double?]) -> Table.Column {
        .number(values.map { $0.flatMap { $0.isFinite ? $0 : nil } ?? .nan })
    }

    public static func numbers(_ values: [Double]) -> Table.Column {
        .number(values.map { $0.isFinite ? $0 : .nan })
    }

    /// An instant column (seconds since 1970); nil is missing.
    public static func instants(_ values: [Double?]) -> Table.Column {
        .instant(values.map { $0.flatMap { $0.isFinite ? $0 : nil } ?? .nan })
    }

    public static func bools(_ values: [Bool]) -> Table.Column {
        .bool(values.map { $0 ? 1 : 0 })
    }
}

/// Encodes a host's string column tick after tick with one dictionary, so a tick looks its
/// strings up in the codes of the previous ticks instead of building a dictionary from
/// nothing (which hashes every string at least twice and grows the table a dozen times for a
/// column of 20,000 ids). Codes then depend on the order strings were first seen, over the
/// ticks; filters only compare codes for equality and membership, never order them.
///
/// A table made earlier keeps its dictionary as it was: when one still refers to it, the
/// next column interns into a copy (copy on write), never into the shared one. The
/// dictionary starts again from nothing when it holds more than twice the column's rows
/// (plus 1,024), so ids that come and go (jobs) do not grow it without bound.
public struct StringColumnEncoder {
    private var dictionary = StringDictionary()

    public init() {}

    /// A string column with no missing values.
    public mutating func column(_ values: [String]) -> Table.Column {
        let d = reusable(rows: values.count)
        return .string(codes: d.encode(values), dictionary: d)
    }

    /// A string column from optional strings (nil is missing).
    public mutating func column(_ values: [String?]) -> Table.Column {
        let d = reusable(rows: values.count)
        return .string(codes: d.encode(values), dictionary: d)
    }

    private mutating func reusable(rows: Int) -> StringDictionary {
        if dictionary.strings.count > 2 * rows + 1024 {
            dictionary = StringDictionary()
        } else if !isKnownUniquelyReferenced(&dictionary) {
            dictionary = StringDictionary(copying: dictionary)
        }
        return dictionary
    }
}
