import Testing
@testable import WattLanguage

@Suite struct NameTableTests {
    /// The table agrees with a `Dictionary` through growth, on short, long and non-ASCII
    /// names, and keeps the first value of a name inserted from a sequence.
    @Test func agreesWithADictionary() {
        var table = NameTable<Int>()
        var dictionary: [String: Int] = [:]
        let names = (0..<2_000).map { i in
            i % 7 == 0 ? "a_rather_long_name_past_the_small_string_size_\(i)" : i % 11 == 0 ? "température_\(i)" : "n\(i)"
        }
        for (i, name) in names.enumerated() {
            table[name] = i
            dictionary[name] = i
            if i % 3 == 0 { table[name] = -i; dictionary[name] = -i }
        }
        #expect(table.count == dictionary.count)
        for name in names + ["", "n", "n2000", "température", "n1 "] { #expect(table[name] == dictionary[name], "\(name)") }
        let first = NameTable([("x", 1), ("y", 2), ("x", 3)])
        #expect(first["x"] == 1 && first["y"] == 2 && first.count == 2)
    }

    @Test func unitsAreUnitTables() {
        for symbol in UnitTable.units.keys.sorted() + ["kWh/h", "EUR/MWh", "g/kWh", "nope", "kW/", "/h", "degC/h", "%"] {
            #expect(NameTables.unit(symbol) == UnitTable.lookup(symbol), "\(symbol)")
        }
    }
}
