import Foundation
import Testing
import WattTestSupport
@testable import WattEnergy

/// The repository root, for the example files (tests never read ../shared).
private let repoRoot = RepositoryRoot.url

@Suite struct HardwareCatalogTests {
    let catalog = HardwareCatalog.builtIn

    @Test func builtInLoadsWithoutErrors() {
        #expect(HardwareCatalog.builtInErrors.map(\.description) == [])
        #expect(catalog.devices.count == 12)
        #expect(catalog.nodes.count == 6)
        #expect(catalog.curves.map(\.name) == ["zeus-pooled"])
        #expect(catalog.pools.isEmpty)
    }

    /// The datasheet figures each required device must carry: name, kind, max W, peak TFLOPS,
    /// memory GB.
    static let datasheet: [(String, DeviceKind, Double, Double, Double)] = [
        ("a100-sxm4-80gb", .gpu, 400, 312, 80),
        ("a100-pcie-80gb", .gpu, 300, 312, 80),
        ("h100-sxm5-80gb", .gpu, 700, 989.5, 80),
        ("h100-pcie-80gb", .gpu, 350, 756.5, 80),
        ("h200-sxm-141gb", .gpu, 700, 989.5, 141),
        ("h200-nvl-141gb", .gpu, 600, 835.5, 141),
        ("l40s", .gpu, 350, 362.05, 48),
        ("mi300x", .gpu, 750, 1307.4, 192),
        ("epyc-9654", .cpu, 360, 3.6864, 0),
        ("epyc-7763", .cpu, 280, 2.5088, 0),
        ("xeon-8480+", .cpu, 350, 3.584, 0),
        ("xeon-8380", .cpu, 270, 2.944, 0),
    ]

    @Test func everyRequiredDeviceHasItsDatasheetFigures() throws {
        for (name, kind, maxW, tflops, memoryGB) in Self.datasheet {
            let d = try catalog.device(named: name)
            #expect(d.kind == kind, "\(name)")
            #expect(d.maxW == maxW, "\(name)")
            #expect(abs(d.peakFLOPS - tflops * 1e12) < 1e3, "\(name)")
            #expect(d.memoryBytes == memoryGB * 1e9, "\(name)")
            #expect(d.peakBasis == (kind == .gpu ? "bf16-dense" : "fp64-base-clock"), "\(name)")
        }
        #expect(catalog.devices.map(\.name) == Self.datasheet.map(\.0))
    }

    @Test func everyDeviceIsSaneAndSourced() {
        for d in catalog.devices {
            #expect(d.idleW > 0 && d.idleW < 0.3 * d.maxW, "\(d.name): idle \(d.idleW)")
            #expect(d.capRangeW.lowerBound > 0 && d.capRangeW.upperBound == d.maxW, "\(d.name)")
            #expect(d.capCurve.range.lowerBound <= d.capRangeW.lowerBound / d.maxW, "\(d.name)")
            #expect(d.capCurveName == "zeus-pooled", "\(d.name)")
            let s = d.source
            #expect(s != nil, "\(d.name)")
            #expect(!(s?.document.isEmpty ?? true) && !(s?.read.isEmpty ?? true), "\(d.name)")
            #expect(s?.url?.hasPrefix("https://") == true, "\(d.name)")
            // Idle power is never a datasheet figure here: every entry must say it is estimated.
            #expect(s?.estimates?.contains("idle_w") == true, "\(d.name)")
            #expect(s?.estimates?.contains("cap_curve") == true, "\(d.name)")
        }
        for n in catalog.nodes {
            #expect(n.source?.estimates?.contains("overhead_w") == true, "\(n.name)")
        }
    }

    @Test func nodeArithmetic() throws {
        let dgx = try catalog.node(named: "dgx-h100-like")
        // 8 × 75 + 2 × 87.5 + 2500; 8 × 700 + 2 × 350 + 2500.
        #expect(dgx.idleW == 3275)
        #expect(dgx.maxW == 8800)
        #expect(dgx.count(of: .gpu) == 8 && dgx.count(of: .cpu) == 2)
        #expect(abs(dgx.peakFLOPS - 8 * 989.5e12) < 1e3)
        #expect(abs(dgx.peakFLOPS(of: .cpu) - 2 * 3.584e12) < 1e3)
        #expect(dgx.deviceMemoryBytes == 640e9)

        let cpuNode = try catalog.node(named: "cpu-epyc-9654-2s")
        #expect(cpuNode.idleW == 580)
        #expect(cpuNode.maxW == 1120)
        #expect(abs(cpuNode.peakFLOPS - 2 * 3.6864e12) < 1e3, "a CPU-only node's compute is its CPUs'")

        let custom = NodeProfile(name: "x", devices: [.init(try catalog.device(named: "l40s"), count: 3)], overheadW: 100)
        #expect(custom.idleW == 205)
        #expect(custom.maxW == 1150)

        let pool = PoolProfile(name: "p", node: dgx, count: 4)
        #expect(pool.idleW == 4 * 3275)
        #expect(pool.maxW == 4 * 8800)
        #expect(abs(pool.peakFLOPS - 32 * 989.5e12) < 1e4)
    }

    @Test func capCurveInterpolatesAndClamps() throws {
        let c = try CapCurve(validating: [.init(0.25, 0.5), .init(0.5, 0.9), .init(1, 1)])
        #expect(c.relativeThroughput(atCapFraction: 0.1) == 0.5)
        #expect(c.relativeThroughput(atCapFraction: 0.25) == 0.5)
        #expect(abs(c.relativeThroughput(atCapFraction: 0.375) - 0.7) < 1e-12)
        #expect(abs(c.relativeThroughput(atCapFraction: 0.75) - 0.95) < 1e-12)
        #expect(c.relativeThroughput(atCapFraction: 1) == 1)
        #expect(c.relativeThroughput(atCapFraction: 1.5) == 1)
        #expect(c.range == 0.25...1)

        let h100 = try catalog.device(named: "h100-sxm5-80gb")
        // 350 W is cap fraction 0.5: the zeus-pooled knot value.
        #expect(h100.relativeThroughput(atCapW: 350) == 0.7648, "full load at half the TDP: the zeus-pooled knot at cap ratio 0.5")
        #expect(h100.relativeThroughput(atCapW: 50) == h100.relativeThroughput(atCapW: 200), "clamped to the cap range")
        #expect(h100.peakFLOPS(atCapW: 700) == h100.peakFLOPS)
    }

    @Test func lookupSuggestsNames() {
        #expect(throws: HardwareLookupError(kind: "device", name: "h100-sxm", suggestion: "h100-sxm5-80gb")) {
            try catalog.device(named: "h100-sxm")
        }
        #expect(throws: HardwareLookupError(kind: "node", name: "dgx-h100-lik", suggestion: "dgx-h100-like")) {
            try catalog.node(named: "dgx-h100-lik")
        }
        do {
            _ = try catalog.device(named: "tpu-v5")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "unknown device `tpu-v5`")
        }
        #expect(HardwareLookupError(kind: "pool", name: "efficent", suggestion: "efficient").description
            == "unknown pool `efficent`; did you mean `efficient`?")
    }

    @Test func exampleProfileFileLoads() throws {
        let path = repoRoot.appendingPathComponent("examples/profiles/site.json").path
        let (loaded, errors) = HardwareCatalog.load(files: [path])
        #expect(errors.map(\.description) == [])
        let v100 = try loaded.device(named: "v100-pcie-32gb")
        #expect(v100.capCurveName == "zeus-v100")
        let legacy = try loaded.pool(named: "legacy")
        #expect(legacy.node.name == "v100-4gpu")
        let legacyNodeIdleW: Double = 4 * 25 + 2 * 67.5 + 500
        #expect(legacy.idleW == 8 * legacyNodeIdleW)
        #expect(try loaded.pool(named: "training").maxW == 32 * 8800)
        #expect(loaded.devices.count == catalog.devices.count + 1)
    }

    @Test func aBadUserFileNeverRemovesBuiltIns() throws {
        // Not JSON at all.
        let broken = HardwareCatalog.builtIn.adding(json: "{\"devices\": [", file: "broken.json")
        #expect(broken.errors.map(\.description) == ["broken.json: invalid JSON at line 1, column 14: unexpected end of file, expected a value"])
        #expect(broken.catalog.devices == catalog.devices && broken.catalog.nodes == catalog.nodes)

        // One good and one bad device, a node on the good one, a pool on the node.
        let mixed = """
        {"devices": [
           {"name": "good", "kind": "gpu", "idle_w": 30, "max_w": 300, "peak_tflops": 100, "peak_basis": "bf16-dense",
            "memory_gb": 24, "cap_min_w": 100, "cap_max_w": 300},
           {"name": "bad", "kind": "gpu", "idle_w": 30, "max_w": -300}],
         "nodes": [{"name": "good-node", "devices": [{"device": "good", "count": 4}], "overhead_w": 500}],
         "pools": [{"name": "p", "node": "good-node", "count": 10}]}
        """
        let (loaded, errors) = HardwareCatalog.builtIn.adding(json: mixed, file: "mixed.json")
        #expect(errors.count == 6, "max_w, then the 5 missing fields of `bad`")
        #expect(errors.allSatisfy { $0.entry == "devices[1] `bad`" })
        #expect(loaded.devices.count == catalog.devices.count + 1)
        #expect(loaded.nodes.count == catalog.nodes.count + 1)
        #expect(try loaded.pool(named: "p").maxW == 17_000)
        for d in catalog.devices { #expect(try loaded.device(named: d.name) == d) }

        // A missing file among good ones.
        let (withMissing, missingErrors) = HardwareCatalog.load(files: ["/nonexistent/profiles.json"])
        #expect(missingErrors.map(\.description) == ["/nonexistent/profiles.json: no such file"])
        #expect(withMissing.devices == catalog.devices)
    }
}

/// Every validation rule, with its exact message.
@Suite struct HardwareProfileValidationTests {
    static let validFields: [(String, String)] = [
        ("name", "\"my-gpu\""), ("kind", "\"gpu\""), ("idle_w", "50"), ("max_w", "300"), ("peak_tflops", "100"),
        ("peak_basis", "\"bf16-dense\""), ("memory_gb", "24"), ("cap_min_w", "150"), ("cap_max_w", "300"),
    ]

    /// A device entry: the valid fields with some changed (`nil` removes one), new ones appended.
    static func device(_ changes: KeyValuePairs<String, String?> = [:]) -> String {
        var fields = validFields
        for (key, value) in changes {
            if let i = fields.firstIndex(where: { $0.0 == key }) {
                if let value { fields[i].1 = value } else { fields.remove(at: i) }
            } else if let value {
                fields.append((key, value))
            }
        }
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// The messages from loading `json` as `custom.json` over the built-ins.
    static func errors(_ json: String) -> [String] {
        HardwareCatalog.builtIn.adding(json: json, file: "custom.json").errors.map(\.description)
    }

    static func errors(devices: String...) -> [String] {
        errors("{\"devices\": [\(devices.joined(separator: ", "))]}")
    }

    @Test func aValidDeviceLoads() throws {
        let (loaded, errors) = HardwareCatalog.builtIn.adding(json: "{\"devices\": [\(Self.device())]}", file: "custom.json")
        #expect(errors == [])
        let d = try loaded.device(named: "my-gpu")
        #expect(d.idleW == 50 && d.maxW == 300 && d.capRangeW == 150...300 && d.peakFLOPS == 100e12 && d.memoryBytes == 24e9)
        #expect(d.model == "my-gpu" && d.capCurveName == "zeus-pooled" && d.source == nil)
    }

    @Test func wrongType() {
        #expect(Self.errors(devices: Self.device(["name": "\"a\""]), Self.device(["name": "\"b\""]), Self.device(["idle_w": "\"abc\""]))
            == ["custom.json: devices[2] `my-gpu`: field idle_w: must be a number of watts ≥ 0, found string `abc`"])
        #expect(Self.errors(devices: Self.device(["kind": "\"tpu\""]))
            == ["custom.json: devices[0] `my-gpu`: field kind: must be `gpu` or `cpu`, found string `tpu`"])
        #expect(Self.errors(devices: Self.device(["name": "\"my gpu\""]))
            == ["custom.json: devices[0]: field name: must be a non-empty string of letters, digits and `-_.+`, found string `my gpu`"])
        #expect(Self.errors(devices: Self.device(["memory_gb": "true", "peak_basis": "\"\""]))
            == ["custom.json: devices[0] `my-gpu`: field peak_basis: must be a non-empty string, found string ``",
                "custom.json: devices[0] `my-gpu`: field memory_gb: must be a number of GB ≥ 0, found `true`"])
    }

    @Test func unknownFieldsWithDidYouMean() {
        #expect(Self.errors(devices: Self.device(["idle_w": nil, "idle_watts": "50"]))
            == ["custom.json: devices[0] `my-gpu`: field idle_watts: unknown field; did you mean `idle_w`?",
                "custom.json: devices[0] `my-gpu`: field idle_w: missing required field"])
        #expect(Self.errors(devices: Self.device(["max_watt": "1"]))
            == ["custom.json: devices[0] `my-gpu`: field max_watt: unknown field; did you mean `max_w`?"])
        #expect(Self.errors(devices: Self.device(["colour": "1"]))
            == ["custom.json: devices[0] `my-gpu`: field colour: unknown field; expected one of name, model, kind, idle_w, max_w, peak_tflops, peak_basis, memory_gb, cap_min_w, cap_max_w, cap_curve, source"])
        #expect(Self.errors("{\"device\": []}") == ["custom.json: field device: unknown field; did you mean `devices`?"])
        #expect(Self.errors(devices: Self.device(["source": "{\"doc\": \"x\", \"read\": \"y\"}"]))
            == ["custom.json: devices[0] `my-gpu`: field source.doc: unknown field; did you mean `document`?",
                "custom.json: devices[0] `my-gpu`: field source.document: missing required field"])
        #expect(Self.errors(devices: Self.device(["kind": "\"gpu\"", "idle_w": "50"]).replacingOccurrences(of: "}", with: ", \"max_w\": 300}"))
            == ["custom.json: devices[0] `my-gpu`: field max_w: given more than once"])
    }

    @Test func missingRequiredFields() {
        #expect(Self.errors(devices: Self.device(["max_w": nil]))
            == ["custom.json: devices[0] `my-gpu`: field max_w: missing required field"])
        #expect(Self.errors(devices: "{\"name\": \"x\", \"kind\": \"cpu\"}").count == 7)
    }

    /// Finite but absurd figures are refused too (issue 18): `max_w: 1e300` made every
    /// energy figure infinite.
    @Test func hugeFiguresAreRefusedWithTheirLimit() {
        #expect(Self.errors(devices: Self.device(["max_w": "1e300", "peak_tflops": "1e308", "memory_gb": "1e300"]))
            == ["custom.json: devices[0] `my-gpu`: field max_w: must be at most 100000 watts, found `1e+300`",
                "custom.json: devices[0] `my-gpu`: field peak_tflops: must be at most 1000000 TFLOPS, found `1e+308`",
                "custom.json: devices[0] `my-gpu`: field memory_gb: must be at most 10000000 GB, found `1e+300`"])
    }

    @Test func negativeOrNonFinitePowers() {
        #expect(Self.errors(devices: Self.device(["idle_w": "-5", "max_w": "1e999"]))
            == ["custom.json: devices[0] `my-gpu`: field idle_w: must be a number of watts ≥ 0, found `-5`",
                "custom.json: devices[0] `my-gpu`: field max_w: must be a number of watts > 0, found `1e999`"])
        // JSON has no NaN literal; a string is refused as a string.
        #expect(Self.errors(devices: Self.device(["idle_w": "\"NaN\""]))
            == ["custom.json: devices[0] `my-gpu`: field idle_w: must be a number of watts ≥ 0, found string `NaN`"])
        #expect(Self.errors(devices: Self.device(["idle_w": "NaN"]))
            == ["custom.json: invalid JSON at line 1, column 58: expected a value"])
    }

    @Test func idleAboveMax() {
        #expect(Self.errors(devices: Self.device(["idle_w": "400"]))
            == ["custom.json: devices[0] `my-gpu`: field idle_w: must not exceed max_w (300), found `400`"])
    }

    @Test func capRangeOutsideZeroToMax() {
        #expect(Self.errors(devices: Self.device(["cap_min_w": "0", "cap_max_w": "350"]))
            == ["custom.json: devices[0] `my-gpu`: field cap_min_w: must be a number of watts > 0, found `0`",
                "custom.json: devices[0] `my-gpu`: field cap_max_w: must not exceed max_w (300), found `350`"])
        #expect(Self.errors(devices: Self.device(["cap_min_w": "250", "cap_max_w": "200"]))
            == ["custom.json: devices[0] `my-gpu`: field cap_min_w: must not exceed cap_max_w (200), found `250`"])
    }

    @Test func curveNotMonotoneOrNotCovering() {
        #expect(Self.errors(devices: Self.device(["cap_curve": "[[0.5, 0.9], [0.7, 0.8], [1, 1]]"]))
            == ["custom.json: devices[0] `my-gpu`: field cap_curve: not monotone: relative throughput falls from 0.9 at 0.5 to 0.8 at 0.7"])
        #expect(Self.errors(devices: Self.device(["cap_curve": "[[0.7, 0.9], [0.6, 0.95], [1, 1]]"]))
            == ["custom.json: devices[0] `my-gpu`: field cap_curve: cap fractions must increase: point 1 (0.6) does not follow point 0 (0.7)"])
        #expect(Self.errors(devices: Self.device(["cap_curve": "[[0.6, 0.9], [1, 1]]"]))
            == ["custom.json: devices[0] `my-gpu`: field cap_curve: the curve starts at cap fraction 0.6, above cap_min_w / max_w = 0.5; give points down to it or raise cap_min_w"])
        #expect(Self.errors(devices: Self.device(["cap_min_w": "60"]))
            == ["custom.json: devices[0] `my-gpu`: field cap_curve: curve `zeus-pooled` starts at cap fraction 0.25, above cap_min_w / max_w = 0.2; give points down to it or raise cap_min_w"])
        #expect(Self.errors(devices: Self.device(["cap_curve": "[[0.4, 0.9], [0.9, 1]]"]))
            == ["custom.json: devices[0] `my-gpu`: field cap_curve: must end at [1, 1] (an uncapped job's relative throughput is 1)"])
        #expect(Self.errors(devices: Self.device(["cap_curve": "[[0.4, 1.2], [1, 1]]"]))
            == ["custom.json: devices[0] `my-gpu`: field cap_curve: point 0: relative throughput must be in [0, 1], found 1.2"])
        #expect(Self.errors(devices: Self.device(["cap_curve": "[[0.4, 0.9], [\"x\", 1]]"]))
            == ["custom.json: devices[0] `my-gpu`: field cap_curve[1]: must be a pair [cap fraction, relative throughput] of numbers, found a list"])
        #expect(Self.errors(devices: Self.device(["cap_curve": "\"zeus-pool\""]))
            == ["custom.json: devices[0] `my-gpu`: field cap_curve: unknown curve `zeus-pool`; did you mean `zeus-pooled`?"])
        #expect(Self.errors("{\"curves\": [{\"name\": \"c\", \"points\": [[1, 1]]}]}")
            == ["custom.json: curves[0] `c`: field points: must have at least 2 points, found 1"])
    }

    @Test func duplicateNames() {
        #expect(Self.errors(devices: Self.device(), Self.device())
            == ["custom.json: devices[1] `my-gpu`: field name: duplicate name `my-gpu`, already defined at devices[0] in custom.json"])
        #expect(Self.errors(devices: Self.device(["name": "\"h100-sxm5-80gb\""]))
            == ["custom.json: devices[0] `h100-sxm5-80gb`: field name: duplicate name `h100-sxm5-80gb`, already defined in the built-in catalog"])
        // Across user files: the first definition wins and is named.
        let first = HardwareCatalog.builtIn.adding(json: "{\"devices\": [\(Self.device())]}", file: "a.json").catalog
        #expect(first.adding(json: "{\"devices\": [\(Self.device())]}", file: "b.json").errors.map(\.description)
            == ["b.json: devices[0] `my-gpu`: field name: duplicate name `my-gpu`, already defined at devices[0] in a.json"])
    }

    @Test func nodesAndPoolsReferToKnownEntries() {
        #expect(Self.errors("""
            {"nodes": [{"name": "my-node", "overhead_w": 1000,
                        "devices": [{"device": "h100-sxm", "count": 8}, {"device": "xeon-8480+", "count": 0}]}]}
            """)
            == ["custom.json: nodes[0] `my-node`: field devices[0].device: unknown device `h100-sxm`; did you mean `h100-sxm5-80gb`?",
                "custom.json: nodes[0] `my-node`: field devices[1].count: must be a whole number ≥ 1, found `0`"])
        #expect(Self.errors("""
            {"devices": [\(Self.device(["idle_w": "-1"]))],
             "nodes": [{"name": "my-node", "devices": [{"device": "my-gpu", "count": 8}], "overhead_w": 1000}],
             "pools": [{"name": "p", "node": "my-node", "count": 2}, {"name": "q", "node": "dgx-h100", "count": 0.5}]}
            """)
            == ["custom.json: devices[0] `my-gpu`: field idle_w: must be a number of watts ≥ 0, found `-1`",
                "custom.json: nodes[0] `my-node`: field devices[0].device: refers to device `my-gpu`, which has errors",
                "custom.json: pools[0] `p`: field node: refers to node `my-node`, which has errors",
                "custom.json: pools[1] `q`: field node: unknown node `dgx-h100`; did you mean `dgx-h100-like`?",
                "custom.json: pools[1] `q`: field count: must be a whole number ≥ 1, found `0.5`"])
        #expect(Self.errors("{\"nodes\": [{\"name\": \"n\", \"devices\": [], \"overhead_w\": -1}]}")
            == ["custom.json: nodes[0] `n`: field devices: must be a non-empty list of {\"device\": NAME, \"count\": N}, found an empty list",
                "custom.json: nodes[0] `n`: field overhead_w: must be a number of watts ≥ 0, found `-1`"])
    }

    @Test func fileLevelProblems() {
        #expect(Self.errors("{\"devices\": [\n  {\"name\": \"x\"\n   \"kind\": \"gpu\"}]}")
            == ["custom.json: invalid JSON at line 3, column 4: expected ',' or '}'"])
        #expect(Self.errors("[1]") == ["custom.json: must be a JSON object with the lists curves, devices, nodes, pools, found a list"])
        #expect(Self.errors("{\"devices\": {}}") == ["custom.json: field devices: must be a list, found an object"])
        #expect(Self.errors("{\"devices\": [3]}") == ["custom.json: devices[0]: must be an object, found `3`"])
    }

    @Test func everyMessageFollowsTheStyle() {
        let all = Self.errors(devices: Self.device(["idle_w": "-5", "max_w": nil, "bogus": "1"]), "[]", "{}")
        #expect(all.count > 5)
        for m in all {
            let message = m.components(separatedBy: ": ").last!
            #expect(message.first?.isLowercase == true || message.first == "`", "\(m)")
            #expect(!m.hasSuffix("."), "\(m)")
        }
    }
}
