/// A set of numbers for membership tests inside column scans (`node in hot_ids`): open
/// addressing over the bit patterns, a multiplicative hash and linear probing. Much
/// cheaper per lookup than `Set<Double>` (no SipHash), built once per evaluation.
struct DoubleSet {
    private var slots: [UInt64]
    private var used: [Bool]
    private let mask: Int
    private let shift: UInt64

    init(_ values: [Double]) {
        var capacity = 8
        while capacity < values.count * 2 { capacity <<= 1 }
        slots = [UInt64](repeating: 0, count: capacity)
        used = [Bool](repeating: false, count: capacity)
        mask = capacity - 1
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        for v in values where !v.isNaN { insert(v) }
    }

    /// `-0.0 == 0.0`, so both hash as `0.0`.
    @inline(__always)
    private static func bits(_ v: Double) -> UInt64 { (v + 0.0).bitPattern }

    @inline(__always)
    private func start(_ bits: UInt64) -> Int { Int(truncatingIfNeeded: (bits &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    private mutating func insert(_ v: Double) {
        let b = DoubleSet.bits(v)
        var i = start(b)
        while used[i] {
            if slots[i] == b { return }
            i = (i + 1) & mask
        }
        used[i] = true
        slots[i] = b
    }

    @inline(__always)
    func contains(_ v: Double) -> Bool {
        let b = DoubleSet.bits(v)
        var i = start(b)
        while used[i] {
            if slots[i] == b { return true }
            i = (i + 1) & mask
        }
        return false
    }
}
