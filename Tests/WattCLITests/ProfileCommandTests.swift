import Foundation
import Testing
@testable import WattCLI
import WattEnergy

/// `watt profile fit|show|validate`, in process.
@Suite struct ProfileCommandTests {
    static let zeus = ["v100", "rtx6000", "p100"].map { Paths.root.appendingPathComponent("examples/data/zeus/summary_power_\($0).csv").path }

    @Test func fitPrintsAProfileFileTheCatalogLoads() throws {
        let out = ProfileCommand.fit(files: [Self.zeus[0]], name: "zeus-v100", format: .json)
        #expect(out.exitCode == 0 && out.stderr.isEmpty)
        let (catalog, errors) = HardwareCatalog.builtIn.adding(json: out.stdout, file: "fit.json")
        #expect(errors.isEmpty, "\(errors)")
        let r = try catalog.curve(named: "zeus-v100").response
        #expect(r.peakFactor == 1.3 && r.power != nil && r.energyBand == nil)
        // The example profile file holds this fit.
        let site = HardwareCatalog.load(files: [Paths.root.appendingPathComponent("examples/profiles/site.json").path]).catalog
        let stored = try site.curve(named: "zeus-v100").response
        #expect(stored == r)
    }

    @Test func fitOnSeveralGPUsHasTheLeaveOneOutBand() throws {
        let out = ProfileCommand.fit(files: Self.zeus, format: .json)
        let (catalog, errors) = HardwareCatalog.builtIn.adding(json: out.stdout, file: "fit.json")
        #expect(errors.isEmpty)
        let r = try catalog.curve(named: "fit-summary_power_v100-summary_power_rtx6000-summary_power_p100").response
        let band = try CapModelValidation.zeus().band
        #expect(r.energyBand == band)
        let text = ProfileCommand.fit(files: Self.zeus)
        #expect(text.stdout.contains("cap response fitted on 165 workloads, 1156 runs"))
    }

    @Test func showSaysWhetherTheCurveIsPooled() {
        let pooled = ProfileCommand.show(name: "h100-sxm5-80gb")
        #expect(pooled.exitCode == 0 && pooled.stdout.contains("cap curve: `zeus-pooled`, pooled"))
        let own = ProfileCommand.show(name: "v100-pcie-32gb", profiles: [Paths.root.appendingPathComponent("examples/profiles/site.json").path])
        #expect(own.stdout.contains("cap curve: `zeus-v100`, its own"))
        let unknown = ProfileCommand.show(name: "h100-sxm")
        #expect(unknown.exitCode == 64 && unknown.stderr == "error[C0101]: unknown device or curve `h100-sxm`\nhelp: did you mean `h100-sxm5-80gb`?\n")
    }

    @Test func showWarnsOfADeviceWithoutACurve() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-profile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("p.json").path
        try """
        {"devices": [{"name": "new-gpu", "kind": "gpu", "idle_w": 50, "max_w": 500, "peak_tflops": 500,
          "peak_basis": "bf16-dense", "memory_gb": 96, "cap_min_w": 200, "cap_max_w": 500}]}
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let out = ProfileCommand.show(name: "new-gpu", profiles: [file])
        #expect(out.exitCode == 0 && out.stdout.contains("pooled"))
        #expect(out.stderr.hasPrefix("warning: \(file): devices[0] `new-gpu`: field cap_curve: no cap curve given; uses the pooled curve `zeus-pooled`"))
    }

    @Test func validateIsTheDocumentedTable() throws {
        let out = ProfileCommand.validate()
        let expected = CapModelValidation.text(try CapModelValidation.zeus())
        #expect(out.exitCode == 0 && out.stdout == expected)
        // The same files given explicitly (GPUs named by their files) give the same errors.
        let explicit = ProfileCommand.validate(files: Self.zeus)
        #expect(explicit.exitCode == 0 && explicit.stdout.contains("every held-out GPU is within the tolerance"))
    }

    @Test func badInputsAreRefusedWithTheLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-profile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.csv").path
        try "dataset,network,batch_size,optimizer,power_limit,time_per_epoch,average_power\nd,n,1,o,250,10,200\nd,n,1,o,abc,10,200\n"
            .write(toFile: bad, atomically: true, encoding: .utf8)
        #expect(ProfileCommand.fit(files: [bad]).stderr == "error[C0202]: \(bad):3: power_limit must be a number of watts in (0, 10000], found `abc`\n")
        #expect(ProfileCommand.fit(files: [dir.appendingPathComponent("none.csv").path]).exitCode == 2)
        #expect(ProfileCommand.fit(files: [Self.zeus[2]], maxLimitW: 0).stderr == "error[C0101]: --max-limit must be in (0, 10000] W\n")
        #expect(ProfileCommand.fit(files: [Self.zeus[2]], maxLimitW: .nan).exitCode == 64)
        #expect(ProfileCommand.fit(files: [Self.zeus[2]], maxLimitW: 300).stderr.contains("no workload has a run at the max limit (300 W)"))
        #expect(ProfileCommand.fit(files: [Self.zeus[2]], name: "bad name").exitCode == 64)
        #expect(ProfileCommand.fit(files: []).exitCode == 64)
        #expect(ProfileCommand.validate(files: [Self.zeus[0]]).exitCode == 64)
    }
}
