import Foundation
import Testing
import WattTestSupport
@testable import WattEnergy

private let repoRoot = RepositoryRoot.url

/// The calibration of cap curves on the Zeus measurements. The numbers below are the ones in
/// docs/hardware.md; if the data or the fit change materially these tests fail.
@Suite struct CapCurveCalibrationTests {
    struct Documented {
        var name: String
        var configurations: Int
        var points: Int
        /// Own fit: RMSE and max |error| of relative throughput over all points.
        var rmse: Double
        var maxAbs: Double
        /// The pooled curve on this data set.
        var pooledRMSE: Double
        var pooledMaxAbs: Double
        /// The stated tolerance: every fit and the pooled curve reproduce this data set with
        /// RMSE ≤ rmseBound and every point within maxBound.
        var rmseBound: Double
        var maxBound: Double
        /// Draw model k, its RMSE and max |error| in average power / uncapped average power.
        var drawFactor: Double
        var drawRMSE: Double
        var drawMaxAbs: Double
        /// Throughput vs min(1, limit / uncapped draw): RMSE.
        var normalisedRMSE: Double
    }

    static let documented: [Documented] = [
        .init(name: "V100", configurations: 68, points: 476, rmse: 0.0991, maxAbs: 0.3633, pooledRMSE: 0.1011, pooledMaxAbs: 0.4060,
              rmseBound: 0.105, maxBound: 0.42, drawFactor: 0.8867, drawRMSE: 0.0488, drawMaxAbs: 0.1742, normalisedRMSE: 0.0439),
        .init(name: "RTX 6000", configurations: 52, points: 410, rmse: 0.1139, maxAbs: 0.4420, pooledRMSE: 0.1156, pooledMaxAbs: 0.3958,
              rmseBound: 0.12, maxBound: 0.45, drawFactor: 0.9127, drawRMSE: 0.0378, drawMaxAbs: 0.1519, normalisedRMSE: 0.0631),
        .init(name: "P100", configurations: 45, points: 270, rmse: 0.0405, maxAbs: 0.1777, pooledRMSE: 0.0499, pooledMaxAbs: 0.2334,
              rmseBound: 0.055, maxBound: 0.24, drawFactor: 0.8523, drawRMSE: 0.0432, drawMaxAbs: 0.1855, normalisedRMSE: 0.0369),
        .init(name: "pooled", configurations: 165, points: 1156, rmse: 0.0976, maxAbs: 0.4060, pooledRMSE: 0.0976, pooledMaxAbs: 0.4060,
              rmseBound: 0.10, maxBound: 0.42, drawFactor: 0.8951, drawRMSE: 0.0451, drawMaxAbs: 0.1855, normalisedRMSE: 0.0506),
    ]

    /// The fitted knots in docs/hardware.md (4 decimals).
    static let documentedCurves: [String: [(Double, Double)]] = [
        "V100": [(0.4, 0.7764), (0.5, 0.8663), (0.6, 0.9263), (0.7, 0.9603), (0.8, 0.9733), (0.9, 0.9958), (1, 1)],
        "RTX 6000": [(0.3846, 0.6629), (0.5, 0.8808), (0.6, 0.9149), (0.7, 0.9546), (0.8, 0.9812), (0.9, 0.9861), (1, 1)],
        "P100": [(0.5, 0.9495), (0.6, 0.9748), (0.7, 0.9810), (0.8, 0.9967), (0.9, 0.9967), (1, 1)],
        "pooled": [(0.3846, 0.7091), (0.5, 0.8938), (0.6, 0.9371), (0.7, 0.9639), (0.8, 0.9812), (0.9, 0.9939), (1, 1)],
    ]

    let calibration: CapCurveFit.Calibration
    let measurements: [CapCurveFit.Measurements]

    init() throws {
        calibration = try CapCurveFit.zeus()
        measurements = try CapCurveFit.zeusMeasurements()
    }

    var results: [CapCurveFit.Result] { calibration.gpus + [calibration.pooled] }

    @Test func shippedDataAreTheExampleData() throws {
        #expect(measurements.map(\.gpu) == ["V100", "RTX 6000", "P100"])
        #expect(measurements.map(\.runs.count) == [476, 410, 270])
        for (m, (file, gpu, maxLimitW)) in zip(measurements, CapCurveFit.zeusFiles) {
            let text = try String(contentsOf: repoRoot.appendingPathComponent("examples/data/zeus/\(file)"), encoding: .utf8)
            let example = try CapCurveFit.Measurements(csv: text, file: file, gpu: gpu, maxLimitW: maxLimitW)
            let firstDifference = zip(example.runs, m.runs).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(example.runs.count == m.runs.count && firstDifference == nil,
                    "Resources/zeus/\(file) differs from examples/data/zeus/\(file) at run \(firstDifference ?? -1)")
            #expect(m.runs.map(\.limitW).max() == maxLimitW)
        }
        let first = measurements[0].runs[0]
        #expect(first.workload == "cifar100/shufflenetv2/1024/adadelta" && first.limitW == 100)
        #expect(first.timePerEpochS == 11.276666666666666 && first.averagePowerW == 86.86460850784009)
    }

    @Test func fitErrorsAreTheDocumentedOnes() {
        #expect(results.map(\.name) == Self.documented.map(\.name))
        for (r, d) in zip(results, Self.documented) {
            #expect(r.configurations == d.configurations, "\(d.name)")
            #expect(r.error.count == d.points, "\(d.name)")
            #expect(abs(r.error.rmse - d.rmse) < 0.002, "\(d.name): rmse \(r.error.rmse)")
            #expect(abs(r.error.maxAbs - d.maxAbs) < 0.005, "\(d.name): max \(r.error.maxAbs)")
            #expect(abs(r.pooledCurveError.rmse - d.pooledRMSE) < 0.002, "\(d.name): pooled rmse \(r.pooledCurveError.rmse)")
            #expect(abs(r.pooledCurveError.maxAbs - d.pooledMaxAbs) < 0.005, "\(d.name): pooled max \(r.pooledCurveError.maxAbs)")
            let knots = Self.documentedCurves[d.name]!
            #expect(r.curve.points.count == knots.count, "\(d.name)")
            for (p, k) in zip(r.curve.points, knots) {
                #expect(abs(p.capFraction - k.0) < 1e-4 && abs(p.relativeThroughput - k.1) < 0.002, "\(d.name): \(p) vs \(k)")
            }
        }
    }

    /// The stated tolerance: the fits reproduce the measurements within these errors.
    @Test func fitsReproduceTheMeasurementsWithinTheStatedTolerance() {
        let samples = measurements.map(\.throughputSamples) + [measurements.flatMap(\.throughputSamples)]
        for ((r, d), s) in zip(zip(results, Self.documented), samples) {
            for (curve, label) in [(r.curve, "own fit"), (calibration.pooled.curve, "pooled curve")] {
                let e = CapCurveFit.error(of: curve, on: s)
                #expect(e.rmse <= d.rmseBound, "\(d.name) \(label): rmse \(e.rmse)")
                let outside = s.filter { abs(curve.relativeThroughput(atCapFraction: $0.x) - $0.y) > d.maxBound }
                #expect(outside.isEmpty, "\(d.name) \(label): \(outside)")
            }
        }
    }

    /// The tolerance has teeth: curves that ignore the data fail it.
    @Test func wrongCurvesFailTheTolerance() throws {
        let pooled = measurements.flatMap(\.throughputSamples)
        let bound = Self.documented.last!.rmseBound
        let flat = try CapCurve(validating: [.init(0.3, 1), .init(1, 1)])
        let proportional = try CapCurve(validating: [.init(0.3, 0.3), .init(1, 1)])
        #expect(CapCurveFit.error(of: flat, on: pooled).rmse > bound + 0.02)
        #expect(CapCurveFit.error(of: proportional, on: pooled).rmse > bound + 0.1)
        // A curve fitted to the P100 alone (the mildest GPU) does not describe the RTX 6000.
        let p100 = calibration.gpus[2].curve
        #expect(CapCurveFit.error(of: p100, on: measurements[1].throughputSamples).rmse > Self.documented[1].rmseBound)
    }

    @Test func everyCurveIsMonotoneAndOneAtFullCap() throws {
        for r in results {
            for curve in [r.curve, r.drawNormalisedCurve] {
                #expect(curve.points.last == .init(1, 1), "\(r.name)")
                #expect(zip(curve.points, curve.points.dropFirst()).allSatisfy { $0.relativeThroughput <= $1.relativeThroughput }, "\(r.name)")
                #expect(curve.relativeThroughput(atCapFraction: 1) == 1)
                _ = try CapCurve(validating: curve.points)
            }
        }
    }

    @Test func theCatalogCurveIsAFreshFit() throws {
        let stored = try HardwareCatalog.builtIn.curve(named: "zeus-pooled").response
        let fresh = CapCurveFit.catalogResponse(try CapModelValidation.zeus())
        #expect(stored == fresh)
        let pooled = try CapModelValidation.zeus().pooled.response
        for (s, p) in [(stored.throughput, pooled.throughput), (try #require(stored.power), try #require(pooled.power))] {
            // The stored points are the fit rounded to 4 decimals, below the data continued.
            for point in s.points.dropFirst() {
                #expect(abs(p.relativeThroughput(atCapFraction: point.capFraction) - point.relativeThroughput) <= 5e-5 + 1e-12, "\(point)")
            }
            #expect(s.points[0].capFraction == CapCurveFit.catalogLowerBound)
        }
        #expect(stored.peakFactor == pooled.peakFactor)
        for d in HardwareCatalog.builtIn.devices { #expect(d.capResponse == stored, "\(d.name)") }
    }

    @Test func drawModelIsTheDocumentedOne() {
        for (r, d) in zip(results, Self.documented) {
            #expect(abs(r.drawFactor - d.drawFactor) < 0.002, "\(d.name): k \(r.drawFactor)")
            #expect(abs(r.drawError.rmse - d.drawRMSE) < 0.002, "\(d.name): draw rmse \(r.drawError.rmse)")
            #expect(abs(r.drawError.maxAbs - d.drawMaxAbs) < 0.005, "\(d.name): draw max \(r.drawError.maxAbs)")
            #expect(abs(r.drawNormalisedError.rmse - d.normalisedRMSE) < 0.002, "\(d.name): normalised rmse \(r.drawNormalisedError.rmse)")
            // Knowing the job's uncapped draw explains throughput better than the cap alone.
            #expect(r.drawNormalisedError.rmse < r.error.rmse || d.name == "P100", "\(d.name)")
        }
    }

    @Test func fitRecoversAKnownCurve() {
        let truth = CapCurve(unchecked: [.init(0.4, 0.5), .init(0.6, 0.8), .init(0.8, 0.95), .init(1, 1)])
        let xs = stride(from: 0.4, through: 1.0, by: 0.025).map { $0 }
        let samples = xs.map { CapCurveFit.Sample($0, truth.relativeThroughput(atCapFraction: $0)) }
        let fitted = CapCurveFit.fit(samples, knots: [0.4, 0.6, 0.8, 1])
        for (a, b) in zip(fitted.points, truth.points) {
            #expect(abs(a.relativeThroughput - b.relativeThroughput) < 1e-9, "\(a) vs \(b)")
        }
        #expect(CapCurveFit.error(of: fitted, on: samples).rmse < 1e-9)
    }

    @Test func fitIsMonotoneWhereTheDataAreNot() {
        // Unconstrained, the knots would be 0.9 and 0.8; the monotone least-squares answer
        // pools them at their mean.
        let samples = [CapCurveFit.Sample(0.5, 0.9), .init(0.75, 0.8), .init(1, 1)]
        let fitted = CapCurveFit.fit(samples, knots: [0.5, 0.75, 1])
        #expect(abs(fitted.points[0].relativeThroughput - 0.85) < 1e-12)
        #expect(abs(fitted.points[1].relativeThroughput - 0.85) < 1e-12)
        #expect(fitted.points[2] == .init(1, 1))
        // Throughput above 1 under a cap (run-to-run noise) cannot lift the curve above 1.
        let noisy = CapCurveFit.fit([.init(0.5, 1.2), .init(1, 1)], knots: [0.5, 1])
        #expect(noisy.points == [.init(0.5, 1), .init(1, 1)])
    }

    @Test func defaultKnots() {
        #expect(CapCurveFit.defaultKnots(for: [.init(0.3846, 1), .init(1, 1)]) == [0.3846, 0.5, 0.6, 0.7, 0.8, 0.9, 1])
        #expect(CapCurveFit.defaultKnots(for: [.init(0.5, 1), .init(1, 1)]) == [0.5, 0.6, 0.7, 0.8, 0.9, 1])
        #expect(CapCurveFit.defaultKnots(for: [.init(0.47, 1)]) == [0.47, 0.6, 0.7, 0.8, 0.9, 1])
    }

    @Test func badMeasurementFilesAreReported() {
        let header = "dataset,network,batch_size,optimizer,power_limit,time_per_epoch,average_power"
        #expect(throws: CapCurveFit.DataError(file: "x.csv", line: 1, message: "expected the header `\(header)`")) {
            try CapCurveFit.Measurements(csv: "a,b\n", file: "x.csv", gpu: "G", maxLimitW: 250)
        }
        #expect(throws: CapCurveFit.DataError(file: "x.csv", line: 3, message: "expected 7 fields, found 6")) {
            try CapCurveFit.Measurements(csv: "\(header)\nd,n,1,o,250,10,200\nd,n,1,o,250,10\n", file: "x.csv", gpu: "G", maxLimitW: 250)
        }
        #expect(throws: CapCurveFit.DataError.self) {
            try CapCurveFit.Measurements(csv: "\(header)\nd,n,1,o,300,10,200\n", file: "x.csv", gpu: "G", maxLimitW: 250)
        }
    }

    @Test func reportListsEveryDataSet() {
        let report = CapCurveFit.report(calibration)
        for d in Self.documented { #expect(report.contains(d.name)) }
    }
}
