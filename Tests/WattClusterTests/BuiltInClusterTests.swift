import Foundation
import Testing
@testable import WattCluster

/// The built-in demo cluster (`--cluster demo`, and `watt check`/`watt eval` without
/// `--cluster`): copies of examples/ files shipped as resources, so it works from any folder.
@Suite struct BuiltInClusterTests {
    /// Each resource is byte for byte the example it copies (edit the example, then copy it).
    @Test(arguments: ["clusters/demo.yaml", "traces/week.csv", "data/grid/ger_ci_2020.csv"])
    func theCopiesAreTheExamples(_ relative: String) throws {
        let demo = try #require(ClusterDefinition.builtInDemoPath)
        let resources = URL(fileURLWithPath: demo).deletingLastPathComponent().deletingLastPathComponent()
        let copy = try Data(contentsOf: resources.appendingPathComponent(relative))
        let example = try Data(contentsOf: Fixture.repo.appendingPathComponent("examples").appendingPathComponent(relative))
        #expect(copy == example, "Sources/WattCluster/Resources/demo/\(relative) differs from examples/\(relative): copy it again")
    }

    @Test func demoNamesTheBuiltInCluster() throws {
        let builtIn = try ClusterDefinition.load(path: "demo")
        let example = try ClusterDefinition.load(path: Fixture.path("examples/clusters/demo.yaml"))
        #expect(builtIn.name == "demo")
        #expect(builtIn.pools.map(\.name) == example.pools.map(\.name))
        #expect(builtIn.grid.currency == "EUR")
        #expect(try builtIn.loadTrace().count == (try example.loadTrace().count))
        #expect(builtIn.grid(at: builtIn.start) == example.grid(at: example.start))
        // Any other path is a file path, as before.
        #expect(ClusterDefinition.resolve("examples/clusters/demo.yaml") == "examples/clusters/demo.yaml")
        #expect(throws: ClusterLoadError.self) { try ClusterDefinition.load(path: "no-such-cluster") }
    }
}
