import Testing
@testable import WattLanguage

/// String columns' dictionaries (`StringDictionary`, `StringColumnEncoder`): codes in the
/// order strings are first seen, Swift's string equality (canonical equivalence) kept by the
/// byte hash, and dictionaries kept from tick to tick without changing a table made earlier.
@Suite struct StringDictionaryTests {
    @Test func codesFollowFirstAppearanceAndLookupsFindThem() {
        let column = Table.Column.strings(["b", "a", "b", "c", "a"])
        guard case .string(let codes, let dictionary) = column else { Issue.record("not a string column"); return }
        #expect(codes == [0, 1, 0, 2, 1])
        #expect(dictionary.strings == ["b", "a", "c"])
        #expect(dictionary.code(for: "c") == 2)
        #expect(dictionary.code(for: "d") == nil)
        let optional = Table.Column.strings([nil, "x", nil, "x"] as [String?])
        guard case .string(let optionalCodes, _) = optional else { Issue.record("not a string column"); return }
        #expect(optionalCodes == [-1, 0, -1, 0])
    }

    @Test func manyStringsOfEveryLengthGrowTheTable() {
        // Lengths 0 to 40 cross the 8-byte words of the hash and the 15-byte small strings.
        var values: [String] = []
        for i in 0..<5000 { values.append(String(repeating: "x", count: i % 41) + String(i)) }
        values.append("")
        let column = Table.Column.strings(values + values)
        guard case .string(let codes, let dictionary) = column else { Issue.record("not a string column"); return }
        #expect(dictionary.strings.count == values.count)
        #expect(Array(codes[..<values.count]) == (0..<values.count).map { Int32($0) })
        #expect(Array(codes[values.count...]) == Array(codes[..<values.count]))
        for (i, v) in values.enumerated() { #expect(dictionary.code(for: v) == Int32(i)) }
    }

    /// Swift strings are equal when canonically equivalent: a decomposed "é" equals the
    /// precomposed one, the Kelvin sign equals "K". The dictionary agrees with `==` before and
    /// after its first non-ASCII string.
    @Test func canonicallyEquivalentStringsShareACode() {
        let kelvin = "\u{212A}", composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(kelvin == "K" && composed == decomposed)

        // Only ASCII interned: a non-ASCII query still finds its ASCII equal.
        let ascii = StringDictionary(strings: ["K", "cafe", "x"])
        #expect(ascii.code(for: kelvin) == 0)
        #expect(ascii.code(for: decomposed) == nil)

        // Non-ASCII interned: the dictionary hashes as Swift does from then on.
        let column = Table.Column.strings(["K", composed, kelvin, decomposed, "x", "K"])
        guard case .string(let codes, let dictionary) = column else { Issue.record("not a string column"); return }
        #expect(codes == [0, 1, 0, 1, 2, 0])
        #expect(dictionary.code(for: "K") == 0)
        #expect(dictionary.code(for: kelvin) == 0)
        #expect(dictionary.code(for: decomposed) == 1)
        #expect(dictionary.code(for: "x") == 2)
    }

    @Test func anEncoderKeepsCodesAcrossTicksAndLeavesEarlierTablesAlone() {
        var encoder = StringColumnEncoder()
        let first = encoder.column(["a", "b"])
        let second = encoder.column(["b", "c", "a"])
        guard case .string(let c1, let d1) = first, case .string(let c2, let d2) = second else {
            Issue.record("not string columns"); return
        }
        #expect(c1 == [0, 1])
        #expect(c2 == [1, 2, 0])
        // The first table's dictionary was still referred to: the second interned into a copy.
        #expect(d1 !== d2)
        #expect(d1.strings == ["a", "b"])
        #expect(d1.code(for: "c") == nil)
        #expect(d2.strings == ["a", "b", "c"])
    }

    @Test func anEncoderReusesItsDictionaryWhenNoTableHoldsIt() {
        var encoder = StringColumnEncoder()
        var identity: ObjectIdentifier?
        for tick in 0..<3 {
            let column = encoder.column(["n\(tick)", "n0"])
            guard case .string(let codes, let dictionary) = column else { Issue.record("not a string column"); return }
            #expect(codes == [Int32(tick), 0])
            if let identity { #expect(ObjectIdentifier(dictionary) == identity) }
            identity = ObjectIdentifier(dictionary)
        }
    }

    @Test func anEncoderStartsAgainWhenIdsComeAndGo() {
        var encoder = StringColumnEncoder()
        // Each tick brings 100 new ids and drops the old ones: the dictionary never holds more
        // than twice the rows plus 1,024 for long.
        for tick in 0..<40 {
            let ids = (0..<100).map { "job-\(tick)-\($0)" }
            guard case .string(let codes, let dictionary) = encoder.column(ids) else { Issue.record("not a string column"); return }
            #expect(dictionary.strings.count <= 2 * 100 + 1024 + 100)
            for (row, code) in codes.enumerated() { #expect(dictionary.strings[Int(code)] == ids[row]) }
        }
    }

    @Test func filtersOverAnEncodedTableSelectTheSameRows() throws {
        let schema = RecordSchema(name: "job", fields: [FieldSchema("id", .string), FieldSchema("state", .string)])
        var encoder = (id: StringColumnEncoder(), state: StringColumnEncoder())
        var tables: [Table] = []
        for states in [["queued", "running", "queued"], ["done", "running", "queued", "queued"]] {
            let ids = states.indices.map { "j\($0)" }
            tables.append(try Table(schema: schema, count: states.count, columns: [encoder.id.column(ids), encoder.state.column(states)]))
        }
        // Every row reads back as the string it was made from, in both tables.
        #expect((0..<3).map { tables[0].value(row: $0, field: 1) } == [.string("queued"), .string("running"), .string("queued")])
        #expect((0..<4).map { tables[1].value(row: $0, field: 1) } == [.string("done"), .string("running"), .string("queued"), .string("queued")])
    }
}
