import Foundation
import Testing
@testable import WattEnergy

/// Leave-one-GPU-out validation of the cap model on the shipped Zeus data (the table in
/// docs/hardware.md, printed by `watt profile validate`).
@Suite struct CapModelValidationTests {
    let report = try! CapModelValidation.zeus()

    func level(_ fold: CapModelValidation.Fold, _ x: Double) throws -> CapModelValidation.Level {
        try #require(fold.levels.first { abs($0.level - x) < 1e-9 })
    }

    /// The acceptance of issue 16: the held-out GPU's median energy per unit of work within 3
    /// points at 2/3 of TDP and 5 points at 1/2.
    @Test func energyPerWorkOfEveryHeldOutGPUIsWithinTheTolerance() throws {
        #expect(report.folds.map(\.heldOut) == ["V100", "RTX 6000", "P100"])
        for fold in report.folds {
            let twoThirds = try #require(try level(fold, 2.0 / 3).energyErrorPoints)
            let half = try #require(try level(fold, 0.5).energyErrorPoints)
            #expect(abs(twoThirds) <= 3, "\(fold.heldOut) at 2/3: \(twoThirds)")
            #expect(abs(half) <= 5, "\(fold.heldOut) at 1/2: \(half)")
            // The other levels measured, and throughput, stay within 5 points too.
            for l in fold.levels {
                if let e = l.energyErrorPoints { #expect(abs(e) <= 5, "\(fold.heldOut) at \(l.level): \(e)") }
                if let e = l.throughputErrorPoints { #expect(abs(e) <= 5, "\(fold.heldOut) throughput at \(l.level): \(e)") }
            }
        }
        #expect(report.withinTolerance)
    }

    /// The same check fails on the previous model (cap-fraction curve read at cap / draw,
    /// power min(draw, cap)), on the draw-blind use of the model, and for the previous model at
    /// full load (the issue's -30 %): the tolerance has teeth.
    @Test func thePreviousModelFailsTheTolerance() throws {
        var outside = 0
        for fold in report.folds {
            let previous = try #require(try level(fold, 2.0 / 3).previousModelErrorPoints)
            if abs(previous) > 3 { outside += 1 }
            let l = try level(fold, 2.0 / 3)
            let measured = try #require(l.measuredEnergy?.median)
            #expect(abs(l.previousModelFullLoadEnergy - measured) * 100 > 3, "\(fold.heldOut)")
        }
        #expect(outside == 3)
        let p100 = try level(report.folds[2], 0.5)
        #expect(abs(try #require(p100.previousModelErrorPoints)) > 5)
        #expect(abs(try #require(p100.drawBlindErrorPoints)) > 5)
    }

    /// The held-out GPU's capped runs never touch the prediction: change them and only the
    /// measured side moves.
    @Test func theHeldOutCappedRunsDoNotTouchThePrediction() throws {
        var measurements = try CapCurveFit.zeusMeasurements()
        let before = try #require(CapModelValidation.leaveOneOut(measurements))
        let maxLimit = measurements[2].maxLimitW
        for i in measurements[2].runs.indices where measurements[2].runs[i].limitW < maxLimit {
            measurements[2].runs[i].timePerEpochS *= 1.5
            measurements[2].runs[i].averagePowerW *= 0.9
        }
        let after = try #require(CapModelValidation.leaveOneOut(measurements))
        for (a, b) in zip(before.folds[2].levels, after.folds[2].levels) {
            #expect(a.predictedEnergy == b.predictedEnergy && a.predictedThroughput == b.predictedThroughput)
            if let ma = a.measuredEnergy?.median, let mb = b.measuredEnergy?.median, a.level < 1 { #expect(ma != mb) }
        }
        #expect(before.folds[2].fit.response == after.folds[2].fit.response)
        #expect(before.folds[2].fit.runs == measurements[0].ratios.count + measurements[1].ratios.count)
    }

    /// The numbers in docs/hardware.md (errors ±0.3 points, peak factors exact).
    @Test func theDocumentedTable() throws {
        let documented: [(String, Double, [Double?])] = [
            ("V100", 1.25, [nil, 0.3, 1.6, 2.8, 1.4]),
            ("RTX 6000", 1.3, [nil, -0.1, 2.0, 2.2, 1.1]),
            ("P100", 1.3, [nil, 1.3, 1.9, 0.3, -0.3]),
        ]
        for (fold, (name, factor, errors)) in zip(report.folds, documented) {
            #expect(fold.heldOut == name && fold.fit.response.peakFactor == factor)
            for (l, e) in zip(fold.levels, errors) {
                if let e { #expect(abs((l.energyErrorPoints ?? .nan) - e) < 0.3, "\(name) at \(l.level): \(l.energyErrorPoints ?? .nan)") } else {
                    #expect(l.energyErrorPoints == nil)
                }
            }
        }
        #expect(report.pooled.response.peakFactor == 1.25)
        #expect(abs(report.pooled.powerError.rmse - 0.0304) < 0.001 && abs(report.pooled.throughputError.rmse - 0.0518) < 0.001)
        let text = CapModelValidation.text(report)
        #expect(text.contains("every held-out GPU is within the tolerance"))
        #expect(text.contains("held out RTX 6000 (52 workloads)"))
    }

    /// docs/hardware.md shows the command's real output.
    @Test func theDocumentationShowsTheCommandsOutput() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let doc = try String(contentsOf: root.appendingPathComponent("docs/hardware.md"), encoding: .utf8)
        #expect(doc.contains("```text\n" + CapModelValidation.text(report) + "```"))
    }

    @Test func measuredValuesInterpolateBetweenLimits() throws {
        let u = CapCurveFit.Measurements.Run(workload: "w", limitW: 250, timePerEpochS: 10, averagePowerW: 200)
        let runs = [CapCurveFit.Measurements.Run(workload: "w", limitW: 150, timePerEpochS: 20, averagePowerW: 100), u]
        let at200 = try #require(CapModelValidation.measuredAt(200, runs, uncapped: u))
        #expect(abs(at200.energy - (0.5 * (2000.0 / 2000) + 0.5 * 1)) < 1e-12)
        #expect(abs(at200.throughput - 0.75) < 1e-12)
        #expect(CapModelValidation.measuredAt(100, runs, uncapped: u) == nil)
        #expect(CapModelValidation.measuredAt(150, runs, uncapped: u)?.throughput == 0.5)
    }
}

/// Zeus-style CSVs: every problem names its line; numbers are bounded.
@Suite struct PowerCapCSVTests {
    static let header = "dataset,network,batch_size,optimizer,power_limit,time_per_epoch,average_power"

    func error(_ body: String, maxLimitW: Double? = 250) -> String? {
        do {
            _ = try CapCurveFit.Measurements(csv: Self.header + "\n" + body, file: "x.csv", gpu: "G", maxLimitW: maxLimitW)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func badRowsAreReportedWithTheirLine() {
        #expect(error("d,n,1,o,250,10,200\nd,n,1,o,abc,10,200\n") == "x.csv:3: power_limit must be a number of watts in (0, 250], found `abc`")
        #expect(error("d,n,1,o,300,10,200\n") == "x.csv:2: power_limit must be a number of watts in (0, 250], found `300`")
        #expect(error("d,n,1,o,250,-1,200\n") == "x.csv:2: time_per_epoch must be a number of seconds in (0, 10000000], found `-1`")
        #expect(error("d,n,1,o,250,nan,200\n") == "x.csv:2: time_per_epoch must be a number of seconds in (0, 10000000], found `nan`")
        #expect(error("d,n,1,o,250,10,1e999\n") == "x.csv:2: average_power must be a number of watts in (0, 10000], found `1e999`")
        #expect(error("d,n,1,o,100,10,200\n") == "x.csv:2: average_power 200 W is more than 1.5 × the power_limit 100 W; not a run under that limit")
        #expect(error("d,n,1,o,250,10\n") == "x.csv:2: expected 7 fields, found 6")
        #expect(error("d,n,1,o,250,10,200\nd,n,1,o,250,11,201\n") == "x.csv:3: workload `d/n/1/o` at 250 W was already measured at line 2")
        #expect(error("\"d,x\",n,1,250,10,200\n") == "x.csv:2: quoted fields are not supported")
        #expect(error(",n,1,o,250,10,200\n") == "x.csv:2: field dataset is empty")
        #expect(error("d,n,1,o,250,10,200\n\nd,n,1,o,200,10,190\n") == "x.csv:3: empty line")
        #expect(error("") == "x.csv:2: no runs after the header")
        #expect(error("d,n,1,o,250,10,200\n", maxLimitW: 0) == "x.csv: the max power limit must be in (0, 10000] W, found 0")
        #expect((try? CapCurveFit.Measurements(csv: "a,b\n", file: "x.csv", gpu: "G", maxLimitW: nil)) == nil)
    }

    @Test func theMaxLimitDefaultsToTheHighestLimit() throws {
        let m = try CapCurveFit.Measurements(csv: Self.header + "\r\nd,n,1,o,200,12,150\r\nd,n,1,o,300,10,250\r\n", file: "x.csv", gpu: "G", maxLimitW: nil)
        #expect(m.maxLimitW == 300 && m.runs.count == 2)
        #expect(m.ratios.map(\.relativeThroughput) == [10.0 / 12, 1])
    }
}
