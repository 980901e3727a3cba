import Testing
@testable import WattCluster

@Suite struct ClusterModuleTests {
    @Test func moduleLinks() { _ = WattCluster.self }
}
