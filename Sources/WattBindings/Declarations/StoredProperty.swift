import WattLanguage

/// How a field is read from its host value: the stored property, by kind of value.
enum FieldAccess<Element> {
    case number(StoredProperty<Element, Double>)
    case optionalNumber(StoredProperty<Element, Double?>)
    case count(StoredProperty<Element, Int>)
    case instant(StoredProperty<Element, Double>)
    case optionalInstant(StoredProperty<Element, Double?>)
    case flag(StoredProperty<Element, Bool>)
    case text(StoredProperty<Element, String>)
    case optionalText(StoredProperty<Element, String?>)
    case choice(Choices<Element>)
    case texts(StoredProperty<Element, [String]>)

    var isOptional: Bool {
        switch self {
        case .optionalNumber, .optionalInstant, .optionalText: return true
        default: return false
        }
    }
}

/// The elements a column is made of: all of them, or some rows (the jobs not done).
enum RowSelection {
    case all
    case rows([Int])

    func count<Element>(of elements: [Element]) -> Int {
        switch self {
        case .all: return elements.count
        case .rows(let rows): return rows.count
        }
    }

    @inline(__always)
    func forEach(count: Int, _ body: (Int) -> Void) {
        switch self {
        case .all: for i in 0..<count { body(i) }
        case .rows(let rows): for i in rows { body(i) }
        }
    }
}

/// A stored property of a value, read for many values at once from an array's storage.
///
/// A key path applied to each element (`elements[i][keyPath: k]`) copies the element first
/// (a job holds four strings: four retains and releases) and walks the key path at run time:
/// it cost 40 to 400 ns a value, against 1 ns for the property read in place. A stored
/// property of a struct has a fixed offset (`MemoryLayout.offset(of:)`), so a column is read
/// at `element address + offset` (`RawColumn`); a key path without one (a computed
/// property) falls back to applying it.
struct StoredProperty<Element, Property> {
    let keyPath: WritableKeyPath<Element, Property>
    let offset: Int?

    init(_ keyPath: WritableKeyPath<Element, Property>) {
        self.keyPath = keyPath
        self.offset = MemoryLayout<Element>.offset(of: keyPath)
    }

    /// The property of every element, in place: `body` gets the elements' bytes and where the
    /// property lies in each. Nil without a fixed offset (the caller applies the key path).
    @inline(__always)
    func raw<R>(_ elements: [Element], _ body: (RawColumn) -> R) -> R? {
        guard let offset else { return nil }
        let stride = MemoryLayout<Element>.stride
        return elements.withUnsafeBytes { body(RawColumn(bytes: $0, stride: stride, offset: offset, count: elements.count)) }
    }

    /// The property of one value, read in place (a key path applied by generic code cost an
    /// allocation a read).
    @inline(__always)
    func read(_ element: Element) -> Property {
        guard let offset else { return element[keyPath: keyPath] }
        return withUnsafeBytes(of: element) { $0.load(fromByteOffset: offset, as: Property.self) }
    }

    /// The property of the selected elements through the key path (the fallback).
    func applied(_ elements: [Element], _ rows: RowSelection) -> [Property] {
        switch rows {
        case .all: return elements.map { $0[keyPath: keyPath] }
        case .rows(let rows): return rows.map { elements[$0][keyPath: keyPath] }
        }
    }
}

/// One property of every element of an array, in its storage. The loops below are
/// concrete in the property's type: generic code called through the declarations (whose
/// element type is only known at run time) allocated once per value read.
struct RawColumn {
    let bytes: UnsafeRawBufferPointer
    let stride: Int
    let offset: Int
    let count: Int

    @inline(__always)
    func load<T>(_ i: Int, as type: T.Type) -> T { bytes.load(fromByteOffset: i * stride + offset, as: type) }

    /// Numbers; non-finite values are NaN (missing).
    func numbers(_ rows: RowSelection) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(count)
        rows.forEach(count: count) { i in
            let v = load(i, as: Double.self)
            out.append(v.isFinite ? v : .nan)
        }
        return out
    }

    /// Optional numbers; nil and non-finite values are NaN (missing).
    func optionalNumbers(_ rows: RowSelection) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(count)
        rows.forEach(count: count) { i in
            if let v = load(i, as: Double?.self), v.isFinite { out.append(v) } else { out.append(.nan) }
        }
        return out
    }

    func counts(_ rows: RowSelection) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(count)
        rows.forEach(count: count) { i in out.append(Double(load(i, as: Int.self))) }
        return out
    }

    /// 0 false, 1 true (`Table.Column.bool`).
    func flags(_ rows: RowSelection) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        rows.forEach(count: count) { i in out.append(load(i, as: Bool.self) ? 1 : 0) }
        return out
    }

    func strings(_ rows: RowSelection) -> [String] {
        var out: [String] = []
        out.reserveCapacity(count)
        rows.forEach(count: count) { i in out.append(load(i, as: String.self)) }
        return out
    }

    func optionalStrings(_ rows: RowSelection) -> [String?] {
        var out: [String?] = []
        out.reserveCapacity(count)
        rows.forEach(count: count) { i in out.append(load(i, as: String?.self)) }
        return out
    }

    func lists(_ rows: RowSelection) -> [[String]] {
        var out: [[String]] = []
        out.reserveCapacity(count)
        rows.forEach(count: count) { i in out.append(load(i, as: [String].self)) }
        return out
    }

    /// `table[byte]` for a one-byte property (an enumeration's case, by its tag).
    func mapped(_ rows: RowSelection, _ table: [Int32]) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(count)
        rows.forEach(count: count) { i in out.append(table[Int(load(i, as: UInt8.self))]) }
        return out
    }

    /// The elements whose number (or instant) is refused; none is the usual case.
    func refused(by accepts: (Double) -> Bool) -> [Int] {
        var found: [Int] = []
        for i in 0..<count where !accepts(load(i, as: Double.self)) { found.append(i) }
        return found
    }

    /// The elements whose optional number is present and refused.
    func refusedOptional(by accepts: (Double) -> Bool) -> [Int] {
        var found: [Int] = []
        for i in 0..<count { if let v = load(i, as: Double?.self), !accepts(v) { found.append(i) } }
        return found
    }

    /// The elements whose one-byte property maps to true.
    func selected(_ table: [Bool]) -> [Int] {
        var found: [Int] = []
        found.reserveCapacity(count)
        for i in 0..<count where table[Int(load(i, as: UInt8.self))] { found.append(i) }
        return found
    }
}

/// A field holding an enumeration's case (`NodeState`), seen by policies as the case's raw
/// string: its column codes are the cases' positions, in a dictionary made once.
struct Choices<Element>: @unchecked Sendable {
    let cases: [String]
    let dictionary: StringDictionary
    let codes: ([Element], RowSelection) -> [Int32]
    let code: (Element) -> Int32
    let set: (inout Element, String) -> Bool

    init<Case: CaseIterable & RawRepresentable & Equatable>(_ keyPath: WritableKeyPath<Element, Case>) where Case.RawValue == String {
        let all = Array(Case.allCases)
        let property = StoredProperty(keyPath)
        cases = all.map(\.rawValue)
        dictionary = StringDictionary(strings: cases)
        func code(_ c: Case) -> Int32 { Int32(all.firstIndex(of: c) ?? 0) }
        // A case without payload is stored as one byte, its tag: the column maps tags to
        // codes through a table, read in place.
        let table = CaseTags.table(all, missing: Int32(0)) { Int32($0) }
        codes = { elements, rows in
            if let table, let codes = property.raw(elements, { $0.mapped(rows, table) }) { return codes }
            return property.applied(elements, rows).map(code)
        }
        self.code = { code($0[keyPath: keyPath]) }
        set = { element, raw in
            guard let c = Case(rawValue: raw) else { return false }
            element[keyPath: keyPath] = c
            return true
        }
    }
}

/// Tables indexed by an enumeration's tag byte (cases without payload, one byte in memory).
enum CaseTags {
    /// `value(position)` at each case's tag, `missing` elsewhere; nil when the cases are not
    /// stored as one byte.
    static func table<Case, T>(_ all: [Case], missing: T, _ value: (Int) -> T) -> [T]? {
        guard MemoryLayout<Case>.size == 1 else { return nil }
        var table = Array(repeating: missing, count: 256)
        for (position, c) in all.enumerated() { table[Int(withUnsafeBytes(of: c) { $0[0] })] = value(position) }
        return table
    }
}

/// What one column keeps from one tick to the next, so a tick costs lookups, not a rebuild:
/// its strings' dictionary, and for a list column each row's list as last built (reused
/// while the row holds the same list; arrays that share storage compare without a look at
/// their elements, as the simulator's unchanged nodes do).
public final class ColumnState {
    var encoder = StringColumnEncoder()
    private var cached: [(items: [String], value: Value)] = []

    func lists(_ lists: [[String]]) -> [Value] {
        if cached.count != lists.count { cached = Array(repeating: ([], .list([])), count: lists.count) }
        var values: [Value] = []
        values.reserveCapacity(lists.count)
        for i in lists.indices {
            if cached[i].items == lists[i] {
                values.append(cached[i].value)
            } else {
                let value = Value.list(lists[i].map { .string($0) })
                cached[i] = (lists[i], value)
                values.append(value)
            }
        }
        return values
    }
}
