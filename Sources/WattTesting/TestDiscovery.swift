import Foundation
import WattControl
import WattLanguage
import WattSupport

/// A test file and the policies it tests: the other `.watt` files of its directory and the
/// directories below it (so `policies/peak/peak_test.watt` tests the peak pack, and a test
/// file in `policies/` tests all packs together, arbitration included).
public struct TestSuiteFile: Sendable {
    public var test: SourceFile
    public var policies: [SourceFile]
    public var directory: String
}

public enum TestDiscovery {
    public static func isTestFile(_ path: String) -> Bool { path.hasSuffix("_test.watt") }

    /// The `*_test.watt` files under `paths` (files as given, directories searched), each
    /// with its policies, in path order.
    public static func discover(_ paths: [String]) throws(WattError) -> [TestSuiteFile] {
        var suites: [TestSuiteFile] = []
        for path in try PolicySet.expand(paths) where isTestFile(path) {
            let directory = (path as NSString).deletingLastPathComponent
            let policies = try PolicySet.expand([directory.isEmpty ? "." : directory]).filter { !isTestFile($0) }
            suites.append(TestSuiteFile(test: try PolicySet.load(path), policies: try policies.map(PolicySet.load),
                                        directory: directory.isEmpty ? "." : directory))
        }
        return suites
    }
}
