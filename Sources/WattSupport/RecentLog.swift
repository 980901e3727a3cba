/// The last `capacity` entries of a log that a long-running loop keeps appending to, and a
/// count of the older ones it let go: memory stays bounded however long the loop runs (a
/// live run at 30 s ticks appends thousands of entries a day).
public struct RecentLog<Element>: Sequence {
    public let capacity: Int
    private var storage: [Element] = []
    /// Where the oldest entry is once the ring is full.
    private var head = 0
    /// Entries appended and since let go (the oldest first).
    public private(set) var dropped = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "a log keeps at least one entry")
        self.capacity = capacity
        storage.reserveCapacity(Swift.min(capacity, 1024))
    }

    public mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
        } else {
            storage[head] = element
            head = (head + 1) % capacity
            dropped += 1
        }
    }

    /// Entries kept now.
    public var count: Int { storage.count }
    /// Entries ever appended.
    public var total: Int { storage.count + dropped }
    public var isEmpty: Bool { storage.isEmpty }
    /// The entries kept, oldest first.
    public var entries: [Element] { Array(storage[head...] + storage[..<head]) }
    public var first: Element? { storage.isEmpty ? nil : storage[head] }
    public var last: Element? { storage.isEmpty ? nil : storage[(head + storage.count - 1) % storage.count] }

    public func makeIterator() -> IndexingIterator<[Element]> { entries.makeIterator() }
}

extension RecentLog: Sendable where Element: Sendable {}
