import Foundation
import Testing
import WattEnergy
@testable import WattCluster
import WattTestSupport

/// Every kind of bad input a cluster file, a grid series file or a trace can hold gives an
/// error naming the file, where in it (line, key path or column) and what to write instead;
/// none crashes. The tables are counted in docs/reliability.md.
@Suite struct ClusterFileValidationTests {
    /// A bad edit of `ClusterFileTests.valid` and the first error it must give.
    struct Case: CustomStringConvertible {
        var old: String
        var new: String
        var line: Int?
        var path: String?
        var phrase: String
        var description: String { "\(new) → \(path ?? "-"): \(phrase)" }
        init(_ old: String, _ new: String, line: Int?, _ path: String?, _ phrase: String) {
            self.old = old; self.new = new; self.line = line; self.path = path; self.phrase = phrase
        }
    }

    static let guardrails = "\nguardrails:\n  "

    /// Wrong types, unknown keys, negative or out-of-range values, duplicates, missing fields.
    static let cases: [Case] = [
        // Wrong types.
        Case("power_cap_w: 50000", "power_cap_w: lots", line: 5, "site.power_cap_w", "must be a number of watts > 0 and at most 10000000000, found `lots`"),
        Case("nodes: 2", "nodes: [2]", line: 19, "pools[0].nodes", "must be a whole number from 1 to 100000, found a list"),
        Case("nodes: 2", "nodes: 1.5", line: 19, "pools[0].nodes", "must be a whole number from 1 to 100000, found `1.5`"),
        Case("tick_s: 300", "tick_s: {s: 300}", line: 3, "tick_s", "must be a number of seconds from 1 to 86400, found a mapping"),
        Case("region: DE", "region: [DE]", line: 8, "grid.region", "must be a non-empty string, found a list"),
        Case("site:\n  power_cap_w: 50000\n  pue: 1.2", "site: 5", line: 4, "site", "must be a mapping, found `5`"),
        Case("", "\nseed: -1", line: 23, "seed", "must be a whole number ≥ 0, found `-1`"),
        Case("start: 2020-06-01T00:00:00Z", "start: 2020-06-31", line: 2, "start", "must be a UTC timestamp such as `2020-06-01T00:00:00Z`"),
        // A number written with its unit: the fix says how to write it.
        Case("power_cap_w: 50000", "power_cap_w: 50 kW", line: 5, "site.power_cap_w", "write it as a plain number of watts: `50000`"),
        Case("tick_s: 300", "tick_s: 5 min", line: 3, "tick_s", "write it as a plain number of seconds: `300`"),
        Case("nodes: 2", "nodes: 2\n    gpu_cap_w: 450 watts", line: 20, "pools[0].gpu_cap_w", "write a plain number of watts, without a unit"),
        // Unknown keys, with a suggestion.
        Case("tick_s: 300", "tick: 300", line: 3, "tick", "unknown field; did you mean `tick_s`?"),
        Case("pue: 1.2", "pue: 1.2\n  power_cap: 5", line: 7, "site.power_cap", "unknown field; did you mean `power_cap_w`?"),
        Case("nodes: 2", "nodes: 2\n    gpu_cap: 400", line: 20, "pools[0].gpu_cap", "unknown field; did you mean `gpu_cap_w`?"),
        Case("g_per_kwh: 300", "g_per_kw: 300", line: 10, "grid.carbon_intensity.g_per_kw", "unknown field; did you mean `g_per_kwh`?"),
        Case("currency: EUR", "curency: EUR", line: 12, "grid.price.curency", "unknown field; did you mean `currency`?"),
        Case("", guardrails + "min_cap: 300", line: 24, "guardrails.min_cap", "unknown field; did you mean `min_cap_w`?"),
        Case("", "\nnodes: {wake: 60}", line: 23, "nodes.wake", "unknown field; did you mean `wake_s`?"),
        // Negative powers, PUE, caps, prices, durations.
        Case("power_cap_w: 50000", "power_cap_w: -5", line: 5, "site.power_cap_w", "must be a number of watts > 0 and at most 10000000000, found `-5`"),
        Case("pue: 1.2", "pue: -1.2", line: 6, "site.pue", "a PUE must be at least 1, found -1.2"),
        Case("pue: 1.2", "pue: .nan", line: 6, "site.pue", "must be a number, found `.nan`"),
        Case("nodes: 2", "nodes: 2\n    gpu_cap_w: -100", line: 20, "pools[0].gpu_cap_w", "must be a number of watts > 0, found `-100`"),
        Case("", "\nnodes: {suspended_power_w: -50}", line: 23, "nodes.suspended_power_w", "must be a number of watts from 0 to 100000, found `-50`"),
        Case("", guardrails + "min_cap_w: -5", line: 24, "guardrails.min_cap_w", "must be a number of watts from 0 to 100000, found `-5`"),
        Case("g_per_kwh: 300", "g_per_kwh: -300", line: 10, "grid.carbon_intensity.g_per_kwh", "must be a number of g/kWh from 0 to 2000, found `-300`"),
        Case("{from: \"08:00\", per_kwh: 0.3}", "{from: \"08:00\", per_kwh: -0.3}", line: 15, "grid.price.time_of_use[1].per_kwh",
             "must be a number of currency/kWh from 0 to 100, found `-0.3`"),
        Case("", "\njobs: {checkpoint_overhead_s: -60}", line: 23, "jobs.checkpoint_overhead_s", "must be a number of seconds from 0 to 86400, found `-60`"),
        Case("", guardrails + "max_jobs_moved_per_hour: -1", line: 24, "guardrails.max_jobs_moved_per_hour", "must be a whole number from 0 to 1000000, found `-1`"),
        // Out of range.
        Case("", guardrails + "max_capped_gpu_share: 2", line: 24, "guardrails.max_capped_gpu_share", "must be a number in [0, 1], found `2`"),
        Case("", "\nnodes: {telemetry_gap_probability: 1.5}", line: 23, "nodes.telemetry_gap_probability", "must be a number in [0, 1], found `1.5`"),
        Case("nodes: 2", "nodes: 2\n    gpu_cap_w: 900", line: 20, "pools[0].gpu_cap_w", "must be within the GPU cap range 200–700 W"),
        Case("g_per_kwh: 300", "g_per_kwh: 300\n    max_hold_s: 60", line: 11, "grid.carbon_intensity.max_hold_s", "only used with `file`"),
        // Beyond the bounds a real site needs (ClusterLimits, docs/cluster.md): refused before
        // anything is allocated or simulated (these hung, aborted or gave infinite figures).
        Case("tick_s: 300", "tick_s: 1e308", line: 3, "tick_s", "must be a number of seconds from 1 to 86400, found `1e308`"),
        Case("tick_s: 300", "tick_s: 0.001", line: 3, "tick_s", "must be a number of seconds from 1 to 86400, found `0.001`"),
        Case("tick_s: 300", "tick_s: 1e9", line: 3, "tick_s", "must be a number of seconds from 1 to 86400, found `1e9`"),
        Case("nodes: 2", "nodes: 50000000", line: 19, "pools[0].nodes", "must be a whole number from 1 to 100000, found `50000000`"),
        Case("nodes: 1", "nodes: 99999", line: 17, "pools", "the pools have 100001 nodes in all; a cluster may have at most 100000"),
        Case("pue: 1.2", "pue: 1e308", line: 6, "site.pue", "a PUE must be at most 5, found 1e+308"),
        Case("pue: 1.2", "pue: {model: temperature_linear, base: 1.1, threshold_c: 20, per_degree: 0.01, max: 1e308}", line: 6, "site.pue",
             "a PUE must be at most 5, found 1e+308"),
        Case("g_per_kwh: 300", "g_per_kwh: 1e308", line: 10, "grid.carbon_intensity.g_per_kwh",
             "must be a number of g/kWh from 0 to 2000, found `1e308`"),
        Case("power_cap_w: 50000", "power_cap_w: 1e308", line: 5, "site.power_cap_w", "must be a number of watts > 0 and at most 10000000000, found `1e308`"),
        Case("{from: \"08:00\", per_kwh: 0.3}", "{from: \"08:00\", per_kwh: 1e308}", line: 15, "grid.price.time_of_use[1].per_kwh",
             "must be a number of currency/kWh from 0 to 100, found `1e308`"),
        Case("nodes: 2", "nodes: 2\n    cpus_per_node: 1e6", line: 20, "pools[0].cpus_per_node", "must be a whole number from 1 to 4096, found `1e6`"),
        Case("nodes: 2", "nodes: 2\n    speed: 1e308", line: 20, "pools[0].speed", "must be a number > 0 and at most 1000, found `1e308`"),
        Case("", "\nnodes: {wake_s: 1e308}", line: 23, "nodes.wake_s", "must be a number of seconds from 0 to 86400, found `1e308`"),
        Case("", "\njobs: {done_retention_s: 1e308}", line: 23, "jobs.done_retention_s", "must be a number of seconds from 0 to 31622400, found `1e308`"),
        Case("", guardrails + "max_jobs_moved_per_hour: 1e8", line: 24, "guardrails.max_jobs_moved_per_hour",
             "must be a whole number from 0 to 1000000, found `1e8`"),
        // Duplicate ids.
        Case("name: batch", "name: a", line: 20, "pools[1].name", "duplicate pool name `a`, already defined at pools[0]"),
        Case("", guardrails + "never_suspend: [a-001, a-002, a-001]", line: 24, "guardrails.never_suspend[2]",
             "node `a-001` is listed twice, first at never_suspend[0]"),
        Case("tick_s: 300", "tick_s: 300\ntick_s: 600", line: 3, nil, "invalid YAML at column 1: duplicate key `tick_s`"),
        // Missing required fields: the line is where the mapping that lacks them starts.
        Case("start: 2020-06-01T00:00:00Z\n", "", line: 1, "start", "missing required field"),
        Case("  power_cap_w: 50000\n", "", line: 5, "site.power_cap_w", "missing required field"),
        Case("    profile: dgx-h100-like\n", "", line: 17, "pools[0].profile", "missing required field"),
        Case("    currency: EUR\n", "", line: 12, "grid.price.currency", "missing required field"),
        Case("currency: EUR", "currency: CHF", line: 12, "grid.price.currency",
             "must be USD, EUR or GBP (the currencies policies can write), found `CHF`"),
        Case("  - name: batch\n    profile: l40s-4gpu\n    nodes: 1", "  - {}", line: 20, "pools[1].name", "missing required field"),
        Case("pools:", "pool:", line: 16, "pool", "unknown field; did you mean `pools`?"),
        // Bad names and references.
        Case("profile: l40s-4gpu", "profile: l40s", line: 21, "pools[1].profile", "unknown node profile `l40s`; did you mean `l40s-4gpu`?"),
        Case("", "\ndefault_pool: bach", line: 23, "default_pool", "unknown pool `bach`; did you mean `batch`?"),
        Case("", guardrails + "never_suspend: [a-003]", line: 24, "guardrails.never_suspend[0]", "unknown node `a-003`; did you mean `a-001`?"),
    ]

    static func errors(_ yaml: String, base: String = ClusterFileTests.base) -> [ClusterFileError] {
        do {
            _ = try ClusterDefinition.parse(yaml: yaml, file: "demo.yaml", baseDirectory: base)
            return []
        } catch {
            return error.errors
        }
    }

    static func edited(_ c: Case) -> String {
        if c.old.isEmpty { return ClusterFileTests.valid + c.new }
        return ClusterFileTests.replacing(c.old, with: c.new)
    }

    static let test = "Tests/WattClusterTests/FileValidationTests.swift"

    @Test func everyBadValueNamesTheFileTheLineTheKeyAndTheFix() {
        #expect(Self.cases.count >= 40)
        var tally = Tally()
        for c in Self.cases {
            let errors = Self.errors(Self.edited(c))
            guard let first = errors.first else {
                Issue.record("no error for \(c)")
                tally.count("cluster file bad value", false)
                continue
            }
            #expect(first.file == "demo.yaml", "\(c)")
            #expect(first.line == c.line, "\(c): \(first)")
            #expect(first.path == c.path, "\(c): \(first)")
            #expect(first.message.contains(c.phrase), "\(c): \(first)")
            // The rendered form carries all three.
            let rendered = first.description.hasPrefix("demo.yaml: " + (c.line.map { "line \($0): " } ?? ""))
            #expect(rendered, "\(first)")
            tally.count("cluster file bad value", first.file == "demo.yaml" && first.line == c.line && first.path == c.path
                && first.message.contains(c.phrase) && rendered)
        }
        tally.record("file-validation", part: "cluster-values", test: Self.test)
    }

    /// Whole-file problems: empty, comments only, binary, not UTF-8, not a mapping.
    @Test func wholeFileProblems() throws {
        var tally = Tally()
        func expect(_ errors: [String], _ wanted: [String], sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(errors == wanted, sourceLocation: sourceLocation)
            tally.count("cluster file whole-file problem", errors == wanted)
        }
        expect(Self.errors("").map(\.description), ["demo.yaml: the file is empty"])
        expect(Self.errors("# only a comment\n\n").map(\.description), ["demo.yaml: the file is empty"])
        expect(Self.errors("- 1").map(\.description), ["demo.yaml: line 1: must be a mapping, found a list"])
        expect(Self.errors("just text").map(\.description), ["demo.yaml: line 1: must be a mapping, found `just text`"])
        // Another file named as a cluster file: none of its lines printed.
        expect(Self.errors("root:$6$secretsalt$hash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nbin: x\n").map(\.description),
               ["demo.yaml: line 1: not a cluster file: no key of a cluster file is there (`start`, `site`, `grid` and `pools` are required)"])
        func load(_ path: String) -> [String] {
            do { _ = try ClusterDefinition.load(path: path); return [] } catch { return error.errors.map(\.description) }
        }
        let dir = try TemporaryDirectory()
        let gz = dir.write("demo.yaml.gz", [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00])
        expect(load(gz), ["\(gz): line 1: not a text file: control character 0x1F (byte 1); is it a binary file?"])
        let nul = dir.write("nul.yaml", Array("name: x\nstart: 2020\0".utf8))
        expect(load(nul), ["\(nul): line 2: not a text file: it has a NUL byte (byte 20); is it a binary or compressed file?"])
        let latin1 = dir.write("latin1.yaml", Array("name: caf".utf8) + [0xE9, 0x0A])
        expect(load(latin1), ["\(latin1): line 1: not UTF-8 text: the character at byte 10 is cut short or malformed"])
        expect(load(dir.path + "/none.yaml"), ["\(dir.path)/none.yaml: no such file"])
        tally.record("file-validation", part: "cluster-whole-files", test: Self.test)
    }

    /// A file cut anywhere (a failed copy, a full disk) loads or gives errors that name the
    /// file; nothing crashes.
    @Test func aTruncatedFileNeverCrashes() {
        let text = Array(ClusterFileTests.valid.utf8)
        var tried = 0, failed = 0
        var tally = Tally()
        for cut in 0..<text.count {
            let errors = Self.errors(String(decoding: text[..<cut], as: UTF8.self))
            tried += 1
            if !errors.isEmpty { failed += 1 }
            let named = errors.allSatisfy { $0.file == "demo.yaml" && !$0.message.isEmpty }
            #expect(named)
            tally.count("cluster file cut short", named)
        }
        #expect(tried == text.count && failed > tried * 9 / 10)
        tally.record("file-validation", part: "cluster-cuts", test: Self.test)
        // Cut inside a flow mapping: a syntax error at the line where the text stops.
        let cut = ClusterFileTests.valid.components(separatedBy: "per_kwh: 0.3")[0]
        #expect(Self.errors(cut).map(\.description).first?.hasPrefix("demo.yaml: line 16: invalid YAML at column 1:") == true)
    }
}

/// Grid series files (carbon intensity, price, outdoor temperature) named by a cluster file.
@Suite struct GridSeriesFileTests {
    static let rows = "Time,Carbon Intensity\n2020-06-01 00:00:00,300\n2020-06-01 00:30:00,310\n2020-06-01 01:00:00,320\n"

    static func load(_ csv: String, extra: String = "") throws -> (ClusterDefinition?, [String]) {
        let key = "g_per_kwh: 300"
        let dir = try TemporaryDirectory()
        dir.write("grid.csv", Array(csv.utf8))
        let yaml = ClusterFileTests.replacing(key, with: "file: grid.csv" + extra)
        do {
            return (try ClusterDefinition.parse(yaml: yaml, file: "demo.yaml", baseDirectory: dir.path), [])
        } catch {
            return (nil, error.errors.map(\.description))
        }
    }

    /// Bad series files: each error names the cluster file and key, the series file and its line.
    @Test func badRowsNameTheirLine() throws {
        let at = "demo.yaml: line 10: grid.carbon_intensity.file: `grid.csv`"
        let cases: [(String, String?)] = [
            (Self.rows + "2020-06-01 01:30:00,-5\n", "\(at): line 5: must be a number of g/kWh ≥ 0, found `-5`"),
            (Self.rows + "2020-06-01 01:30:00,abc\n", "\(at): line 5: bad value `abc`: expected a number, or nothing for a missing value"),
            (Self.rows + "2020-06-01 01:30:00,inf\n", "\(at): line 5: bad value `inf`: expected a number, or nothing for a missing value"),
            (Self.rows + "June 1st,300\n", "\(at): line 5: bad timestamp `June 1st`: expected 4 digits of the year (expected `YYYY-MM-DD HH:MM[:SS]`, UTC unless a zone is given)"),
            (Self.rows + "2020-06-01 00:15:00,300\n", "\(at): line 5: time goes backwards: `2020-06-01 00:15:00` is before the row on line 4; sort the file by time"),
            (Self.rows + "2020-06-01 01:30:00\n", "\(at): line 5: expected two columns `time,value`, found `2020-06-01 01:30:00`"),
            (Self.rows + "2020-06-01 01:3", "\(at): line 5: expected two columns `time,value`, found `2020-06-01 01:3`"),
            (Self.rows + "2020-06-01 01:30:00,3", nil),
            (Self.rows + "2020-02-30 01:30:00,3", "\(at): line 5: bad timestamp `2020-02-30 01:30:00`: day 30 is not in February 2020 (1 to 29) (expected `YYYY-MM-DD HH:MM[:SS]`, UTC unless a zone is given)"),
            // A number beyond the bounds is refused with its line, as `inf` is; a missing
            // value (empty or `NaN`) is a gap (docs/cluster.md).
            (Self.rows + "2020-06-01 01:30:00,1e308\n", "\(at): line 5: must be a number of g/kWh from 0 to 2000, found `1e+308`"),
            (Self.rows + "2020-06-01 01:30:00,NaN\n", nil),
            // A byte-order mark before a file without a header: its first row is a row.
            ("\u{FEFF}2020-06-01 00:00:00,300\n2020-06-01 00:30:00,-1\n", "\(at): line 2: must be a number of g/kWh ≥ 0, found `-1`"),
            // Not a series (a path naming another file): its lines are not printed.
            ("root:$6$salt$hash:19000:0\ndaemon:*:19000:0:99999\n",
             "\(at): line 2: expected two columns `time,value`; no row before it was one either: is this a two-column time series CSV?"),
            ("2020-06-01 00:00:00,300\n2020-06-01 00:30:00,\u{202E}321\n",
             "\(at): line 2: bad value `?321`: expected a number, or nothing for a missing value"),
            ("", "\(at) has fewer than 2 rows with a value"),
            ("Time,Carbon Intensity\n", "\(at) has fewer than 2 rows with a value"),
            ("Time,Carbon Intensity\n2020-06-01 00:00:00,\n2020-06-01 00:30:00,nan\n", "\(at) has fewer than 2 rows with a value"),
        ]
        var tally = Tally()
        for (csv, message) in cases {
            let errors = try Self.load(csv).1
            #expect(errors == (message.map { [$0] } ?? []), "\(csv)")
            tally.count("grid series file", errors == (message.map { [$0] } ?? []))
        }
        // Binary: the series file's line.
        let dir = try TemporaryDirectory()
        dir.write("grid.csv", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00])
        let yaml = ClusterFileTests.replacing("g_per_kwh: 300", with: "file: grid.csv")
        let binary = ClusterLoadError([ClusterFileError(file: "demo.yaml", path: "grid.carbon_intensity.file", line: 10,
                                                        message: "`grid.csv`: line 1: not a text file: control character 0x03 (byte 3); is it a binary file?")])
        let error = Self.loadError(yaml, dir.path)
        #expect(error == binary)
        tally.count("grid series file", error == binary)
        tally.record("file-validation", part: "grid-series-files", test: ClusterFileValidationTests.test)
    }

    static func loadError(_ yaml: String, _ base: String) -> ClusterLoadError? {
        do { _ = try ClusterDefinition.parse(yaml: yaml, file: "demo.yaml", baseDirectory: base); return nil } catch { return error }
    }

    /// Over a gap in the file (rows missing, or rows without a value) the last value holds
    /// for `max_hold_s` (default 2 h), then the grid has no value until the next row.
    @Test func gapsHoldTheLastValueForABoundedTime() throws {
        let csv = Self.rows + "2020-06-01 01:30:00,\n2020-06-01 06:00:00,400\n2020-06-01 06:30:00,410\n"
        let start = 1_590_969_600.0
        let (cluster, errors) = try Self.load(csv)
        #expect(errors == [])
        let ci = try #require(cluster).grid.carbonIntensity
        func g(_ hours: Double) -> Double? { ci.value(at: start + hours * 3600).map { ($0 * SI.joulesPerKWh * 1e6).rounded() / 1e6 } }
        var tally = Tally()
        func check(_ ok: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(ok, sourceLocation: sourceLocation)
            tally.count("grid series gap and hold", ok)
        }
        #expect(g(0) == 300 && g(0.75) == 310 && g(1) == 320)
        // 01:00 + 2 h: still held (the empty 01:30 row is a gap, not a value); then none.
        check(g(2.99) == 320 && g(3) == nil && g(5.99) == nil)
        check(g(6) == 400 && g(6.5) == 410 && g(6.99) == 410 && g(7) == nil)
        // A shorter hold, configured.
        let (short, _) = try Self.load(csv, extra: "\n    max_hold_s: 3600")
        let s = try #require(short).grid.carbonIntensity
        check(s.value(at: start + 1.99 * 3600) != nil && s.value(at: start + 2 * 3600) == nil)
        check(try Self.load(csv, extra: "\n    max_hold_s: 0").1 == ["demo.yaml: line 11: grid.carbon_intensity.max_hold_s: must be a number of seconds > 0 and at most 2592000, found `0`"])
        // Energy over the gap is counted without an intensity, never as zero emissions.
        let acc = Accounting.account([PowerSample(time: start, watts: 1000), PowerSample(time: start + 7 * 3600, watts: 1000)],
                                     intensity: ci.stepSeries(from: start, to: start + 7 * 3600))
        check(abs(acc.joulesWithoutIntensity - 3 * 3600 * 1000) < 1e-6)
        tally.record("bad-data", part: "grid-gaps", test: ClusterFileValidationTests.test)
    }

    @Test func theStartMustHaveAValue() throws {
        let csv = "Time,Carbon Intensity\n2020-05-31 00:00:00,300\n2020-06-01 06:00:00,400\n2020-06-01 06:30:00,400\n"
        #expect(try Self.load(csv).1 == ["demo.yaml: line 10: grid.carbon_intensity.file: the series has no value at the start 2020-06-01T00:00:00Z: no row with a value in the 7200 s before it (`max_hold_s`)"])
    }

    @Test func pricesAndTemperatures() throws {
        // A price file below zero is refused (Watt's accounting assumes prices ≥ 0).
        let dir = try TemporaryDirectory()
        dir.write("price.csv", Array("Time,Price\n2020-06-01 00:00,0.2\n2020-06-01 01:00,-0.05\n".utf8))
        dir.write("temp.csv", Array("Time,C\n2020-06-01 00:00,-3.5\n2020-06-01 01:00,-2\n".utf8))
        let price = ClusterFileTests.replacing("time_of_use:\n      - {from: \"00:00\", per_kwh: 0.1}\n      - {from: \"08:00\", per_kwh: 0.3}", with: "file: price.csv")
        #expect(throws: ClusterLoadError([ClusterFileError(file: "demo.yaml", path: "grid.price.file", line: 13,
                                                           message: "`price.csv`: line 3: must be a number of EUR/kWh ≥ 0, found `-0.05`")])) {
            try ClusterDefinition.parse(yaml: price, file: "demo.yaml", baseDirectory: dir.path)
        }
        // Outdoor temperatures below zero are fine.
        let cold = ClusterFileTests.replacing("pue: 1.2", with: "pue: 1.2\n  outdoor_temperature: {file: temp.csv}")
        let c = try ClusterDefinition.parse(yaml: cold, file: "demo.yaml", baseDirectory: dir.path)
        #expect(c.outdoorTemperature.value(at: 1_590_969_600) == -3.5)
    }
}

/// Trace CSV: every bad line names its file, line and column.
@Suite struct TraceValidationTests {
    static let header = TraceCSVTests.header
    static let row = "a,10,ana,batch,8,64,7200,0.9,true,false,,3"

    /// (CSV, line, column, phrase).
    static let cases: [(String, Int, String?, String)] = [
        ("id,submit,gpu,duration,flexible\n", 1, "gpu", "unknown column; did you mean `gpus`?"),
        ("id,submit,gpus,duraton,flexible\n", 1, "duraton", "unknown column; did you mean `duration`?"),
        ("submit,gpus,flexible\n", 1, "duration", "missing required column"),
        ("submit,gpus,gpus,duration,flexible\n", 1, "gpus", "duplicate column"),
        ("submit,,gpus,duration,flexible\n", 1, "2", "unknown column"),
        (header + "\n" + row + "\n" + row + "\n", 3, "id", "duplicate job id `a`, first on line 2"),
        (header + "\na,10,ana,batch,-8,64,7200,0.9,true,false,,3\n", 2, "gpus", "must be a whole number from 0 to 1600000, found `-8`"),
        (header + "\na,10,ana,batch,two,64,7200,0.9,true,false,,3\n", 2, "gpus", "must be a whole number from 0 to 1600000, found `two`"),
        (header + "\na,-10,ana,batch,8,64,7200,0.9,true,false,,3\n", 2, "submit", "must be a number of seconds from 0 to 315619200, found `-10`"),
        (header + "\na,nan,ana,batch,8,64,7200,0.9,true,false,,3\n", 2, "submit", "must be a number of seconds from 0 to 315619200, found `nan`"),
        (header + "\na,10,ana,batch,8,64,inf,0.9,true,false,,3\n", 2, "duration", "must be a number of seconds above 0 and at most 31622400 (a year), found `inf`"),
        (header + "\na,10,ana,batch,8,64,0,0.9,true,false,,3\n", 2, "duration", "must be a number of seconds above 0 and at most 31622400 (a year), found `0`"),
        (header + "\na,10,ana,batch,8,64,7200,1.5,true,false,,3\n", 2, "utilization", "must be a number in (0, 1], found `1.5`"),
        (header + "\na,10,ana,batch,8,64,7200,0.9,maybe,false,,3\n", 2, "flexible", "must be `true` or `false`, found `maybe`"),
        (header + "\na,10,ana,batch,8,64,7200,0.9,true,false,5,3\n", 2, "deadline", "must be a number of seconds from submit (10) to 315619200, found `5`"),
        // Out of range (issue 18): a hostile or mistyped number is refused at its line.
        (header + "\na,1e308,ana,batch,8,64,7200,0.9,true,false,,3\n", 2, "submit", "must be a number of seconds from 0 to 315619200, found `1e308`"),
        (header + "\na,10,ana,batch,8,64,1e308,0.9,true,false,,3\n", 2, "duration", "must be a number of seconds above 0 and at most 31622400 (a year), found `1e308`"),
        (header + "\na,10,ana,batch,50000000,64,7200,0.9,true,false,,3\n", 2, "gpus", "must be a whole number from 0 to 1600000, found `50000000`"),
        (header + "\na,10,ana,batch,8,64,7200,0.9,true,false,1e12,3\n", 2, "deadline", "must be a number of seconds from submit (10) to 315619200, found `1e12`"),
        (header + "\na,10,ana,batch,8,64,7200,0.9,true,false,,99999999999\n", 2, "priority", "must be a whole number from -1000000000 to 1000000000, found `99999999999`"),
        (header + "\na,10,ana,batch,8,0,7200,0.9,true,false,,3\n", 2, "cpus", "must be a whole number from 1 to 409600000, found `0`"),
        (header + "\na,,ana,batch,8,64,7200,0.9,true,false,,3\n", 2, "submit", "missing value"),
        (header + "\na,10,ana,my pool,8,64,7200,0.9,true,false,,3\n", 2, "pool", "must use only letters, digits and `-_.`, found `my pool`"),
        (header + "\n" + row + "\na,10,ana,batch,8", 3, nil, "expected 12 fields, one per column of the header (line 1), found 5; is the line cut short?"),
        (header + "\n\"a,b\",10,ana,batch,8,64,7200,0.9,true,false,,3\n", 2, nil, "found 13; cells cannot be quoted or hold commas"),
        ("# only a comment\n", 0, nil, "no header line"),
        ("", 0, nil, "no header line"),
    ]

    @Test func everyBadLineNamesTheFileTheLineAndTheColumn() {
        var tally = Tally()
        for (csv, line, column, phrase) in Self.cases {
            do {
                _ = try JobTrace.parse(csv: csv, file: "week.csv")
                Issue.record("no error for \(csv)")
                tally.count("trace bad line", false)
            } catch {
                #expect(error.file == "week.csv" && error.line == line && error.column == column, "\(error)")
                #expect(error.message.contains(phrase), "\(error)")
                tally.count("trace bad line", error.file == "week.csv" && error.line == line && error.column == column
                    && error.message.contains(phrase))
            }
        }
        tally.record("file-validation", part: "trace-lines", test: ClusterFileValidationTests.test)
    }

    /// Every bad job line is reported, not only the first (the first 20, then a count).
    @Test func everyBadLineIsReported() {
        var tally = Tally()
        let good = Self.row
        let three = [Self.header, good, "b,10,ana,batch,-8,64,7200,0.9,true,false,,3", "c,10,ana,batch,8,64,7200,0.9,true,false,,3",
                     "d,nan,ana,batch,8,64,7200,0.9,true,false,,3", "a,10,ana,batch,8,64,7200,0.9,true,false,,3", "e,10"].joined(separator: "\n")
        do {
            _ = try JobTrace.parse(csv: three, file: "week.csv")
            Issue.record("no error")
            tally.count("trace with several bad lines", false)
        } catch {
            let found = error.all.map { "\($0.line) \($0.column ?? "-")" }
            #expect(found == ["3 gpus", "5 submit", "6 id", "7 -"], "\(error)")
            let lines = error.description.split(separator: "\n")
            #expect(lines.count == 4 && lines.allSatisfy { $0.hasPrefix("week.csv: line ") }, "\(error)")
            tally.count("trace with several bad lines", found == ["3 gpus", "5 submit", "6 id", "7 -"] && lines.count == 4)
        }
        let many = ([Self.header] + (1...50).map { "j\($0),10,ana,batch,x,64,7200,0.9,true,false,,3" }).joined(separator: "\n")
        do {
            _ = try JobTrace.parse(csv: many, file: "week.csv")
            tally.count("trace with several bad lines", false)
        } catch {
            let ok = error.all.count == JobTrace.maxReported && error.all.map(\.line) == Array(2...21) && error.omitted == 30
                && error.description.hasSuffix("\nweek.csv: 30 more bad lines not shown")
            #expect(ok, "\(error.all.count) \(error.omitted)")
            tally.count("trace with several bad lines", ok)
        }
        tally.record("file-validation", part: "trace-many-lines", test: ClusterFileValidationTests.test)
    }

    @Test func binaryAndTruncatedFiles() throws {
        let dir = try TemporaryDirectory()
        var tally = Tally()
        func load(_ path: String) -> TraceError? {
            do { _ = try JobTrace.load(path: path); return nil } catch { return error }
        }
        let zip = dir.write("week.csv", [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 8))
        let zipError = TraceError(file: zip, line: 1, message: "not a text file: control character 0x03 (byte 3); is it a binary file?")
        #expect(load(zip) == zipError)
        tally.count("trace not text", load(zip) == zipError)
        let latin1 = dir.write("latin1.csv", Array((Self.header + "\na,10,Jos").utf8) + [0xE9] + Array(",batch,8,64,7200,0.9,true,false,,3\n".utf8))
        let at = Self.header.utf8.count + 1 + "a,10,Jos".utf8.count + 1
        let latin1Error = TraceError(file: latin1, line: 2, message: "not UTF-8 text: the character at byte \(at) is cut short or malformed")
        #expect(load(latin1) == latin1Error)
        tally.count("trace not text", load(latin1) == latin1Error)
        // Every cut of a good trace parses or names a line; the jobs before the cut are intact.
        let text = Array((Self.header + "\n" + Self.row + "\nb,20,ben,,1,8,60,1,false,,,0\n").utf8)
        for cut in 0..<text.count {
            do {
                let jobs = try JobTrace.parse(csv: String(decoding: text[..<cut], as: UTF8.self), file: "t.csv")
                #expect(jobs.count <= 2)
                tally.count("trace cut short", jobs.count <= 2)
            } catch {
                #expect(error.file == "t.csv")
                tally.count("trace cut short", error.file == "t.csv")
            }
        }
        tally.record("file-validation", part: "trace-files", test: ClusterFileValidationTests.test)
    }
}

/// A folder removed when the value goes.
final class TemporaryDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "watt-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let file = path + "/" + name
        FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }
}
