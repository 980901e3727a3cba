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
}

/// A stored property of a value, read for many values at once from an array's storage.
///
/// A key path applied to each element (`elements[i][keyPath: k]`) copies the element first
/// (a job holds four strings: four retains and releases) and walks the key path at run time:
/// it cost 40 to 400 ns a value, against 1 ns for the property read in place. A stored
/// property of a struct has a fixed offset (`MemoryLayout.offset(of:)`), so the column is
/// read at `element address + offset`; a key path without one (a computed property) falls
/// back to applying it.
struct StoredProperty<Element, Property> {
    let keyPath: WritableKeyPath<Element, Property>
    let offset: Int?

    init(_ keyPath: WritableKeyPath<Element, Property>) {
        self.keyPath = keyPath
        self.offset = MemoryLayout<Element>.offset(of: keyPath)
    }

    /// `transform` of the property of each selected element, in order.
    @inline(__always)
    func gather<T>(_ elements: [Element], _ rows: RowSelection, _ transform: (Property) -> T) -> [T] {
        guard let offset else {
            switch rows {
            case .all: return elements.map { transform($0[keyPath: keyPath]) }
            case .rows(let rows): return rows.map { transform(elements[$0][keyPath: keyPath]) }
            }
        }
        let stride = MemoryLayout<Element>.stride
        return elements.withUnsafeBytes { raw in
            switch rows {
            case .all:
                return (0..<elements.count).map { transform(raw.load(fromByteOffset: $0 * stride + offset, as: Property.self)) }
            case .rows(let rows):
                return rows.map { transform(raw.load(fromByteOffset: $0 * stride + offset, as: Property.self)) }
            }
        }
    }

    /// The indices of the elements whose property fails `test` (usually none: a clean snapshot
    /// costs one read per element and allocates nothing but the empty result).
    func indices(of elements: [Element], where test: (Property) -> Bool) -> [Int] {
        var found: [Int] = []
        guard let offset else {
            for i in elements.indices where test(elements[i][keyPath: keyPath]) { found.append(i) }
            return found
        }
        let stride = MemoryLayout<Element>.stride
        elements.withUnsafeBytes { raw in
            for i in 0..<elements.count where test(raw.load(fromByteOffset: i * stride + offset, as: Property.self)) {
                found.append(i)
            }
        }
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
        codes = { elements, rows in property.gather(elements, rows, code) }
        self.code = { code($0[keyPath: keyPath]) }
        set = { element, raw in
            guard let c = Case(rawValue: raw) else { return false }
            element[keyPath: keyPath] = c
            return true
        }
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
