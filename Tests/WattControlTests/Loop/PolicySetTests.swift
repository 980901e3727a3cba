import Foundation
import Testing
import WattSupport
import WattBindings
import WattCluster
@testable import WattControl
import WattLanguage

/// Hot reload: what changes run, what is kept, what is reported.
@Suite final class PolicySetTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-policyset-\(UUID().uuidString)")
    let vocabulary: Vocabulary

    init() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let simulator = try Simulator(clusterFile: ResumeTests.repo.appendingPathComponent("examples/clusters/small.yaml").path)
        vocabulary = EnergyBinding(world: simulator.snapshot(), catalog: simulator.cluster.catalog, tick: simulator.tick).vocabulary
    }

    /// Each test's scratch folder goes with it (a suite instance per test).
    deinit { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: dir.appendingPathComponent(name), atomically: false, encoding: .utf8)
    }

    func rules(_ program: Program?) -> [String] { program?.checked.rules.map(\.name).sorted() ?? [] }

    @Test func unchangedFilesAreNotReloaded() throws {
        try write("a.watt", "rule a { when false then wake nodes }\n")
        let set = try PolicySet(paths: [dir.path])
        #expect(set.reload(vocabulary: vocabulary) == nil)
        #expect(set.reload(vocabulary: vocabulary, force: true) == nil, "a forced reload of identical files changes nothing")
    }

    @Test func aChangedFileRunsAndABrokenOneKeepsItsPreviousVersion() throws {
        try write("a.watt", "rule a { when false then wake nodes }\n")
        try write("b.watt", "rule b { when false then wake nodes }\n")
        let set = try PolicySet(paths: [dir.path])
        let a = dir.appendingPathComponent("a.watt").path, b = dir.appendingPathComponent("b.watt").path

        try write("a.watt", "rule a2 { when false then wake nodes }\n")
        let first = try #require(set.reload(vocabulary: vocabulary, force: true))
        #expect(first.event.outcome == .reloaded)
        #expect(first.event.changed == [a])
        #expect(rules(first.program) == ["a2", "b"])

        // a breaks while b changes: b's change runs, a keeps `a2`.
        try write("a.watt", "rule a3 { when 1 kW > 2 h then wake nodes }\n")
        try write("b.watt", "rule b2 { when false then wake nodes }\n")
        let second = try #require(set.reload(vocabulary: vocabulary, force: true))
        #expect(second.event.outcome == .partial)
        #expect(second.event.kept == [a])
        #expect(second.event.diagnostics.first?.code.rawValue == "E0401")
        #expect(second.event.diagnostics.first?.underlined == "1 kW > 2 h")
        #expect(rules(second.program) == ["a2", "b2"])
        #expect(second.event.summary.contains("\(a) has errors, its previous version keeps running"))
        #expect(set.running[b]?.text(SourceRange(0, 8)) == "rule b2 ")
    }

    @Test func whenNothingCompilesThePreviousProgramKeepsRunning() throws {
        try write("a.watt", "rule a { when false then wake nodes }\n")
        let set = try PolicySet(paths: [dir.path])
        try write("a.watt", "rule a { when false then wake nodez }\n")
        let result = try #require(set.reload(vocabulary: vocabulary, force: true))
        #expect(result.program == nil)
        #expect(result.event.outcome == .rejected)
        #expect(result.event.summary == "reload rejected: \(dir.appendingPathComponent("a.watt").path) has errors, the previous version keeps running")
        #expect(set.files.count == 1)
        // Reported once: the same broken file is not reported again on the next check.
        #expect(set.reload(vocabulary: vocabulary) == nil)
    }

    @Test func newAndRemovedFiles() throws {
        try write("a.watt", "rule a { when false then wake nodes }\n")
        let set = try PolicySet(paths: [dir.path])
        try write("b.watt", "rule b { when false then wake nodes }\n")
        let added = try #require(set.reload(vocabulary: vocabulary, force: true))
        #expect(rules(added.program) == ["a", "b"])
        // A new file with errors is left out: nothing new to run, the running program stays.
        try write("c.watt", "rule c { when nope then wake nodes }\n")
        let broken = try #require(set.reload(vocabulary: vocabulary, force: true))
        #expect(broken.event.outcome == .rejected)
        #expect(broken.program == nil)
        #expect(set.files.map(\.name).map { ($0 as NSString).lastPathComponent } == ["a.watt", "b.watt"])
        try FileManager.default.removeItem(at: dir.appendingPathComponent("c.watt"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent("b.watt"))
        let removed = try #require(set.reload(vocabulary: vocabulary, force: true))
        #expect(rules(removed.program) == ["a"])
    }

    @Test func aMissingPathIsAnErrorAtStart() {
        #expect(throws: WattError.self) { try PolicySet(paths: [dir.appendingPathComponent("nope.watt").path]) }
    }
}

