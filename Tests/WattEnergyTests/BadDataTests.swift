import Foundation
import Testing
@testable import WattEnergy
import WattSupport
import WattTestSupport

/// Bad data at the energy layer: the telemetry history's ordering rules, series with gaps,
/// grid CSV rows, binary files, and hardware profile files that must never take the
/// built-in catalog down (docs/reliability.md counts these tables).
@Suite struct HistoryBadDataTests {
    /// Each case: samples appended in order, what `append` says for each.
    @Test func orderingRules() {
        var h = MetricHistory(capacity: 100)
        let cases: [(time: Double, value: Double, outcome: MetricHistory.Outcome)] = [
            (600, 10, .appended),
            (900, 11, .appended),
            (900, 12, .replaced(previous: 11)),                     // duplicate: replaces
            (300, 13, .rejected(.outOfOrder(newest: 900))),         // clock went backwards
            (899.999, 14, .rejected(.outOfOrder(newest: 900))),     // out of order by a hair
            (.nan, 15, .rejected(.nonFiniteTime)),
            (.infinity, 16, .rejected(.nonFiniteTime)),
            (1200, .infinity, .rejected(.infiniteValue)),
            (1200, -.infinity, .rejected(.infiniteValue)),
            (1200, .nan, .appended),                                // an explicit gap
            (99_900, 17, .appended),                                // a forward jump
        ]
        var tally = Tally()
        for c in cases {
            let outcome = h.append(time: c.time, value: c.value)
            #expect(outcome == c.outcome, "\(c)")
            tally.count("history append", outcome == c.outcome)
        }
        tally.record("bad-data", part: "history-appends", test: "Tests/WattEnergyTests/BadDataTests.swift")
        #expect(h.rawSamples.map(\.time) == [600, 900, 1200, 99_900])
        #expect(h.rejectedCount == 6 && h.replacedCount == 1)
        #expect(h.lastFinite == Sample(time: 99_900, value: 17))
        #expect(h.oldestTime == 600)
        // Time never goes backwards in what is held, and a forward jump is a gap on the grid,
        // never interpolated across.
        let s = h.series(step: 300)
        #expect(s.values[0] == 10 && s.values[1] == 12 && s.values[2].isNaN)
        #expect(s.values[3..<(s.count - 1)].allSatisfy { $0.isNaN } && s.values.last == 17)
    }

    @Test func lastFiniteSkipsGapsAndReachesIntoBuckets() {
        var h = MetricHistory(capacity: 2, downsampling: .init(bucketWidth: 100, bucketCapacity: 4))
        h.append(time: 10, value: 5)
        h.append(time: 20, value: 7)
        h.append(time: 30, value: .nan)
        #expect(h.lastFinite == Sample(time: 20, value: 7))
        h.append(time: 40, value: .nan)
        // Both raw samples are gaps; the newest value is in the coarse bucket.
        #expect(h.lastFinite == Sample(time: 15, value: 6))
        #expect(h.oldestTime == 15)
        #expect(MetricHistory(capacity: 3).lastFinite == nil && MetricHistory(capacity: 3).oldestTime == nil)
    }

    @Test func stepSeriesGapsAndSigns() throws {
        var tally = Tally()
        let s = try StepSeries(times: [0, 100, 200, 300], values: [1, .nan, 3, 4])
        let gap = s.value(at: 50) == 1 && s.value(at: 150) == nil && s.value(at: 250) == 3
        #expect(gap)
        #expect(throws: StepSeries.SeriesError.invalidValue(index: 1, value: -2)) { try StepSeries(times: [0, 1], values: [1, -2]) }
        #expect(throws: StepSeries.SeriesError.invalidValue(index: 0, value: .infinity)) { try StepSeries(times: [0], values: [.infinity]) }
        func refused(_ values: [Double]) -> Bool { (try? StepSeries(times: Array(0..<values.count).map(Double.init), values: values)) == nil }
        tally.count("series bad value", refused([1, -2]))
        tally.count("series bad value", refused([.infinity]))
        #expect(try StepSeries(times: [0, 1], values: [-5, 2], allowsNegative: true).value(at: 0.5) == -5)
        // Energy over the gap has no intensity: never counted as zero emissions.
        let report = Accounting.account([PowerSample(time: 0, watts: 10), PowerSample(time: 300, watts: 10)], intensity: s)
        let apart = report.joules == 3000 && report.joulesWithoutIntensity == 1000 && report.grams == 1000 + 3000
        #expect(apart)
        tally.count("series gap", gap)
        tally.count("series gap", apart)
        tally.record("bad-data", part: "step-series", test: "Tests/WattEnergyTests/BadDataTests.swift")
    }
}

@Suite struct GridCSVBadRowsTests {
    /// (CSV text, line, phrase): every bad row names its line.
    static let cases: [(String, Int, String)] = [
        ("2020-01-01 00:00,1\n2020-01-01 01:00\n", 2, "expected two columns `time,value`"),
        ("2020-01-01 00:00,1\nnoon,2\n", 2, "bad timestamp `noon`"),
        ("2020-01-01 00:00,1\n2020-02-30 00:00,2\n", 2, "bad timestamp `2020-02-30 00:00`"),
        ("2020-01-01 00:00,1\n2021-02-29 00:00,2\n", 2, "bad timestamp `2021-02-29 00:00`"),
        ("2020-01-01 00:00,1\n2020-01-01 24:00,2\n", 2, "bad timestamp"),
        ("2020-01-01 00:00,1\n2020-01-01 01:00,abc\n", 2, "bad value `abc`: expected a number, or nothing for a missing value"),
        ("2020-01-01 00:00,1\n2020-01-01 01:00,inf\n", 2, "bad value `inf`"),
        ("2020-01-01 00:00,1\n2020-01-01 01:00,-inf\n", 2, "bad value `-inf`"),
        ("2020-01-01 01:00,1\n2020-01-01 00:00,2\n", 2, "time goes backwards: `2020-01-01 00:00` is before the row on line 1; sort the file by time"),
        ("Time,Value\n2020-01-01 01:00,1\n\n2020-01-01 00:30,2\n", 4, "time goes backwards"),
    ]

    @Test func badRowsNameTheirLine() {
        var tally = Tally()
        for (text, line, phrase) in Self.cases {
            #expect(throws: Error.self, "\(text)") { try GridCarbonCSV.samples(text: text) }
            do {
                _ = try GridCarbonCSV.samples(text: text)
                tally.count("grid CSV bad row", false)
            } catch {
                #expect(error.line == line && error.message.contains(phrase), "\(error)")
                tally.count("grid CSV bad row", error.line == line && error.message.contains(phrase))
            }
        }
        tally.record("file-validation", part: "grid-csv-rows", test: "Tests/WattEnergyTests/BadDataTests.swift")
        // Missing values are gaps, not errors; a leap day is a day.
        let rows = try? GridCarbonCSV.samples(text: "2020-02-29 00:00,1\n2020-02-29 00:30,\n2020-02-29 01:00,NaN\n")
        #expect(rows?.count == 3 && rows?[1].value.isNaN == true && rows?[2].value.isNaN == true)
    }

    @Test func binaryFilesAreRefused() throws {
        let path = NSTemporaryDirectory() + "watt-grid-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data("2020-01-01 00:00,1\n".utf8 + [0x00, 0x01]))
        let wanted = GridCarbonCSV.Error(line: 2, message: "not a text file: it has a NUL byte (byte 20); is it a binary or compressed file?")
        #expect(throws: wanted) { try GridCarbonCSV.samples(path: path) }
        var tally = Tally()
        do { _ = try GridCarbonCSV.samples(path: path); tally.count("grid CSV bad row", false) } catch {
            tally.count("grid CSV bad row", error == wanted)
        }
        tally.record("file-validation", part: "grid-csv-binary", test: "Tests/WattEnergyTests/BadDataTests.swift")
    }
}

@Suite struct TextCheckTests {
    @Test func textAndNot() {
        var tally = Tally()
        for good in [Array("plain\ttext\r\nwith ünïcödé, 中文 and emoji 🙂\n".utf8), [0xEF, 0xBB, 0xBF] + Array("bom".utf8), []] {
            #expect(TextCheck.problem(good) == nil)
            tally.count("text check", TextCheck.problem(good) == nil)
        }
        let cases: [([UInt8], Int, String)] = [
            ([0x61, 0x0A, 0x00], 2, "it has a NUL byte (byte 3)"),
            ([0x1B, 0x5B], 1, "control character 0x1B (byte 1)"),
            ([0x0A, 0x0A, 0xFF], 3, "byte 0xFF (byte 3) cannot start a character"),
            ([0x61, 0xC3], 1, "the character at byte 2 is cut short"),            // a file cut mid-character
            ([0xC0, 0xAF], 1, "invalid character encoding at byte 1"),             // overlong
            ([0xED, 0xA0, 0x80], 1, "invalid character encoding at byte 1"),       // a UTF-16 surrogate
            ([0x1F, 0x8B, 0x08], 1, "control character 0x1F"),                     // gzip
        ]
        for (bytes, line, phrase) in cases {
            let p = TextCheck.problem(bytes)
            #expect(p?.line == line && p?.message.contains(phrase) == true, "\(bytes): \(String(describing: p))")
            tally.count("text check", p?.line == line && p?.message.contains(phrase) == true)
        }
        tally.record("file-validation", part: "text-check", test: "Tests/WattEnergyTests/BadDataTests.swift")
    }
}

/// Profile files: whole-file problems, and the built-ins survive every bad file.
@Suite struct ProfileFileBadInputTests {
    static let catalog = HardwareCatalog.builtIn

    /// (file text or bytes, an error that must appear, its entry, its field).
    static let cases: [([UInt8], String, String?, String?)] = [
        ([], "the file is empty; a profile file is a JSON object with the lists curves, devices, nodes, pools", nil, nil),
        (Array(" \n\t\n".utf8), "the file is empty", nil, nil),
        ([0x89, 0x50, 0x4E, 0x47], "line 1: not UTF-8 text: byte 0x89 (byte 1) cannot start a character", nil, nil),
        (Array("{\"devices\": [\n".utf8) + [0x00], "line 2: not a text file: it has a NUL byte", nil, nil),
        (Array("{\"devices\": [{\"name\": \"x\",".utf8), "invalid JSON at line 1", nil, nil),
        (Array("{\"devices\": [{\"name\": \"g\", \"kind\": \"gpu\", \"idle_w\": \"fifty\"}]}".utf8), "must be a number of watts ≥ 0, found string `fifty`",
         "devices[0] `g`", "idle_w"),
        (Array("{\"devices\": [{\"name\": \"g\", \"kind\": \"gpu\", \"max_w\": -300}]}".utf8), "must be a number of watts > 0, found `-300`",
         "devices[0] `g`", "max_w"),
        (Array("{\"devices\": [{\"name\": \"g\", \"kind\": \"gpu\", \"idle_watts\": 5}]}".utf8), "unknown field; did you mean `idle_w`?",
         "devices[0] `g`", "idle_watts"),
        (Array("{\"devices\": [{\"name\": \"g\", \"kind\": \"gpu\"}]}".utf8), "missing required field", "devices[0] `g`", "max_w"),
        (Array("{\"nodes\": [{\"name\": \"dgx-h100-like\", \"devices\": [{\"device\": \"h100-sxm5-80gb\", \"count\": 8}], \"overhead_w\": 1}]}".utf8),
         "duplicate name `dgx-h100-like`, already defined in the built-in catalog", "nodes[0] `dgx-h100-like`", "name"),
        (Array("{\"pools\": [{\"name\": \"p\", \"node\": \"dgx-h100-like\", \"count\": -2}]}".utf8), "must be a whole number ≥ 1, found `-2`",
         "pools[0] `p`", "count"),
        (Array("{\"devises\": []}".utf8), "unknown field; did you mean `devices`?", nil, "devises"),
    ]

    @Test func badFilesAreReportedAndTheBuiltInsStay() {
        var tally = Tally()
        for (bytes, phrase, entry, field) in Self.cases {
            let (loaded, errors) = Self.catalog.adding(json: bytes, file: "site.json")
            let reported = errors.contains { $0.file == "site.json" && $0.entry == entry && $0.field == field && $0.message.contains(phrase) }
            #expect(reported, "\(String(decoding: bytes, as: UTF8.self)): \(errors)")
            let kept = loaded.devices == Self.catalog.devices && loaded.nodes == Self.catalog.nodes && loaded.pools == Self.catalog.pools
            #expect(kept)
            tally.count("profile file bad", reported && kept)
        }
        tally.record("file-validation", part: "profile-files", test: "Tests/WattEnergyTests/BadDataTests.swift")
    }

    /// Every cut of a good file: an error naming the file, or the entries before the cut; the
    /// built-ins always.
    @Test func truncatedFilesNeverCrash() throws {
        let url = RepositoryRoot.url
            .appendingPathComponent("examples/profiles/site.json")
        let bytes = Array(try Data(contentsOf: url))
        var tally = Tally()
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            let (loaded, errors) = Self.catalog.adding(json: Array(bytes[..<cut]), file: "site.json")
            let named = !errors.isEmpty && errors.allSatisfy { $0.file == "site.json" }
            #expect(named)
            #expect(loaded.devices.count >= Self.catalog.devices.count)
            tally.count("profile file cut short", named && loaded.devices.count >= Self.catalog.devices.count)
        }
        tally.record("file-validation", part: "profile-cuts", test: "Tests/WattEnergyTests/BadDataTests.swift")
    }
}
