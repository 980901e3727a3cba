import Foundation
import Testing
@testable import WattEnergy

/// The midway check of the Let's Wait Awhile tables: Watt's forecaster against the middle of
/// 24-hour persistence and the oracle, per cell, by the "lowest" rule.
@Suite struct LetsWaitAwhileMidwayTests {
    static func cell(_ region: String, _ column: String, _ source: LetsWaitAwhileTables.Source, _ mean: Double,
                     confidence: Double = 0, procedure: ShiftProcedure = .submission) -> LetsWaitAwhileTables.Cell {
        .init(region: region, column: column, source: source.rawValue, confidence: confidence, procedure: procedure, mean: mean,
              min: mean, max: mean, runs: 1, shifted: 0, declined: 0, failed: 0, paper: nil)
    }

    /// A cell without a finite mean is null in the JSON, which stays strict and keeps the
    /// other cells (the encoder used to fail and print `{}`).
    @Test func aNonFiniteFigureIsNullInStrictJSON() throws {
        var tables = LetsWaitAwhileTables()
        tables.cells = [Self.cell("DE", "±2 h", .oracle, .nan), Self.cell("GB", "±2 h", .oracle, 6.5)]
        let data = Data(tables.json().utf8)
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cells = try #require(document["cells"] as? [[String: Any]])
        #expect(cells.count == 2)
        #expect(cells[0]["mean"] is NSNull)
        #expect(cells[1]["mean"] as? Double == 6.5)
    }

    @Test func midwayPerCell() {
        var tables = LetsWaitAwhileTables()
        tables.cells = [
            // Met: 3.0 >= (1 + 4) / 2.
            Self.cell("GB", "±2 h", .oracle, 4), Self.cell("GB", "±2 h", .persistence, 1), Self.cell("GB", "±2 h", .watt, 3),
            // Not met: 2.4 < (1 + 4) / 2, although above persistence.
            Self.cell("GB", "±4 h", .oracle, 4), Self.cell("GB", "±4 h", .persistence, 1), Self.cell("GB", "±4 h", .watt, 2.4),
            // A negative persistence: the midway is 0.5, and 0.5 meets it (at least midway).
            Self.cell("DE", "±2 h", .oracle, 3), Self.cell("DE", "±2 h", .persistence, -2), Self.cell("DE", "±2 h", .watt, 0.5),
            // Other rules and a cell without persistence are not checked.
            Self.cell("DE", "±2 h", .watt, -9, confidence: 1), Self.cell("FR", "±2 h", .oracle, 3), Self.cell("FR", "±2 h", .watt, 0),
            // The online procedure is checked on its own rows.
            Self.cell("GB", "±2 h", .oracle, 4, procedure: .online), Self.cell("GB", "±2 h", .persistence, 1, procedure: .online),
            Self.cell("GB", "±2 h", .watt, 2, procedure: .online),
        ]
        let checks = tables.midwayChecks()
        #expect(checks.count == 4)
        #expect(checks.map(\.met) == [true, false, true, false])
        #expect(checks.map(\.region) == ["GB", "GB", "DE", "GB"])
        #expect(checks[3].procedure == .online && checks[3].watt == 2)
        let text = tables.midwayText()
        #expect(text.contains("| GB | ±2 h | at submission | 1.00 | 3.00 | 2.50 | 4.00 | 67 % | yes |"))
        #expect(text.contains("| GB | ±4 h | at submission | 1.00 | 2.40 | 2.50 | 4.00 | 47 % | no |"))
        #expect(text.contains("| DE | ±2 h | at submission | -2.00 | 0.50 | 0.50 | 3.00 | 50 % | yes |"))
        #expect(text.contains("midway met at submission: 2 of 3 cells"))
        #expect(text.contains("midway met every step: 0 of 1 cells"))
    }
}
