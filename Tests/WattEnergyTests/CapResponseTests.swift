import Foundation
import Testing
@testable import WattEnergy

/// The cap model: a job whose peak draw is under the cap is unaffected; heavier jobs slow and
/// save energy per unit of work; power never exceeds the cap.
@Suite struct CapResponseTests {
    let pooled = try! HardwareCatalog.builtIn.curve(named: "zeus-pooled").response
    let h100 = try! HardwareCatalog.builtIn.device(named: "h100-sxm5-80gb")

    @Test func aJobUnderTheCapIsUnaffected() {
        let model = DevicePowerModel(profile: h100)
        // 30 % utilization: 75 + 625 × 0.3 = 262.5 W uncapped, peak 1.25 × 262.5 = 328 W.
        for cap in [350.0, 450, 600] {
            #expect(model.power(utilization: 0.3, capWatts: cap) == model.uncappedPower(utilization: 0.3), "\(cap)")
            #expect(model.throughput(utilization: 0.3, capWatts: cap) == 0.3, "\(cap)")
            #expect(model.relativeEnergyPerWork(utilization: 0.3, capWatts: cap) == 1, "\(cap)")
            let band = model.relativeEnergyPerWorkBand(utilization: 0.3, capWatts: cap)
            #expect(band.low == 1 && band.high == 1)
        }
        // The same job under a cap below its peak slows (and the old model, which compared the
        // cap with the average draw only, would have left it alone at 300 W).
        #expect(model.throughput(utilization: 0.3, capWatts: 300) < 0.3)
        #expect(pooled.relativeThroughput(capW: 467, drawW: 300, maxW: 700) == 1)
        #expect(pooled.relativePower(capW: 467, drawW: 300, maxW: 700) == 1)
    }

    @Test func aHeavyJobSlowsAndSavesEnergyPerWork() {
        let model = DevicePowerModel(profile: h100)
        let cap = 700.0 * 2 / 3
        let t = model.relativeThroughput(utilization: 1, capWatts: cap)
        let e = model.relativeEnergyPerWork(utilization: 1, capWatts: cap)
        #expect(t > 0.85 && t < 0.95, "\(t)")
        #expect(e > 0.65 && e < 0.85, "\(e)")
        #expect(model.power(utilization: 1, capWatts: cap) <= cap)
        let band = model.relativeEnergyPerWorkBand(utilization: 1, capWatts: cap)
        #expect(band.low < e && e < band.high && band.high - band.low < 0.1)
    }

    @Test func lighterJobsSlowLessAndNeverDrawAboveTheCap() {
        for cap in stride(from: 200.0, through: 700, by: 50) {
            var previous = 0.0
            for draw in stride(from: 700.0, through: 75, by: -25) {
                let t = pooled.relativeThroughput(capW: cap, drawW: draw, maxW: 700)
                #expect(t >= previous - 1e-12, "cap \(cap), draw \(draw)")
                previous = t
                #expect(draw * pooled.relativePower(capW: cap, drawW: draw, maxW: 700) <= min(draw, cap) + 1e-9)
                #expect(t > 0 && t <= 1)
            }
        }
        // Memory-bound work (here drawing 55 % of the TDP) barely slows at 2/3 of the TDP.
        #expect(pooled.relativeThroughput(capW: 467, drawW: 385, maxW: 700) > 0.99)
    }

    @Test func aCurveWithoutPowerIsAHardLimit() throws {
        let r = CapResponse(throughput: try CapCurve(validating: [.init(0.5, 0.8), .init(1, 1)]))
        #expect(r.relativePower(capW: 350, drawW: 700, maxW: 700) == 0.5)
        #expect(r.relativePower(capW: 350, drawW: 300, maxW: 700) == 1)
        #expect(r.relativeThroughput(capW: 350, drawW: 700, maxW: 700) == 0.8)
        #expect(r.relativeThroughput(capW: 350, drawW: 350, maxW: 700) == 1)
        #expect(abs(r.relativeEnergyPerWork(capW: 350, drawW: 700, maxW: 700) - 0.625) < 1e-12)
        // A job drawing nothing is unaffected; a missing cap is no cap.
        #expect(r.relativeThroughput(capW: 350, drawW: 0, maxW: 700) == 1)
        #expect(r.relativePower(capW: .infinity, drawW: 700, maxW: 700) == 1)
    }

    @Test func bandsValidateAndInterpolate() throws {
        let band = try CapResponse.EnergyBand(validating: [(0.5, 0.04), (0.9, 0.02)])
        #expect(band.halfWidth(atCapRatio: 0.3) == 0.04)
        #expect(abs(band.halfWidth(atCapRatio: 0.7) - 0.03) < 1e-12)
        #expect(band.halfWidth(atCapRatio: 0.95) == 0.02)
        #expect(band.halfWidth(atCapRatio: 1) == 0)
        #expect(throws: CapCurve.InvalidPoints.self) { try CapResponse.EnergyBand(validating: [(0.5, 0.04), (0.4, 0.02)]) }
        #expect(throws: CapCurve.InvalidPoints.self) { try CapResponse.EnergyBand(validating: [(1.5, 0.04)]) }
        #expect(throws: CapCurve.InvalidPoints.self) { try CapResponse.EnergyBand(validating: [(0.5, -0.1)]) }
        #expect(throws: CapCurve.InvalidPoints.self) { try CapResponse.EnergyBand(validating: []) }
    }

    @Test func theFitRecoversAKnownResponse() throws {
        // Synthetic runs from a known response (peak factor 1.3): the fit finds the factor and
        // the curves.
        let truth = CapResponse(throughput: try CapCurve(validating: [.init(0.4, 0.5), .init(0.7, 0.9), .init(1, 1)]),
                                power: try CapCurve(validating: [.init(0.4, 0.45), .init(0.7, 0.75), .init(1, 1)]), peakFactor: 1.3)
        var runs: [CapCurveFit.RunRatio] = []
        for (k, draw) in [250.0, 230, 200, 170, 150, 120, 100, 80, 60].enumerated() {
            for limit in stride(from: 100.0, through: 250, by: 10) {
                runs.append(.init(gpu: "G", workload: "w\(k)", limitW: limit, maxLimitW: 250, uncappedPowerW: draw,
                                  relativeThroughput: truth.relativeThroughput(capW: limit, drawW: draw, maxW: 250),
                                  relativePower: truth.relativePower(capW: limit, drawW: draw, maxW: 250)))
            }
        }
        let fit = CapCurveFit.fitResponse(runs)
        #expect(fit.response.peakFactor == 1.3)
        #expect(fit.throughputError.rmse < 0.01 && fit.powerError.rmse < 0.01, "\(fit.throughputError.rmse) \(fit.powerError.rmse)")
    }
}

/// Devices defined without a cap curve get the pooled one, with a warning naming them.
@Suite struct PooledCurveWarningTests {
    static let device = """
    {"devices": [{"name": "new-gpu", "kind": "gpu", "idle_w": 50, "max_w": 500, "peak_tflops": 500,
      "peak_basis": "bf16-dense", "memory_gb": 96, "cap_min_w": 200, "cap_max_w": 500}]}
    """

    @Test func aDeviceWithoutACurveGetsThePooledOneAndAWarning() throws {
        let (catalog, errors) = HardwareCatalog.builtIn.adding(json: Self.device, file: "site.json")
        #expect(errors.isEmpty)
        let d = try catalog.device(named: "new-gpu")
        let pooledCurve = try catalog.curve(named: "zeus-pooled").response
        #expect(d.usesPooledCurve && d.capResponse == pooledCurve)
        #expect(catalog.warnings.map(\.description) == [
            "site.json: devices[0] `new-gpu`: field cap_curve: no cap curve given; uses the pooled curve `zeus-pooled`, fitted on other GPUs (docs/hardware.md); measure this device and fit its own with `watt profile fit`",
        ])
        #expect(HardwareCatalog.builtIn.warnings.isEmpty)
    }

    @Test func aDeviceWithItsOwnCurveGetsNoWarning() throws {
        let text = Self.device.replacingOccurrences(of: "\"cap_max_w\": 500}", with: "\"cap_max_w\": 500, \"cap_curve\": [[0.4, 0.7], [1, 1]]}")
        let (catalog, errors) = HardwareCatalog.builtIn.adding(json: text, file: "site.json")
        #expect(errors.isEmpty && catalog.warnings.isEmpty)
        let d = try catalog.device(named: "new-gpu")
        #expect(d.usesPooledCurve == false)
    }

    @Test func curveFieldsAreValidated() {
        func errors(_ curve: String) -> [String] {
            HardwareCatalog.builtIn.adding(json: "{\"curves\": [{\"name\": \"c\", \"points\": [[0.4, 0.7], [1, 1]], \(curve)}]}", file: "x.json").errors.map(\.description)
        }
        #expect(errors("\"peak_factor\": 0.5") == ["x.json: curves[0] `c`: field peak_factor: must be a number in [1, 3] (peak draw / average draw), found `0.5`"])
        #expect(errors("\"power\": [[0.4, 0.5], [0.7, 0.4], [1, 1]]") == ["x.json: curves[0] `c`: field power: not monotone: relative power falls from 0.5 at 0.4 to 0.4 at 0.7"])
        #expect(errors("\"power\": [[0.5, 0.5], [1, 1]]") == ["x.json: curves[0] `c`: field power: must start at the same cap ratio as points (0.4), found 0.5"])
        #expect(errors("\"energy_band\": [[0.5, 2]]") == ["x.json: curves[0] `c`: field energy_band: point 0: half-width must be in [0, 1], found 2"])
        #expect(errors("\"energy_band\": 3") == ["x.json: curves[0] `c`: field energy_band: must be a list of [cap ratio, half-width] pairs, found `3`"])
        #expect(errors("\"power\": [[0.4, 0.5], [1, 1]], \"peak_factor\": 1.2, \"energy_band\": [[0.5, 0.03]]").isEmpty)
    }
}
