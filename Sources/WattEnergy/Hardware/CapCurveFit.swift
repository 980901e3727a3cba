import Foundation

/// Calibration of draw-blind cap curves (throughput vs cap / max limit for every job) on
/// measured GPU power-cap data, and the measurements themselves (method and numbers:
/// docs/hardware.md). The catalog's model is the draw-aware `CapResponse`
/// (`fitResponse`, `CapModelValidation`); these curves document what a draw-blind curve can do.
///
/// The shipped data (Resources/zeus/) are the Zeus measurements (You, Chung, Chowdhury, NSDI
/// 2023): for many training configurations (dataset, network, batch size, optimizer) on V100,
/// Quadro RTX 6000 and P100, the time per epoch and the average power at each power limit.
/// For each configuration, relative throughput at a limit is time(max limit) / time(limit) and
/// the cap fraction is limit / max limit. `fit` fits a monotone piecewise-linear curve through
/// (1, 1) to such samples by least squares; `calibrate` does it per GPU and pooled, measures the
/// errors, and fits how average power follows the limit.
public enum CapCurveFit {
    /// One measured point: `x` a cap fraction (or another cap ratio), `y` the measured ratio.
    public struct Sample: Sendable, Equatable {
        public var x: Double
        public var y: Double
        public init(_ x: Double, _ y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// How far a model is from the samples.
    public struct FitError: Sendable, Equatable {
        public var count: Int
        /// Root mean square of (model − measured).
        public var rmse: Double
        /// Largest |model − measured|.
        public var maxAbs: Double
        /// The sample where `maxAbs` occurs.
        public var worst: Sample?
    }

    // MARK: Fitting

    /// The knots `fit` uses by default: the lowest sample x, the tenths from 0.5 to 0.9 that
    /// lie at least 0.05 above it, and 1.
    public static func defaultKnots(for samples: [Sample]) -> [Double] {
        let low = min(samples.map(\.x).min() ?? 0.5, 1)
        var knots = [low]
        for k in [0.5, 0.6, 0.7, 0.8, 0.9] where k >= low + 0.05 { knots.append(k) }
        if knots.last! < 1 { knots.append(1) }
        return knots
    }

    /// The least-squares curve through (1, 1) that is linear between `knots` (increasing, the
    /// last one 1) and never decreases. Sample x values are clamped to the knots' range.
    ///
    /// The curve is y(x) = 1 − Σ d_j ψ_j(x), with ψ_j the ramp that is 1 up to knot j and falls
    /// to 0 at knot j+1, and d_j ≥ 0 the rise of segment j; minimising the squared error over
    /// d ≥ 0 is a non-negative least-squares problem, solved exactly (Lawson–Hanson).
    public static func fit(_ samples: [Sample], knots: [Double]) -> CapCurve {
        precondition(knots.count >= 2 && knots.last == 1 && zip(knots, knots.dropFirst()).allSatisfy { $0 < $1 } && knots[0] > 0,
                     "knots must increase from above 0 to 1")
        let n = knots.count - 1
        var gram = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        var rhs = [Double](repeating: 0, count: n)
        var ramp = [Double](repeating: 0, count: n)
        for s in samples {
            ramps(at: s.x, knots: knots, into: &ramp)
            for i in 0..<n where ramp[i] != 0 {
                rhs[i] += ramp[i] * (1 - s.y)
                for j in 0..<n { gram[i][j] += ramp[i] * ramp[j] }
            }
        }
        let rises = nonNegativeLeastSquares(gram: gram, rhs: rhs)
        var points: [CapCurve.Point] = []
        var y = 1.0
        var values = [Double](repeating: 1, count: knots.count)
        for k in stride(from: n - 1, through: 0, by: -1) {
            y -= rises[k]
            values[k] = max(0, y)
        }
        for (k, x) in knots.enumerated() { points.append(.init(x, values[k])) }
        return CapCurve(unchecked: points)
    }

    /// ψ_j(x) for every segment j.
    private static func ramps(at x: Double, knots: [Double], into ramp: inout [Double]) {
        let x = min(max(x, knots[0]), 1)
        for j in 0..<(knots.count - 1) {
            if x <= knots[j] { ramp[j] = 1 } else if x >= knots[j + 1] { ramp[j] = 0 } else {
                ramp[j] = (knots[j + 1] - x) / (knots[j + 1] - knots[j])
            }
        }
    }

    /// min |A d − b|² subject to d ≥ 0, given G = AᵀA and h = Aᵀb (Lawson and Hanson, 1974).
    static func nonNegativeLeastSquares(gram g: [[Double]], rhs h: [Double]) -> [Double] {
        let n = h.count
        let scale = max(g.indices.map { g[$0][$0] }.max() ?? 1, 1e-300)
        let tolerance = 1e-12 * scale
        var d = [Double](repeating: 0, count: n)
        var passive = [Bool](repeating: false, count: n)
        func gradient() -> [Double] {
            (0..<n).map { i in h[i] - (0..<n).reduce(0) { $0 + g[i][$1] * d[$1] } }
        }
        for _ in 0..<(3 * n + 3) {
            let w = gradient()
            guard let j = (0..<n).filter({ !passive[$0] && w[$0] > tolerance }).max(by: { w[$0] < w[$1] }) else { break }
            passive[j] = true
            for _ in 0..<(3 * n + 3) {
                let set = (0..<n).filter { passive[$0] }
                let solved = solve(set.map { i in set.map { g[i][$0] } }, set.map { h[$0] })
                var z = [Double](repeating: 0, count: n)
                for (k, i) in set.enumerated() { z[i] = solved[k] }
                if set.allSatisfy({ z[$0] > 0 }) {
                    d = z
                    break
                }
                var alpha = 1.0
                for i in set where z[i] <= 0 { alpha = min(alpha, d[i] / (d[i] - z[i])) }
                for i in 0..<n { d[i] += alpha * (z[i] - d[i]) }
                for i in set where d[i] <= 1e-15 {
                    passive[i] = false
                    d[i] = 0
                }
            }
        }
        return d
    }

    /// Solves a small symmetric system by Gaussian elimination with partial pivoting; a
    /// singular direction gets 0.
    private static func solve(_ a: [[Double]], _ b: [Double]) -> [Double] {
        let n = b.count
        var m = a
        var v = b
        for col in 0..<n {
            let pivot = (col..<n).max(by: { abs(m[$0][col]) < abs(m[$1][col]) })!
            m.swapAt(col, pivot)
            v.swapAt(col, pivot)
            guard abs(m[col][col]) > 1e-300 else { continue }
            for r in (col + 1)..<n {
                let f = m[r][col] / m[col][col]
                guard f != 0 else { continue }
                for c in col..<n { m[r][c] -= f * m[col][c] }
                v[r] -= f * v[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            guard abs(m[r][r]) > 1e-300 else { continue }
            var s = v[r]
            for c in (r + 1)..<n { s -= m[r][c] * x[c] }
            x[r] = s / m[r][r]
        }
        return x
    }

    /// The error of `model` on `samples`.
    public static func error(of model: (Double) -> Double, on samples: [Sample]) -> FitError {
        var sum = 0.0
        var worst: (e: Double, s: Sample)?
        for s in samples {
            let e = abs(model(s.x) - s.y)
            sum += e * e
            if worst == nil || e > worst!.e { worst = (e, s) }
        }
        return FitError(count: samples.count, rmse: samples.isEmpty ? 0 : (sum / Double(samples.count)).squareRoot(),
                        maxAbs: worst?.e ?? 0, worst: worst?.s)
    }

    /// The error of a curve on samples (x clamped to the curve as `relativeThroughput` does).
    public static func error(of curve: CapCurve, on samples: [Sample]) -> FitError {
        error(of: { curve.relativeThroughput(atCapFraction: $0) }, on: samples)
    }

    /// The curve continued below its first point, down to `x`, along its first segment (floored
    /// at 0). This is an extrapolation: below the measured range there is no data.
    public static func extend(_ curve: CapCurve, downTo x: Double) -> CapCurve {
        let p = curve.points
        guard x < p[0].capFraction, x > 0 else { return curve }
        let slope = (p[1].relativeThroughput - p[0].relativeThroughput) / (p[1].capFraction - p[0].capFraction)
        let y = max(0, p[0].relativeThroughput - slope * (p[0].capFraction - x))
        return CapCurve(unchecked: [.init(x, y)] + p)
    }

    /// The least-squares k of the draw model: average power / uncapped average power =
    /// min(1, k × limit / uncapped average power), on `drawSamples`.
    public static func fitDrawFactor(_ samples: [Sample]) -> Double {
        func sse(_ k: Double) -> Double {
            samples.reduce(0) { let e = min(1, k * $1.x) - $1.y; return $0 + e * e }
        }
        // A coarse scan, then golden-section search around the best grid point.
        var best = 0.5
        for i in 0...200 {
            let k = 0.5 + Double(i) * 0.005
            if sse(k) < sse(best) { best = k }
        }
        var lo = best - 0.005, hi = best + 0.005
        let r = (5.0.squareRoot() - 1) / 2
        for _ in 0..<60 {
            let a = hi - r * (hi - lo), b = lo + r * (hi - lo)
            if sse(a) < sse(b) { hi = b } else { lo = a }
        }
        return (lo + hi) / 2
    }

    // MARK: Measurements

    /// A problem in a measurement file.
    public struct DataError: Error, Sendable, Equatable, CustomStringConvertible {
        public var file: String
        public var line: Int?
        public var message: String
        public var description: String { "\(file)" + (line.map { ":\($0)" } ?? "") + ": \(message)" }
    }

    /// Power-cap measurements of one GPU.
    public struct Measurements: Sendable {
        public struct Run: Sendable, Equatable {
            /// `dataset/network/batch_size/optimizer`.
            public var workload: String
            public var limitW: Double
            public var timePerEpochS: Double
            public var averagePowerW: Double
        }

        public var gpu: String
        /// The GPU's maximum (default) power limit, W.
        public var maxLimitW: Double
        /// In file order.
        public var runs: [Run]

        /// The largest power limit or average power accepted, W (no accelerator board draws 10 kW).
        public static let maxWatts = 10_000.0
        /// The longest time per epoch accepted, s (about 4 months).
        public static let maxTimePerEpochS = 1e7
        /// An average power above this × the limit is not a run under that limit.
        public static let maxPowerOverLimit = 1.5

        /// Parses a Zeus summary CSV: `dataset,network,batch_size,optimizer,power_limit,time_per_epoch,average_power`.
        /// `maxLimitW` is the GPU's max power limit (TDP); nil: the highest limit in the file.
        /// Every problem names its line; numbers are bounded (`maxWatts`, `maxTimePerEpochS`,
        /// `maxPowerOverLimit`), and a workload measured twice at one limit is an error.
        public init(csv: String, file: String, gpu: String, maxLimitW: Double?) throws(DataError) {
            self.gpu = gpu
            runs = []
            let header = "dataset,network,batch_size,optimizer,power_limit,time_per_epoch,average_power"
            // ("\r\n" is one Character in Swift, so it is a separator of its own.)
            var lines = csv.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
                .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
            while lines.last?.isEmpty == true { lines.removeLast() }
            if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = first.dropFirst() }
            guard lines.first.map(String.init) == header else {
                throw DataError(file: file, line: 1, message: "expected the header `\(header)`")
            }
            if let maxLimitW, !(maxLimitW > 0 && maxLimitW <= Self.maxWatts) {
                throw DataError(file: file, message: "the max power limit must be in (0, \(HardwareText.number(Self.maxWatts))] W, found \(HardwareText.number(maxLimitW))")
            }
            let watts = HardwareText.number(Self.maxWatts)
            var seen: [String: Int] = [:]
            for (i, line) in lines.enumerated().dropFirst() {
                let n = i + 1
                func fail(_ message: String) -> DataError { DataError(file: file, line: n, message: message) }
                if line.isEmpty { throw fail("empty line") }
                let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                guard f.count == 7 else { throw fail("expected 7 fields, found \(f.count)") }
                if f.contains(where: { $0.contains("\"") }) { throw fail("quoted fields are not supported") }
                if let k = f[0..<4].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                    throw fail("field \(["dataset", "network", "batch_size", "optimizer"][k]) is empty")
                }
                func number(_ k: Int, _ name: String, _ unit: String, max: Double) throws(DataError) -> Double {
                    let text = f[k].trimmingCharacters(in: .whitespaces)
                    guard let v = Double(text), v.isFinite, v > 0, v <= max else {
                        throw fail("\(name) must be a number of \(unit) in (0, \(HardwareText.number(max))], found `\(f[k])`")
                    }
                    return v
                }
                let limit = try number(4, "power_limit", "watts", max: maxLimitW ?? Self.maxWatts)
                let time = try number(5, "time_per_epoch", "seconds", max: Self.maxTimePerEpochS)
                let power = try number(6, "average_power", "watts", max: Double(watts)!)
                guard power <= Self.maxPowerOverLimit * limit else {
                    throw fail("average_power \(HardwareText.number(power)) W is more than \(HardwareText.number(Self.maxPowerOverLimit)) × the power_limit \(HardwareText.number(limit)) W; not a run under that limit")
                }
                let workload = f[0..<4].joined(separator: "/")
                let key = workload + "@" + String(limit)
                if let previous = seen[key] {
                    throw fail("workload `\(workload)` at \(HardwareText.number(limit)) W was already measured at line \(previous)")
                }
                seen[key] = n
                runs.append(Run(workload: workload, limitW: limit, timePerEpochS: time, averagePowerW: power))
            }
            guard !runs.isEmpty else { throw DataError(file: file, line: 2, message: "no runs after the header") }
            self.maxLimitW = maxLimitW ?? runs.map(\.limitW).max()!
        }

        /// The runs by workload, in order of first appearance, each with a run at `maxLimitW`.
        public var configurations: [(workload: String, runs: [Run], uncapped: Run)] {
            var order: [String] = []
            var byWorkload: [String: [Run]] = [:]
            for r in runs {
                if byWorkload[r.workload] == nil { order.append(r.workload) }
                byWorkload[r.workload, default: []].append(r)
            }
            return order.compactMap { w in
                let rs = byWorkload[w]!
                guard let uncapped = rs.first(where: { $0.limitW == maxLimitW }) else { return nil }
                return (w, rs, uncapped)
            }
        }

        /// x = limit / max limit, y = time(max limit) / time(limit).
        public var throughputSamples: [Sample] {
            configurations.flatMap { c in c.runs.map { Sample($0.limitW / maxLimitW, c.uncapped.timePerEpochS / $0.timePerEpochS) } }
        }

        /// x = limit / uncapped average power, y = average power / uncapped average power.
        public var drawSamples: [Sample] {
            configurations.flatMap { c in c.runs.map { Sample($0.limitW / c.uncapped.averagePowerW, $0.averagePowerW / c.uncapped.averagePowerW) } }
        }

        /// x = min(1, limit / uncapped average power), y = time(max limit) / time(limit): the
        /// throughput as a function of how far the cap is below what the job draws uncapped.
        public var drawNormalisedThroughputSamples: [Sample] {
            configurations.flatMap { c in
                c.runs.map { Sample(min(1, $0.limitW / c.uncapped.averagePowerW), c.uncapped.timePerEpochS / $0.timePerEpochS) }
            }
        }
    }

    /// The Zeus files shipped in Resources/zeus/: file, GPU, max power limit (W).
    public static let zeusFiles: [(file: String, gpu: String, maxLimitW: Double)] = [
        ("summary_power_v100.csv", "V100", 250),
        ("summary_power_rtx6000.csv", "RTX 6000", 260),
        ("summary_power_p100.csv", "P100", 250),
    ]

    /// The shipped Zeus measurements, one entry per GPU.
    public static func zeusMeasurements() throws(DataError) -> [Measurements] {
        var result: [Measurements] = []
        for (file, gpu, maxLimitW) in zeusFiles {
            let name = (file as NSString).deletingPathExtension
            guard let url = Bundle.module.url(forResource: name, withExtension: "csv", subdirectory: "Resources/zeus"),
                  let data = FileManager.default.contents(atPath: url.path) else {
                throw DataError(file: "zeus/\(file)", message: "not found in the package resources")
            }
            result.append(try Measurements(csv: String(decoding: data, as: UTF8.self), file: "zeus/\(file)", gpu: gpu, maxLimitW: maxLimitW))
        }
        return result
    }

    // MARK: Calibration

    /// The calibration of one data set (a GPU, or all pooled).
    public struct Result: Sendable {
        public var name: String
        public var configurations: Int
        /// Relative throughput vs cap / max limit, fitted to this data set.
        public var curve: CapCurve
        public var error: FitError
        /// The error of the pooled curve on this data set (what a device given the pooled
        /// curve inherits).
        public var pooledCurveError: FitError
        /// k in: average power = min(uncapped average power, k × limit).
        public var drawFactor: Double
        /// The error of the draw model in average power / uncapped average power.
        public var drawError: FitError
        /// Relative throughput vs min(1, limit / uncapped average power), fitted.
        public var drawNormalisedCurve: CapCurve
        public var drawNormalisedError: FitError
    }

    public struct Calibration: Sendable {
        /// One result per GPU, in input order.
        public var gpus: [Result]
        /// All samples of all GPUs together.
        public var pooled: Result
    }

    /// The lowest cap fraction the catalog curve reaches: the lowest cap_min_w / max_w of the
    /// built-in devices (A100 SXM4, 100 W / 400 W).
    public static let catalogLowerBound = 0.25

    /// Fits every GPU's data and the pooled data.
    public static func calibrate(_ measurements: [Measurements]) -> Calibration {
        let pooledThroughput = measurements.flatMap(\.throughputSamples)
        let pooledCurve = fit(pooledThroughput, knots: defaultKnots(for: pooledThroughput))
        func result(_ name: String, configurations: Int, throughput: [Sample], draw: [Sample], normalised: [Sample]) -> Result {
            let curve = fit(throughput, knots: defaultKnots(for: throughput))
            let k = fitDrawFactor(draw)
            let normalisedCurve = fit(normalised, knots: defaultKnots(for: normalised))
            return Result(
                name: name, configurations: configurations, curve: curve,
                error: error(of: curve, on: throughput),
                pooledCurveError: error(of: pooledCurve, on: throughput),
                drawFactor: k, drawError: error(of: { min(1, k * $0) }, on: draw),
                drawNormalisedCurve: normalisedCurve, drawNormalisedError: error(of: normalisedCurve, on: normalised))
        }
        let gpus = measurements.map {
            result($0.gpu, configurations: $0.configurations.count, throughput: $0.throughputSamples,
                   draw: $0.drawSamples, normalised: $0.drawNormalisedThroughputSamples)
        }
        let pooled = result("pooled", configurations: measurements.reduce(0) { $0 + $1.configurations.count },
                            throughput: pooledThroughput, draw: measurements.flatMap(\.drawSamples),
                            normalised: measurements.flatMap(\.drawNormalisedThroughputSamples))
        return Calibration(gpus: gpus, pooled: pooled)
    }

    private static let zeusCalibration: Swift.Result<Calibration, DataError> = {
        do throws(DataError) {
            return .success(calibrate(try zeusMeasurements()))
        } catch {
            return .failure(error)
        }
    }()

    /// The calibration on the shipped Zeus data (computed once).
    public static func zeus() throws(DataError) -> Calibration {
        try zeusCalibration.get()
    }

    /// A plain-text report of a calibration: per data set, the curve and the errors.
    public static func report(_ c: Calibration) -> String {
        func f(_ v: Double) -> String { String(format: "%.4f", v) }
        var out = "data set      configs points  own fit rmse / max   pooled fit rmse / max   draw k   draw rmse / max   draw-normalised rmse / max\n"
        for r in c.gpus + [c.pooled] {
            out += r.name.padding(toLength: 14, withPad: " ", startingAt: 0)
            out += String(r.configurations).padding(toLength: 8, withPad: " ", startingAt: 0)
            out += String(r.error.count).padding(toLength: 8, withPad: " ", startingAt: 0)
            out += "\(f(r.error.rmse)) / \(f(r.error.maxAbs))      \(f(r.pooledCurveError.rmse)) / \(f(r.pooledCurveError.maxAbs))         "
            out += "\(f(r.drawFactor))   \(f(r.drawError.rmse)) / \(f(r.drawError.maxAbs))   \(f(r.drawNormalisedError.rmse)) / \(f(r.drawNormalisedError.maxAbs))\n"
        }
        for r in c.gpus + [c.pooled] {
            out += "\(r.name) curve: \(r.curve)\n"
            out += "\(r.name) draw-normalised curve: \(r.drawNormalisedCurve)\n"
        }
        return out
    }
}
