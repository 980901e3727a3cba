import Foundation
import Testing
import WattCluster
@testable import WattSlurm

/// The Prometheus source against a real HTTP server on the loopback interface, answering as
/// Prometheus's `/api/v1/query` does.
@Suite struct PrometheusPowerSourceTests {
    static func vector(_ series: [(instance: String, value: String)]) -> String {
        let items = series.map { #"{"metric":{"instance":"\#($0.instance)","job":"dcgm"},"value":[1796003950.123,"\#($0.value)"]}"# }
        return #"{"status":"success","data":{"resultType":"vector","result":[\#(items.joined(separator: ","))]}}"#
    }

    static let nodes = ["vm", "gpu-02", "gpu-03"].map {
        World.Node(id: $0, pool: "gpu", profile: "dgx-h100-like", state: .on, power: nil, powerCap: nil, utilization: 1, temperature: 0,
                   jobs: [], gpus: 8, gpusFree: 0, cpus: 2, cpusFree: 0)
    }

    /// Issue 18: with the tick's budget spent, Prometheus is not asked (its nodes come from
    /// the model) and the problem says why.
    @Test func aSpentBudgetSkipsTheQuery() throws {
        let source = try PrometheusPowerSource(url: "http://127.0.0.1:9")
        let survey = source.measure([], within: 0)
        #expect(survey.problems == ["prometheus at `http://127.0.0.1:9` skipped: the tick's budget for external commands was spent"])
    }

    @Test func aQueryGivesPowerPerNode() throws {
        let server = try LoopbackHTTPServer { _ in
            (200, Self.vector([("vm:9400", "1234.5"), ("gpu-02.cluster.example:9400", "2000"), ("gpu-02.cluster.example:9401", "500"),
                               ("login01:9400", "80")]))
        }
        defer { server.stop() }
        let source = try PrometheusPowerSource(url: server.url)
        let survey = source.measure(Self.nodes)
        #expect(survey.problems.isEmpty)
        #expect(survey.measured == ["vm": PowerMeasurement(watts: 1234.5, covers: .gpus),
                                    "gpu-02": PowerMeasurement(watts: 2500, covers: .gpus)], "two exporters on one host add up")
        // The query is percent-encoded, `+` included (Prometheus reads a bare `+` as a space).
        #expect(server.requests == ["GET /api/v1/query?query=sum%20by%20%28instance%29%20%28DCGM_FI_DEV_POWER_USAGE%29 HTTP/1.1"])
        let plus = try PrometheusPowerSource(url: server.url + "/prom/", query: "a + b{x=\"1\"}", label: "host", covers: .node)
        #expect(plus.requestURL.absoluteString == server.url + "/prom/api/v1/query?query=a%20%2B%20b%7Bx%3D%221%22%7D")
    }

    @Test func errorsAreTold() throws {
        let server = try LoopbackHTTPServer { line in
            if line.contains("bad") { return (400, #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:4: parse error"}"#) }
            if line.contains("matrix") { return (200, #"{"status":"success","data":{"resultType":"matrix","result":[]}}"#) }
            if line.contains("nolabel") { return (200, #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"5"]}]}}"#) }
            if line.contains("nan") { return (200, Self.vector([("vm:9400", "NaN")])) }
            if line.contains("html") { return (502, "<html>bad gateway</html>") }
            return nil  // never answers
        }
        defer { server.stop() }
        func problems(_ query: String, timeout: Double = 30) throws -> [String] {
            let source = try PrometheusPowerSource(url: server.url, query: query)
            source.timeout = timeout
            let survey = source.measure(Self.nodes)
            #expect(survey.measured.isEmpty)
            return survey.problems
        }
        let at = "prometheus at `\(server.url)`"
        #expect(try problems("bad") == ["\(at) answered 400: the query failed: bad_data: invalid parameter \"query\": 1:4: parse error"])
        #expect(try problems("matrix") == ["\(at): the power query must give an instant vector, not a `matrix`"])
        #expect(try problems("nolabel") == ["\(at): a series has no label `instance` to name its node (the query must keep it, e.g. `sum by (instance)`)"])
        #expect(try problems("nan") == ["\(at): the series of `vm:9400` has no power value (`NaN`)"])
        #expect(try problems("html") == ["\(at) answered 502: the answer is not JSON: `<html>bad gateway</html>`"])
        let started = Date()
        #expect(try problems("hang", timeout: 0.5) == ["\(at): no answer within 0.5 s"])
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func aServerThatIsNotThereIsAProblem() throws {
        let server = try LoopbackHTTPServer { _ in nil }
        let url = server.url
        server.stop()  // nothing listens on the port now
        let survey = try PrometheusPowerSource(url: url).measure(Self.nodes)
        #expect(survey.measured.isEmpty)
        #expect(survey.problems.count == 1 && survey.problems[0].hasPrefix("prometheus at `\(url)`: "))
    }

    @Test(arguments: ["gpu-01:9400", "gpu-01", "[::1]:9090", "10.0.0.5:9100"])
    func instancesLoseTheirPort(_ instance: String) {
        let host = PrometheusPowerSource.host(instance)
        #expect(!host.contains(":") || host == "::1")
        #expect(["gpu-01", "::1", "10.0.0.5"].contains(host))
    }

    @Test func settingsAreChecked() {
        #expect(throws: SlurmError("a Prometheus URL is `http://HOST:PORT` (or https, with a path prefix if any), found `localhost:9090`")) {
            try PrometheusPowerSource(url: "localhost:9090")
        }
        #expect(throws: SlurmError.self) { try PrometheusPowerSource(url: "ftp://prom:9090") }
        #expect(throws: SlurmError.self) { try PrometheusPowerSource(url: "http://prom:9090/api/v1/query?query=up") }
        #expect(throws: SlurmError("the power query is empty")) { try PrometheusPowerSource(url: "http://prom:9090", query: " ") }
        #expect(throws: SlurmError("a Prometheus label name has letters, digits and `_` only, found `inst-ance`")) {
            try PrometheusPowerSource(url: "http://prom:9090", label: "inst-ance")
        }
    }
}
