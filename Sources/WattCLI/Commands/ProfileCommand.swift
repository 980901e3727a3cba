import ArgumentParser
import Foundation
import WattEnergy
import WattSupport

/// `watt profile fit|show|validate`: fit a cap response to Zeus-style power-cap CSVs, show a
/// catalog device with its cap response, and regenerate the leave-one-GPU-out validation of
/// the cap model (the logic is `CapCurveFit`, `CapModelValidation` in WattEnergy; the method:
/// docs/hardware.md).
public enum ProfileCommand {
    /// The largest CSV read, bytes.
    static let maxFileBytes = 64 << 20

    /// Reads Zeus-style CSVs; the GPU is named by the file's base name.
    static func measurements(_ files: [String], maxLimitW: Double?) -> Result<[CapCurveFit.Measurements], CommandOutput> {
        if let maxLimitW, !(maxLimitW > 0 && maxLimitW <= CapCurveFit.Measurements.maxWatts) {
            return .failure(CommandOutput(error: WattError(.usage, "--max-limit must be in (0, \(Int(CapCurveFit.Measurements.maxWatts))] W")))
        }
        var result: [CapCurveFit.Measurements] = []
        for path in files {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            if let size = attributes?[.size] as? Int, size > maxFileBytes {
                return .failure(CommandOutput(error: WattError(.invalidFile, "\(path): larger than \(maxFileBytes >> 20) MB")))
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                let why = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
                return .failure(CommandOutput(error: WattError(.unreadable, "\(path): \(why)")))
            }
            let bytes = Array(data)
            if let problem = TextCheck.problem(bytes) {
                return .failure(CommandOutput(error: WattError(.invalidFile, "\(path):\(problem.line): \(problem.message)")))
            }
            let gpu = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            do {
                let m = try CapCurveFit.Measurements(csv: TextCheck.decoded(bytes), file: path, gpu: gpu, maxLimitW: maxLimitW)
                guard !m.ratios.isEmpty else {
                    return .failure(CommandOutput(error: WattError(.invalidFile, "\(path): no workload has a run at the max limit (\(num(m.maxLimitW)) W)", hint: "--max-limit must be a limit the file measured")))
                }
                result.append(m)
            } catch {
                return .failure(CommandOutput(error: WattError(.invalidFile, "\(error)")))
            }
        }
        return .success(result)
    }

    // MARK: fit

    public static func fit(files: [String], maxLimitW: Double? = nil, name: String? = nil, format: OutputFormat = .text) -> CommandOutput {
        guard !files.isEmpty else { return CommandOutput(error: WattError(.usage, "give at least one CSV file")) }
        let loaded: [CapCurveFit.Measurements]
        switch measurements(files, maxLimitW: maxLimitW) {
        case .success(let m): loaded = m
        case .failure(let out): return out
        }
        func allowed(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || "-_.+".contains(c)) }
        if let name, name.isEmpty || name.count > 64 || !name.allSatisfy(allowed) {
            return CommandOutput(error: WattError(.usage, "--name `\(name)` must be 1 to 64 letters, digits and `-_.+`"))
        }
        let curveName = name ?? String(("fit-" + loaded.map(\.gpu).joined(separator: "-")).filter(allowed).prefix(64))
        var fit = CapCurveFit.fitResponse(loaded.flatMap(\.ratios))
        // With several GPUs, the band is the leave-one-GPU-out error.
        let report = loaded.count >= 2 ? CapModelValidation.leaveOneOut(loaded) : nil
        fit.response.energyBand = report?.band
        let skipped = loaded.reduce(0) { $0 + Set($1.runs.map(\.workload)).count - $1.configurations.count }
        let json = profileJSON(name: curveName, response: fit.response, files: files, fit: fit)
        if format == .json { return CommandOutput(stdout: json) }
        var out = "cap response fitted on \(fit.configurations) workloads, \(fit.runs) runs: "
        out += loaded.map { "\($0.gpu) (max limit \(num($0.maxLimitW)) W)" }.joined(separator: ", ") + "\n"
        if skipped > 0 { out += "left out: \(skipped) workloads without a run at the max limit\n" }
        out += describe(fit.response)
        out += String(format: "fit rmse: throughput %.4f, power %.4f, energy/work %.4f (max |error| %.4f, %.4f, %.4f)\n",
                      fit.throughputError.rmse, fit.powerError.rmse, fit.energyError.rmse,
                      fit.throughputError.maxAbs, fit.powerError.maxAbs, fit.energyError.maxAbs)
        if report == nil { out += "energy band: none (one GPU; the band is the leave-one-GPU-out error of several)\n" }
        out += "\nas a profile file (watt profile fit --format json):\n" + json
        return CommandOutput(stdout: out)
    }

    /// A profile file with the fitted curve: strict JSON, loadable by `HardwareCatalog`.
    static func profileJSON(name: String, response r: CapResponse, files: [String], fit: CapCurveFit.ResponseFit) -> String {
        func pairs(_ c: CapCurve) -> String {
            "[" + c.points.map { "[\(round4($0.capFraction)), \(round4($0.relativeThroughput))]" }.joined(separator: ", ") + "]"
        }
        var fields = ["\"name\": \"\(name)\"", "\"points\": \(pairs(r.throughput))"]
        if let p = r.power { fields.append("\"power\": \(pairs(p))") }
        fields.append("\"peak_factor\": \(round4(r.peakFactor))")
        if let band = r.energyBand {
            fields.append("\"energy_band\": [" + band.points.map { "[\(round4($0.capRatio)), \(round4($0.halfWidth))]" }.joined(separator: ", ") + "]")
        }
        let read = "\(fit.configurations) workloads, \(fit.runs) runs: " + files.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
        fields.append("\"source\": {\"document\": \"power-cap measurements (watt profile fit)\", \"read\": \(jsonString(read)), "
            + "\"estimates\": \"monotone piecewise-linear least-squares fit of throughput and power vs cap ratio (docs/hardware.md), rounded to 4 decimals\"}")
        return "{\"curves\": [{" + fields.joined(separator: ", ") + "}]}\n"
    }

    static func round4(_ v: Double) -> String { num((v * 1e4).rounded() / 1e4) }

    /// Shortest decimal text: `0.25`, `700`; `null` for a non-finite value (strict JSON has
    /// no `inf` or `nan`, and the catalog refuses a null point with its field).
    static func num(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    static func describe(_ r: CapResponse) -> String {
        var out = "peak factor: \(num(r.peakFactor)) (peak draw = min(max power, \(num(r.peakFactor)) × uncapped draw); cap ratio = cap / peak draw)\n"
        out += "throughput vs cap ratio: \(r.throughput)\n"
        out += "power vs cap ratio: " + (r.power.map(\.description) ?? "min(draw, cap) (none given)") + "\n"
        if let band = r.energyBand { out += "energy/work band (±, vs cap ratio): \(band.description)\n" }
        return out
    }

    // MARK: show

    public static func show(name: String, profiles: [String] = []) -> CommandOutput {
        let (catalog, errors) = HardwareCatalog.load(files: profiles)
        var err = errors.map { WattError(.invalidFile, "\($0)").description + "\n" }.joined() + catalog.warnings.map { "warning: \($0)\n" }.joined()
        if let device = try? catalog.device(named: name) {
            return CommandOutput(stdout: showDevice(device), stderr: err)
        }
        if let curve = try? catalog.curve(named: name) {
            return CommandOutput(stdout: "curve \(curve.name)\n" + describe(curve.response), stderr: err)
        }
        var suggestion: String?
        do { _ = try catalog.device(named: name) } catch { suggestion = error.suggestion }
        if suggestion == nil { do { _ = try catalog.curve(named: name) } catch { suggestion = error.suggestion } }
        let unknown = WattError(.usage, "unknown device or curve `\(name)`", hint: suggestion.map { "did you mean `\($0)`?" })
        return CommandOutput(stderr: err + unknown.description + "\n", exitCode: unknown.exitStatus)
    }

    static func showDevice(_ d: DeviceProfile) -> String {
        var out = "device \(d.name): \(d.model) (\(d.kind.rawValue))\n"
        out += "max power \(num(d.maxW)) W, idle \(num(d.idleW)) W\n"
        out += "cap range \(num(d.capRangeW.lowerBound))–\(num(d.capRangeW.upperBound)) W "
        out += String(format: "(%.3f–%.3f of max power)\n", d.capRangeW.lowerBound / d.maxW, d.capRangeW.upperBound / d.maxW)
        let which = d.usesPooledCurve ? "pooled (fitted on other GPUs; no measurements of this device)"
            : d.capCurveName == nil ? "its own (points given in the profile)" : "its own"
        out += "cap curve: \(d.capCurveName.map { "`\($0)`, " } ?? "")\(which)\n"
        out += describe(d.capResponse)
        out += "\nenergy per unit of work (throughput) under a cap, relative to uncapped, by the job's uncapped draw;\n"
        out += "band: the energy/work band at full load\n"
        let draws = [1.0, 0.8, 0.6, 0.4]
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
        out += pad("cap W", 8) + pad("cap/max", 9) + draws.map { pad("draw \(Int($0 * 100)) %", 16) }.joined() + "band\n"
        let r = d.capResponse
        for level in CapModelValidation.levels + [1] {
            let cap = d.clampCap(level * d.maxW)
            var line = pad(num((cap * 10).rounded() / 10), 8) + pad(String(format: "%.3f", cap / d.maxW), 9)
            for f in draws {
                let draw = f * d.maxW
                line += pad(String(format: "%.3f (%.3f)", r.relativeEnergyPerWork(capW: cap, drawW: draw, maxW: d.maxW),
                                   r.relativeThroughput(capW: cap, drawW: draw, maxW: d.maxW)), 16)
            }
            let e = r.relativeEnergyPerWork(capW: cap, drawW: d.maxW, maxW: d.maxW)
            let h = r.energyBandHalfWidth(capW: cap, drawW: d.maxW, maxW: d.maxW)
            out += line + String(format: "%.3f–%.3f", max(0, e - h), e + h) + "\n"
        }
        if let s = d.source { out += "\nsource: \(s.document)\n" }
        return out
    }

    // MARK: validate

    public static func validate(files: [String] = [], maxLimitW: Double? = nil) -> CommandOutput {
        let report: CapModelValidation.Report?
        if files.isEmpty {
            do { report = try CapModelValidation.zeus() } catch { return CommandOutput(error: WattError(.runFailed, "\(error)")) }
        } else {
            guard files.count >= 2 else { return CommandOutput(error: WattError(.usage, "give at least two CSV files (one per GPU)")) }
            switch measurements(files, maxLimitW: maxLimitW) {
            case .success(let m): report = CapModelValidation.leaveOneOut(m)
            case .failure(let out): return out
            }
        }
        guard let report else { return CommandOutput(error: WattError(.invalidFile, "fewer than two GPUs with runs")) }
        return CommandOutput(stdout: CapModelValidation.text(report))
    }
}

public struct Profile: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Fit, show and validate GPU power-cap models (docs/hardware.md).",
        subcommands: [Fit.self, Show.self, Validate.self])
    public init() {}

    public struct Fit: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Fit a cap response to Zeus-style CSVs (dataset,network,batch_size,optimizer,power_limit,time_per_epoch,average_power).")
        @Argument(help: "CSV files, one per GPU (pooled when several).") var files: [String]
        @Option(help: "The GPU's max power limit (TDP), W (default: each file's highest power_limit).") var maxLimit: Double?
        @Option(help: "The curve's name in the profile output.") var name: String?
        @Option(help: "Output format: text or json (a profile file).") var format: String = "text"
        public init() {}
        public func run() throws {
            guard let f = OutputFormat(rawValue: format) else { throw ValidationError("--format must be text or json") }
            let out = ProfileCommand.fit(files: files, maxLimitW: maxLimit, name: name, format: f)
            out.emit()
            if out.exitCode != 0 { throw ExitCode(out.exitCode) }
        }
    }

    public struct Show: ParsableCommand {
        public static let configuration = CommandConfiguration(abstract: "Show a catalog device (or curve) with its cap response.")
        @Argument(help: "A device or curve name, e.g. h100-sxm5-80gb.") var name: String
        @Option(name: .customLong("profiles"), help: "Extra profile files (JSON) to load first.") var profiles: [String] = []
        public init() {}
        public func run() throws {
            let out = ProfileCommand.show(name: name, profiles: profiles)
            out.emit()
            if out.exitCode != 0 { throw ExitCode(out.exitCode) }
        }
    }

    public struct Validate: ParsableCommand {
        public static let configuration = CommandConfiguration(
            abstract: "Leave-one-GPU-out validation of the cap model (default: the shipped Zeus files).")
        @Argument(help: "CSV files, one per GPU (at least two); none: the shipped Zeus data.") var files: [String] = []
        @Option(help: "The max power limit of every file, W (default: each file's highest power_limit).") var maxLimit: Double?
        public init() {}
        public func run() throws {
            let out = ProfileCommand.validate(files: files, maxLimitW: maxLimit)
            out.emit()
            if out.exitCode != 0 { throw ExitCode(out.exitCode) }
        }
    }
}
