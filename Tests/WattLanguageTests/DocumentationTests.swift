import Foundation
import Testing
@testable import WattLanguage

/// The documentation lists every diagnostic code and every unit.
@Suite struct DocumentationTests {
    @Test func everyDiagnosticCodeIsDocumented() throws {
        let text = try String(contentsOf: Repository.root.appendingPathComponent("docs/diagnostics.md"), encoding: .utf8)
        for code in DiagnosticCode.allCases {
            #expect(text.contains("| \(code.rawValue) |"), "docs/diagnostics.md does not document \(code.rawValue)")
        }
    }

    @Test func everyUnitIsDocumented() throws {
        let text = try String(contentsOf: Repository.root.appendingPathComponent("docs/language.md"), encoding: .utf8)
        for symbol in UnitTable.units.keys where !symbol.hasPrefix("EUR") && !symbol.hasPrefix("GBP") {
            #expect(text.contains(symbol), "docs/language.md does not list the unit \(symbol)")
        }
    }
}
