/// `QuantityFormatter.formatNumber` without `String(format:)`: from Swift's shortest
/// round-trip digits (`Double.description`), the text the search by precision prints
/// (`QuantityFormatter.formatNumberByPrecision`), or nil where only the exact binary value can
/// decide (a 15-digit rounding on a tie). Measured values carry 16 or 17 digits, and
/// formatting them by trying precisions was most of the cost of explaining an action.
///
/// Why the digits agree: the shortest round-trip text of `L` digits is the correctly rounded
/// `L`-digit value (it lies in the rounding interval and is the closest there), and no shorter
/// precision reads back; so for `L ≤ 15` it is what `%.Lg` prints, and for `L > 15` the answer
/// is `%.15g`, the exact value rounded to 15 digits, which rounding the shortest digits gives
/// unless the dropped digits are within a few units of the 17th digit of a half.
enum ShortestDigits {
    static func format(_ value: Double) -> String? {
        guard value.isFinite, value != 0 else { return nil }
        var digits: [UInt8] = []
        digits.reserveCapacity(17)
        var exponent = 0            // value = 0.d1d2d3... × 10^exponent
        var pointSeen = false, started = false, explicitExponent = 0
        var text = value.description.utf8.makeIterator()
        var negativeExponent = false, inExponent = false
        while let c = text.next() {
            if inExponent {
                switch c {
                case UInt8(ascii: "-"): negativeExponent = true
                case UInt8(ascii: "+"): continue
                case UInt8(ascii: "0")...UInt8(ascii: "9"): explicitExponent = explicitExponent * 10 + Int(c - 48)
                default: return nil
                }
                continue
            }
            switch c {
            case UInt8(ascii: "-"): continue
            case UInt8(ascii: "."): pointSeen = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let d = c - 48
                if !started && d == 0 {
                    if pointSeen { exponent -= 1 }
                    continue
                }
                started = true
                digits.append(d)
                if !pointSeen { exponent += 1 }
            default: return nil
            }
        }
        exponent += negativeExponent ? -explicitExponent : explicitExponent
        while digits.last == 0 { digits.removeLast() }
        guard !digits.isEmpty, digits.count <= 17 else { return nil }
        // `%.Pg`'s precision: the shortest length, or 15 when that is longer.
        let precision = min(15, digits.count)
        if digits.count > 15 {
            // The dropped digits as a fraction of the 17th digit's place: 16th and 17th.
            let dropped = Int(digits[15]) * 10 + (digits.count > 16 ? Int(digits[16]) : 0)
            if abs(dropped - 50) <= 3 { return nil }
            digits.removeLast(digits.count - 15)
            if dropped > 50 {
                var i = 14
                while i >= 0 {
                    if digits[i] == 9 { digits[i] = 0; i -= 1 } else { digits[i] += 1; break }
                }
                if i < 0 { digits.insert(1, at: 0); digits.removeLast(); exponent += 1 }
            }
            while digits.last == 0 { digits.removeLast() }
        }
        return render(negative: value < 0, digits: digits, exponent: exponent, precision: precision)
    }

    /// As `%.Pg` (trailing zeros already gone), then `formatNumber`'s rules: a whole number
    /// below 10^15 without a point, `1.5e7` exponents.
    private static func render(negative: Bool, digits: [UInt8], exponent: Int, precision: Int) -> String {
        var out = negative ? "-" : ""
        let scientific = exponent - 1   // value = d1.d2d3... × 10^scientific
        func ascii(_ d: UInt8) -> Character { Character(Unicode.Scalar(d + 48)) }
        if scientific < -4 || scientific >= precision {
            out.append(ascii(digits[0]))
            if digits.count > 1 {
                out.append(".")
                for d in digits.dropFirst() { out.append(ascii(d)) }
            }
            out += "e\(scientific)"
            return out
        }
        if exponent <= 0 {
            out += "0."
            for _ in 0..<(-exponent) { out.append("0") }
            for d in digits { out.append(ascii(d)) }
            return out
        }
        for (i, d) in digits.enumerated() {
            if i == exponent { out.append(".") }
            out.append(ascii(d))
        }
        for _ in digits.count..<max(digits.count, exponent) { out.append("0") }
        return out
    }
}
