import Testing
@testable import WattEnergy

@Suite struct EnergyIntegratorTests {
    @Test func constantPowerClosedForm() {
        // 1 kW for 2 h is 2 kWh.
        let samples = stride(from: 0.0, through: 7200, by: 300).map { PowerSample(time: $0, watts: 1000) }
        let e = EnergyIntegrator.integrate(samples)
        #expect(abs(e.joules - SI.kWh(2)) < 1e-6)
        #expect(e.coveredSeconds == 7200)
        #expect(e.averageWatts == 1000)
    }

    @Test func rampIsExactForLinearPower() {
        // 0 → 10 kW over 1 h, sampled irregularly: exactly 5 kWh.
        let times: [Double] = [0, 100, 1000, 1001, 2500, 3600]
        let samples = times.map { PowerSample(time: $0, watts: 10_000 * $0 / 3600) }
        #expect(abs(EnergyIntegrator.integrate(samples).joules - SI.kWh(5)) < 1e-6)
    }

    @Test func gapsAreReportedAndHandledByPolicy() {
        let samples = [PowerSample(time: 0, watts: 100), PowerSample(time: 60, watts: 100),
                       PowerSample(time: 3660, watts: 300), PowerSample(time: 3720, watts: 300)]
        let skip = EnergyIntegrator.integrate(samples, maxGap: 600)
        #expect(skip.gaps == [Gap(start: 60, end: 3660)])
        #expect(skip.joules == 24_000)
        #expect(skip.coveredSeconds == 120)
        let hold = EnergyIntegrator.integrate(samples, maxGap: 600, policy: .holdLast)
        let holdExpected: Double = 6_000 + 360_000 + 18_000
        #expect(hold.joules == holdExpected)
        let linear = EnergyIntegrator.integrate(samples, maxGap: 600, policy: .interpolate)
        let linearExpected: Double = 6_000 + 720_000 + 18_000
        #expect(linear.joules == linearExpected)
    }

    @Test func invalidSamplesAreRejectedNotIntegrated() {
        let samples = [PowerSample(time: 0, watts: 100), PowerSample(time: 10, watts: .nan), PowerSample(time: 20, watts: -5),
                       PowerSample(time: 20, watts: 100), PowerSample(time: 15, watts: 100), PowerSample(time: 30, watts: 100)]
        let e = EnergyIntegrator.integrate(samples)
        #expect(e.rejectedSamples == [1, 2, 4])
        #expect(e.joules == 100 * 30)
    }
}

@Suite struct AccountingTests {
    @Test func carbonOfAKnownSeries() throws {
        // 1 kW constant for 3 h under 100, 200, 300 g/kWh hourly: 0.6 kg.
        let samples = [PowerSample(time: 0, watts: 1000), PowerSample(time: 10800, watts: 1000)]
        let intensity = try StepSeries(times: [0, 3600, 7200], values: [100, 200, 300].map(SI.gramsPerKWh))
        let price = try StepSeries(times: [0, 5400], values: [0.10, 0.30].map(SI.perKWh))
        let report = Accounting.account(samples, intensity: intensity, price: price)
        #expect(abs(report.grams - 600) < 1e-9)
        #expect(abs(report.cost - (1.5 * 0.10 + 1.5 * 0.30)) < 1e-12)
        #expect(abs(SI.toGramsPerKWh(report.averageIntensity!) - 200) < 1e-9)
        #expect(report.joulesWithoutIntensity == 0)
        #expect(report.method.contains("average"))
    }

    @Test func rampAcrossAStepBoundaryIsExact() throws {
        // Power rises 0 → 2 kW over 2 h; intensity 100 then 300 g/kWh at 1 h.
        // First hour 0.5 kWh at 100, second 1.5 kWh at 300: 50 + 450 g.
        let samples = [PowerSample(time: 0, watts: 0), PowerSample(time: 7200, watts: 2000)]
        let intensity = try StepSeries(times: [0, 3600], values: [100, 300].map(SI.gramsPerKWh))
        let report = Accounting.account(samples, intensity: intensity)
        #expect(abs(report.grams - 500) < 1e-9)
        #expect(report.joulesWithoutPrice == report.joules)
    }

    @Test func energyOutsideTheIntensitySeriesIsNotCountedAsClean() throws {
        let samples = [PowerSample(time: 0, watts: 1000), PowerSample(time: 7200, watts: 1000)]
        let intensity = try StepSeries(times: [0], values: [SI.gramsPerKWh(100)], lastDuration: 3600)
        let report = Accounting.account(samples, intensity: intensity)
        #expect(abs(report.grams - 100) < 1e-9)
        #expect(abs(report.joulesWithoutIntensity - SI.kWh(1)) < 1e-6)
    }

    @Test func seriesValidation() {
        #expect(throws: StepSeries.SeriesError.notIncreasing(index: 1)) { try StepSeries(times: [0, 0], values: [1, 1]) }
        #expect(throws: StepSeries.SeriesError.invalidValue(index: 0, value: -1)) { try StepSeries(times: [0], values: [-1]) }
        #expect(throws: StepSeries.SeriesError.empty) { try StepSeries(times: [], values: []) }
    }
}

@Suite struct FacilityPowerTests {
    @Test func pueModels() throws {
        #expect(PUEModel.constant(1.3).facilityPower(itWatts: 1000) == 1300)
        let linear = PUEModel.temperatureLinear(base: 1.2, threshold: 20, perDegree: 0.01, max: 1.5)
        #expect(linear.pue(outdoorTemperature: 10) == 1.2)
        #expect(abs(linear.pue(outdoorTemperature: 30) - 1.3) < 1e-12)
        #expect(linear.pue(outdoorTemperature: 80) == 1.5)
        #expect(linear.pue(outdoorTemperature: nil) == 1.2)
        let curve = PUEModel.curve([(0, 1.1), (20, 1.2), (40, 1.6)])
        #expect(abs(curve.pue(outdoorTemperature: 30) - 1.4) < 1e-12)
        #expect(curve.pue(outdoorTemperature: -10) == 1.1)
        #expect(throws: PUEModel.ValidationError.pueBelowOne(0.9)) { try PUEModel.constant(0.9).validate() }
        #expect(throws: PUEModel.ValidationError.unorderedCurve) { try PUEModel.curve([(10, 1.1), (5, 1.2)]).validate() }
    }
}

@Suite struct DevicePowerModelTests {
    // A device with a linear cap curve (throughput proportional to cap / peak draw below 1),
    // peak factor 1 and no power curve: the cap is a hard limit on the average draw.
    let gpu = DevicePowerModel(idleWatts: 100, maxWatts: 700, capRange: 200...700,
                               response: CapResponse(throughput: try! CapCurve(validating: [.init(0.01, 0.01), .init(1, 1)])))

    @Test func powerIsIdlePlusDynamicAndCapped() {
        #expect(gpu.power(utilization: 0) == 100)
        #expect(gpu.power(utilization: 0.5) == 400)
        #expect(gpu.power(utilization: 1) == 700)
        #expect(gpu.power(utilization: 1, capWatts: 500) == 500)
        #expect(gpu.power(utilization: 0.5, capWatts: 500) == 400)
        // Caps outside the allowed range are clamped; bad utilizations too.
        #expect(gpu.power(utilization: 1, capWatts: 50) == 200)
        #expect(gpu.power(utilization: Double.nan) == 100)
        #expect(gpu.power(utilization: 3) == 700)
    }

    @Test func throughputUnderCap() {
        #expect(gpu.throughput(utilization: 1) == 1)
        #expect(abs(gpu.throughput(utilization: 1, capWatts: 350) - 0.5) < 1e-12)
        // The cap does not bind at half load.
        #expect(gpu.throughput(utilization: 0.5, capWatts: 500) == 0.5)
        #expect(gpu.throughput(utilization: 0) == 0)
    }
}

@Suite struct NodePowerModelTests {
    @Test func catalogNodeBoundsAndCaps() throws {
        let catalog = HardwareCatalog.builtIn
        guard let node = catalog.nodes.first(where: { $0.count(of: DeviceKind.gpu) > 0 }) else {
            Issue.record("the catalog has a GPU node")
            return
        }
        let model = NodePowerModel(profile: node)
        #expect(abs(model.power(gpuUtilization: 0, cpuUtilization: 0) - node.idleW) < 1e-6)
        #expect(abs(model.power(gpuUtilization: 1, cpuUtilization: 1) - node.maxW) < 1e-6)
        let gpu: NodeProfile.Component = node.devices.first { $0.device.kind == DeviceKind.gpu }!
        let cap: Double = gpu.device.capRangeW.lowerBound
        let capped: Double = model.power(gpuUtilization: 1, cpuUtilization: 1, gpuCapWatts: cap)
        let saved: Double = Double(gpu.count) * (gpu.device.maxW - cap)
        #expect(abs(capped - (node.maxW - saved)) < 1e-6)
        let full = model.throughput(gpuUtilization: 1)
        #expect(abs(full - node.peakFLOPS) / node.peakFLOPS < 1e-9)
        let slowed = model.throughput(gpuUtilization: 1, gpuCapWatts: cap)
        #expect(slowed < full && slowed > 0)
        // Capping trades speed for energy per unit of work.
        let device = DevicePowerModel(profile: gpu.device)
        #expect(device.relativeEnergyPerWork(utilization: 1, capWatts: gpu.device.maxW * 0.6) < 1)
    }
}
