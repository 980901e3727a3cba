import Foundation
import WattSupport

/// Reads and validates hardware profile files into a `HardwareCatalog` (format: docs/hardware.md).
///
/// Each entry is validated on its own; an entry with any error is reported and skipped, and
/// the rest of the file still loads. Within a file, curves load first, then devices, nodes and
/// pools, so an entry may refer to entries of the same file and of everything loaded before.
struct ProfileLoader {
    var catalog: HardwareCatalog
    var errors: [ProfileError] = []
    /// Names of entries rejected in this load, by section, to say so when something refers to one.
    private var rejected: [String: Set<String>] = [:]

    init(catalog: HardwareCatalog) {
        self.catalog = catalog
    }

    static let sections = ["curves", "devices", "nodes", "pools"]
    static let topLevelFields = sections + ["description"]
    static let deviceFields = ["name", "model", "kind", "idle_w", "max_w", "peak_tflops", "peak_basis",
                               "memory_gb", "cap_min_w", "cap_max_w", "cap_curve", "source"]
    static let nodeFields = ["name", "devices", "overhead_w", "source"]
    static let componentFields = ["device", "count"]
    static let poolFields = ["name", "node", "count"]
    static let curveFields = ["name", "points", "power", "peak_factor", "energy_band", "source"]
    static let sourceFields = ["document", "url", "read", "estimates"]
    /// The curve a device gets when it names none (with a warning).
    static let defaultCurve = HardwareCatalog.pooledCurveName

    mutating func load(bytes: [UInt8], file: String) {
        if let problem = TextCheck.problem(bytes) {
            errors.append(ProfileError(file: file, message: "line \(problem.line): \(problem.message)"))
            return
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            errors.append(ProfileError(file: file, message: "the file is empty; a profile file is a JSON object with the lists \(Self.sections.joined(separator: ", "))"))
            return
        }
        let json: HardwareJSON
        do {
            json = try HardwareJSON.parse(bytes)
        } catch {
            errors.append(ProfileError(file: file, message: error.description))
            return
        }
        guard case .object(let members) = json else {
            errors.append(ProfileError(file: file, message: "must be a JSON object with the lists \(Self.sections.joined(separator: ", ")), found \(json.found)"))
            return
        }
        var top = Fields(file: file, entry: nil, members: members, allowed: Self.topLevelFields)
        var lists: [String: [HardwareJSON]] = [:]
        for section in Self.sections {
            guard let value = top.optional(section) else { continue }
            guard case .array(let items) = value else {
                top.fail(section, "must be a list, found \(value.found)")
                continue
            }
            lists[section] = items
        }
        if let d = top.optional("description") { _ = top.text(d, field: "description") }
        errors += top.errors

        for (i, item) in (lists["curves"] ?? []).enumerated() { curve(item, index: i, file: file) }
        for (i, item) in (lists["devices"] ?? []).enumerated() { device(item, index: i, file: file) }
        for (i, item) in (lists["nodes"] ?? []).enumerated() { node(item, index: i, file: file) }
        for (i, item) in (lists["pools"] ?? []).enumerated() { pool(item, index: i, file: file) }
    }

    // MARK: Entries

    /// Starts an entry: checks it is an object, reads its name and checks for duplicates.
    /// Returns nil (after reporting) when the entry cannot be read at all.
    private mutating func begin(
        _ item: HardwareJSON, section: String, index: Int, file: String, allowed: [String]
    ) -> (fields: Fields, name: String?)? {
        let bare = "\(section)[\(index)]"
        guard case .object(let members) = item else {
            errors.append(ProfileError(file: file, entry: bare, message: "must be an object, found \(item.found)"))
            return nil
        }
        var name: String?
        if let v = members.first(where: { $0.key == "name" })?.value, case .string(let s) = v, Self.isValidName(s) {
            name = s
        }
        var fields = Fields(file: file, entry: name.map { "\(bare) `\($0)`" } ?? bare, members: members, allowed: allowed)
        if let v = fields.required("name"), name == nil {
            fields.fail("name", "must be a non-empty string of letters, digits and `-_.+`, found \(v.found)")
        }
        if let name, let origin = catalog.origin(section, name) {
            fields.fail("name", "duplicate name `\(name)`, already defined \(origin)")
        }
        return (fields, name)
    }

    private mutating func finish(_ fields: Fields, section: String, name: String?, index: Int, file: String) -> Bool {
        errors += fields.errors
        guard fields.errors.isEmpty, let name else {
            if let name { rejected[section, default: []].insert(name) }
            return false
        }
        catalog.setOrigin(section, name, "at \(section)[\(index)] in \(file)")
        return true
    }

    private mutating func curve(_ item: HardwareJSON, index: Int, file: String) {
        guard let entry = begin(item, section: "curves", index: index, file: file, allowed: Self.curveFields) else { return }
        var f = entry.fields
        let name = entry.name
        let points = f.required("points").flatMap { f.curvePoints($0, field: "points") }
        let power = f.optional("power").flatMap { f.curvePoints($0, field: "power", quantity: "relative power") }
        var peakFactor: Double? = 1
        if let v = f.optional("peak_factor") {
            if case .number(let x, _) = v, x.isFinite, x >= 1, x <= CapResponse.maxPeakFactor { peakFactor = x } else {
                f.fail("peak_factor", "must be a number in [1, \(HardwareText.number(CapResponse.maxPeakFactor))] (peak draw / average draw), found \(v.found)")
                peakFactor = nil
            }
        }
        let band = f.optional("energy_band").flatMap { f.energyBand($0, field: "energy_band") }
        let source = f.source()
        if let points, let power, points.range.lowerBound != power.range.lowerBound {
            f.fail("power", "must start at the same cap ratio as points (\(HardwareText.number(points.range.lowerBound))), found \(HardwareText.number(power.range.lowerBound))")
        }
        guard finish(f, section: "curves", name: name, index: index, file: file), let name, let points, let peakFactor else { return }
        catalog.curves.append(NamedCapCurve(name: name, response: CapResponse(throughput: points, power: power, peakFactor: peakFactor, energyBand: band), source: source))
    }

    private mutating func device(_ item: HardwareJSON, index: Int, file: String) {
        guard let entry = begin(item, section: "devices", index: index, file: file, allowed: Self.deviceFields) else { return }
        var f = entry.fields
        let name = entry.name
        let model = f.optional("model").flatMap { f.text($0, field: "model") }
        var kind: DeviceKind?
        if let v = f.required("kind") {
            if case .string(let s) = v, let k = DeviceKind(rawValue: s) { kind = k } else {
                f.fail("kind", "must be `gpu` or `cpu`, found \(v.found)")
            }
        }
        let idle = f.required("idle_w").flatMap { f.number($0, field: "idle_w", unit: "watts", allowZero: true) }
        let maxW = f.required("max_w").flatMap { f.number($0, field: "max_w", unit: "watts", allowZero: false) }
        let tflops = f.required("peak_tflops").flatMap { f.number($0, field: "peak_tflops", unit: "TFLOPS", allowZero: false) }
        let basis = f.required("peak_basis").flatMap { f.text($0, field: "peak_basis") }
        let memory = f.required("memory_gb").flatMap { f.number($0, field: "memory_gb", unit: "GB", allowZero: true) }
        let capMin = f.required("cap_min_w").flatMap { f.number($0, field: "cap_min_w", unit: "watts", allowZero: false) }
        let capMax = f.required("cap_max_w").flatMap { f.number($0, field: "cap_max_w", unit: "watts", allowZero: false) }
        var curve: CapResponse?
        var curveName: String?
        var implicitCurve = false
        switch f.optional("cap_curve") {
        case nil:
            curveName = Self.defaultCurve
            implicitCurve = true
            curve = lookupCurve(Self.defaultCurve, fields: &f, field: "cap_curve", implicit: true)
        case .string(let s)?:
            curveName = s
            curve = lookupCurve(s, fields: &f, field: "cap_curve", implicit: false)
        case .array(let items)?:
            curve = f.curvePoints(.array(items), field: "cap_curve").map { CapResponse(throughput: $0) }
        case let v?:
            f.fail("cap_curve", "must be a curve name or a list of [cap fraction, relative throughput] pairs, found \(v.found)")
        }
        let source = f.source()

        // Relations between fields, once each field is valid on its own.
        if let idle, let maxW, idle > maxW {
            f.fail("idle_w", "must not exceed max_w (\(HardwareText.number(maxW))), found `\(HardwareText.number(idle))`")
        }
        if let capMax, let maxW, capMax > maxW {
            f.fail("cap_max_w", "must not exceed max_w (\(HardwareText.number(maxW))), found `\(HardwareText.number(capMax))`")
        }
        if let capMin, let capMax, capMin > capMax {
            f.fail("cap_min_w", "must not exceed cap_max_w (\(HardwareText.number(capMax))), found `\(HardwareText.number(capMin))`")
        }
        if let curve, let capMin, let maxW, capMin <= maxW, curve.throughput.range.lowerBound > capMin / maxW + 1e-9 {
            let what = curveName.map { "curve `\($0)`" } ?? "the curve"
            f.fail("cap_curve", "\(what) starts at cap fraction \(HardwareText.number(curve.throughput.range.lowerBound)), above cap_min_w / max_w = \(HardwareText.number((capMin / maxW * 1e4).rounded() / 1e4)); give points down to it or raise cap_min_w")
        }
        guard finish(f, section: "devices", name: name, index: index, file: file),
              let name, let kind, let idle, let maxW, let tflops, let basis, let memory,
              let capMin, let capMax, let curve else { return }
        if implicitCurve {
            catalog.warnings.append(ProfileError(file: file, entry: "devices[\(index)] `\(name)`", field: "cap_curve",
                message: "no cap curve given; uses the pooled curve `\(Self.defaultCurve)`, fitted on other GPUs (docs/hardware.md); measure this device and fit its own with `watt profile fit`"))
        }
        catalog.devices.append(DeviceProfile(
            name: name, model: model ?? name, kind: kind, idleW: idle, maxW: maxW,
            peakFLOPS: tflops * 1e12, peakBasis: basis, memoryBytes: memory * 1e9,
            capRangeW: capMin...capMax, capResponse: curve, capCurveName: curveName, source: source))
    }

    private func lookupCurve(_ name: String, fields f: inout Fields, field: String, implicit: Bool) -> CapResponse? {
        if let c = catalog.curves.first(where: { $0.name == name }) { return c.response }
        if rejected["curves"]?.contains(name) == true {
            f.fail(field, "refers to curve `\(name)`, which has errors")
        } else if implicit {
            f.fail(field, "missing, and the default curve `\(name)` is not loaded")
        } else {
            f.fail(field, HardwareLookupError(kind: "curve", name: name, suggestion: HardwareNames.suggestion(for: name, among: catalog.curves.map(\.name))).description)
        }
        return nil
    }

    private mutating func node(_ item: HardwareJSON, index: Int, file: String) {
        guard let entry = begin(item, section: "nodes", index: index, file: file, allowed: Self.nodeFields) else { return }
        var f = entry.fields
        let name = entry.name
        var components: [NodeProfile.Component] = []
        var componentsOK = true
        if let v = f.required("devices") {
            if case .array(let items) = v, !items.isEmpty {
                for (i, item) in items.enumerated() {
                    let path = "devices[\(i)]"
                    guard case .object(let members) = item else {
                        f.fail(path, "must be an object {\"device\": NAME, \"count\": N}, found \(item.found)")
                        componentsOK = false
                        continue
                    }
                    var c = Fields(file: file, entry: f.entry, members: members, allowed: Self.componentFields, prefix: path + ".")
                    var device: DeviceProfile?
                    if let d = c.required("device") {
                        if case .string(let s) = d {
                            if let found = catalog.devices.first(where: { $0.name == s }) {
                                device = found
                                if components.contains(where: { $0.device.name == s }) {
                                    c.fail("device", "device `\(s)` is listed twice; give one entry with the total count")
                                }
                            } else if rejected["devices"]?.contains(s) == true {
                                c.fail("device", "refers to device `\(s)`, which has errors")
                            } else {
                                c.fail("device", HardwareLookupError(kind: "device", name: s, suggestion: HardwareNames.suggestion(for: s, among: catalog.devices.map(\.name))).description)
                            }
                        } else {
                            c.fail("device", "must be a device name, found \(d.found)")
                        }
                    }
                    let count = c.required("count").flatMap { c.count($0, field: "count") }
                    f.errors += c.errors
                    if c.errors.isEmpty, let device, let count {
                        components.append(.init(device, count: count))
                    } else {
                        componentsOK = false
                    }
                }
            } else {
                f.fail("devices", "must be a non-empty list of {\"device\": NAME, \"count\": N}, found \(v.found)")
            }
        }
        let overhead = f.required("overhead_w").flatMap { f.number($0, field: "overhead_w", unit: "watts", allowZero: true) }
        let source = f.source()
        guard finish(f, section: "nodes", name: name, index: index, file: file),
              componentsOK, let name, let overhead else { return }
        catalog.nodes.append(NodeProfile(name: name, devices: components, overheadW: overhead, source: source))
    }

    private mutating func pool(_ item: HardwareJSON, index: Int, file: String) {
        guard let entry = begin(item, section: "pools", index: index, file: file, allowed: Self.poolFields) else { return }
        var f = entry.fields
        let name = entry.name
        var node: NodeProfile?
        if let v = f.required("node") {
            if case .string(let s) = v {
                if let found = catalog.nodes.first(where: { $0.name == s }) {
                    node = found
                } else if rejected["nodes"]?.contains(s) == true {
                    f.fail("node", "refers to node `\(s)`, which has errors")
                } else {
                    f.fail("node", HardwareLookupError(kind: "node", name: s, suggestion: HardwareNames.suggestion(for: s, among: catalog.nodes.map(\.name))).description)
                }
            } else {
                f.fail("node", "must be a node name, found \(v.found)")
            }
        }
        let count = f.required("count").flatMap { f.count($0, field: "count") }
        guard finish(f, section: "pools", name: name, index: index, file: file),
              let name, let node, let count else { return }
        catalog.pools.append(PoolProfile(name: name, node: node, count: count))
    }

    static func isValidName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.+".unicodeScalars.contains($0)
        }
    }
}

/// The fields of one JSON object being validated, with the errors found so far.
private struct Fields {
    let file: String
    let entry: String?
    let members: [(key: String, value: HardwareJSON)]
    /// Prepended to field names in messages, e.g. `devices[1].`.
    let prefix: String
    var errors: [ProfileError] = []

    init(file: String, entry: String?, members: [(key: String, value: HardwareJSON)], allowed: [String], prefix: String = "") {
        self.file = file
        self.entry = entry
        self.members = members
        self.prefix = prefix
        var seen: Set<String> = []
        for (key, _) in members {
            if !allowed.contains(key) {
                let hint = HardwareNames.suggestion(for: key, among: allowed).map { "did you mean `\($0)`?" }
                    ?? "expected one of \(allowed.joined(separator: ", "))"
                fail(key, "unknown field; \(hint)")
            } else if !seen.insert(key).inserted {
                fail(key, "given more than once")
            }
        }
    }

    mutating func fail(_ field: String, _ message: String) {
        errors.append(ProfileError(file: file, entry: entry, field: prefix + field, message: message))
    }

    func optional(_ key: String) -> HardwareJSON? {
        members.first(where: { $0.key == key })?.value
    }

    mutating func required(_ key: String) -> HardwareJSON? {
        guard let v = optional(key) else {
            fail(key, "missing required field")
            return nil
        }
        return v
    }

    /// The largest value a profile may give, per unit: a device or a node's overhead draws
    /// at most 100 kW, computes at most 10^6 TFLOPS, holds at most 10^7 GB. Above, it can only
    /// be a typo or an attack (`max_w: 1e300` made every energy figure infinite).
    static let upperLimits: [String: Double] = ["watts": 100_000, "TFLOPS": 1_000_000, "GB": 10_000_000]

    mutating func number(_ v: HardwareJSON, field: String, unit: String, allowZero: Bool) -> Double? {
        if case .number(let x, _) = v, x.isFinite, allowZero ? x >= 0 : x > 0 {
            let limit = Self.upperLimits[unit] ?? .infinity
            if x <= limit { return x }
            fail(field, "must be at most \(HardwareText.number(limit)) \(unit), found `\(HardwareText.number(x))`")
            return nil
        }
        fail(field, "must be a number of \(unit) \(allowZero ? "≥" : ">") 0, found \(v.found)")
        return nil
    }

    mutating func count(_ v: HardwareJSON, field: String) -> Int? {
        if case .number(let x, _) = v, x >= 1, x <= 1_000_000, x == x.rounded() { return Int(x) }
        fail(field, "must be a whole number ≥ 1, found \(v.found)")
        return nil
    }

    mutating func text(_ v: HardwareJSON, field: String) -> String? {
        if case .string(let s) = v, !s.trimmingCharacters(in: .whitespaces).isEmpty { return s }
        fail(field, "must be a non-empty string, found \(v.found)")
        return nil
    }

    mutating func curvePoints(_ v: HardwareJSON, field: String, quantity: String = "relative throughput") -> CapCurve? {
        guard let pairs = pairs(v, field: field, names: "[cap fraction, \(quantity)]") else { return nil }
        do {
            return try CapCurve(validating: pairs.map { .init($0.0, $0.1) }, quantity: quantity)
        } catch {
            fail(field, error.message)
            return nil
        }
    }

    mutating func energyBand(_ v: HardwareJSON, field: String) -> CapResponse.EnergyBand? {
        guard let pairs = pairs(v, field: field, names: "[cap ratio, half-width]") else { return nil }
        do {
            return try CapResponse.EnergyBand(validating: pairs.map { (capRatio: $0.0, halfWidth: $0.1) })
        } catch {
            fail(field, error.message)
            return nil
        }
    }

    private mutating func pairs(_ v: HardwareJSON, field: String, names: String) -> [(Double, Double)]? {
        guard case .array(let items) = v else {
            fail(field, "must be a list of \(names) pairs, found \(v.found)")
            return nil
        }
        var result: [(Double, Double)] = []
        for (i, item) in items.enumerated() {
            guard case .array(let pair) = item, pair.count == 2,
                  case .number(let x, _) = pair[0], case .number(let y, _) = pair[1] else {
                fail("\(field)[\(i)]", "must be a pair \(names) of numbers, found \(item.found)")
                return nil
            }
            result.append((x, y))
        }
        return result
    }

    mutating func source() -> ProfileSource? {
        guard let v = optional("source") else { return nil }
        guard case .object(let members) = v else {
            fail("source", "must be an object with document, read and optionally url and estimates, found \(v.found)")
            return nil
        }
        var s = Fields(file: file, entry: entry, members: members, allowed: ProfileLoader.sourceFields, prefix: prefix + "source.")
        let document = s.required("document").flatMap { s.text($0, field: "document") }
        let read = s.required("read").flatMap { s.text($0, field: "read") }
        let url = s.optional("url").flatMap { s.text($0, field: "url") }
        let estimates = s.optional("estimates").flatMap { s.text($0, field: "estimates") }
        errors += s.errors
        guard s.errors.isEmpty, let document, let read else { return nil }
        return ProfileSource(document: document, url: url, read: read, estimates: estimates)
    }
}
