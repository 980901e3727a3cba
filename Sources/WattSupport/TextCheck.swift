/// Whether a file that should be text is: configuration, profile, trace and series files are
/// checked before they are parsed, so binary garbage (a compressed file, an image, a file cut
/// by a failed copy) gets one clear error instead of a parser's confusion over junk.
public enum TextCheck {
    /// Where a byte sequence stops being UTF-8 text, and why; nil for text. A NUL byte or any
    /// other control character except tab, line feed, carriage return and form feed counts
    /// as binary; so does a byte sequence that is not UTF-8. A leading byte-order mark is fine.
    public static func problem(_ bytes: [UInt8]) -> (line: Int, message: String)? {
        bytes.withUnsafeBufferPointer { problem(in: $0) }
    }

    private static func problem(in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, message: String)? {
        var line = 1
        var position = 0
        let n = bytes.count
        while position < n {
            let b = bytes[position]
            position += 1
            // The common case, printable ASCII, first.
            if b >= 0x20 && b < 0x7F { continue }
            switch b {
            case 0x0A: line += 1
            case 0x09, 0x0C, 0x0D: break
            case 0x00: return (line, "not a text file: it has a NUL byte (byte \(position)); is it a binary or compressed file?")
            case 0x01...0x1F, 0x7F:
                return (line, "not a text file: control character \(hex(b)) (byte \(position)); is it a binary file?")
            default:
                // A UTF-8 sequence: a lead byte and 1 to 3 continuation bytes.
                let (count, minimum): (Int, UInt32) = b & 0xE0 == 0xC0 ? (1, 0x80) : b & 0xF0 == 0xE0 ? (2, 0x800) : b & 0xF8 == 0xF0 ? (3, 0x10000) : (-1, 0)
                guard count > 0 else { return (line, "not UTF-8 text: byte \(hex(b)) (byte \(position)) cannot start a character") }
                var scalar = UInt32(b) & (count == 1 ? 0x1F : count == 2 ? 0x0F : 0x07)
                for _ in 0..<count {
                    guard position < n, case let c = bytes[position], c & 0xC0 == 0x80 else {
                        return (line, "not UTF-8 text: the character at byte \(position) is cut short or malformed")
                    }
                    position += 1
                    scalar = scalar << 6 | UInt32(c & 0x3F)
                }
                guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else {
                    return (line, "not UTF-8 text: invalid character encoding at byte \(position - count)")
                }
            }
        }
        return nil
    }

    /// The text of checked bytes, without a leading UTF-8 byte-order mark (spreadsheets
    /// write one: a trace's header read `\u{FEFF}id`, an unknown column).
    public static func decoded(_ bytes: [UInt8]) -> String {
        withoutByteOrderMark(String(decoding: bytes, as: UTF8.self))
    }

    /// The text without a leading byte-order mark: every CSV and YAML reader starts here.
    public static func withoutByteOrderMark(_ text: String) -> String {
        text.unicodeScalars.first == "\u{FEFF}" ? String(text.unicodeScalars.dropFirst()) : text
    }

    private static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 0xF)])
    }
}
