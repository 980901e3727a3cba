import Foundation
import WattCluster

/// Node power from a Prometheus server's HTTP API: `GET {url}/api/v1/query?query=QUERY`, an
/// instant vector whose `label` names the Slurm node (`instance="gpu-01:9400"`: the `:port`
/// and any domain are dropped to find the node). The default query is DCGM's GPU power per
/// host, so it covers the GPUs; a whole-node query (a BMC reading) covers the node. Series
/// naming the same node are added up, so a per-GPU query works without `sum by`. Series of
/// hosts that are not Slurm nodes are ignored; nodes without a series get the model estimate.
public final class PrometheusPowerSource: NodePowerSource, @unchecked Sendable {
    public let name = "prometheus"
    public static let defaultQuery = "sum by (instance) (DCGM_FI_DEV_POWER_USAGE)"
    public let url: URL
    public let query: String
    public let label: String
    public let covers: PowerMeasurement.Coverage
    public var timeout: Double = 5

    public init(url text: String, query: String = defaultQuery, label: String = "instance",
                covers: PowerMeasurement.Coverage = .gpus) throws(SlurmError) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil else {
            throw SlurmError("a Prometheus URL is `http://HOST:PORT` (or https, with a path prefix if any), found `\(text)`")
        }
        guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw SlurmError("the power query is empty") }
        guard !label.isEmpty, label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw SlurmError("a Prometheus label name has letters, digits and `_` only, found `\(label)`")
        }
        self.url = url
        self.query = query
        self.label = label
        self.covers = covers
    }

    /// The request: every byte of the query but unreserved ones percent-encoded (a `+` left
    /// as is would reach Prometheus as a space).
    var requestURL: URL {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        let encoded = query.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
        var base = url.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: "\(base)/api/v1/query?query=\(encoded)")!
    }

    /// `gpu-01:9400` → `gpu-01`; `[::1]:9090` → `::1`.
    static func host(_ instance: String) -> String {
        if instance.hasPrefix("["), let close = instance.firstIndex(of: "]") {
            return String(instance[instance.index(after: instance.startIndex)..<close])
        }
        if let colon = instance.lastIndex(of: ":"), instance.filter({ $0 == ":" }).count == 1,
           instance[instance.index(after: colon)...].allSatisfy(\.isNumber) {
            return String(instance[..<colon])
        }
        return instance
    }

    /// Watts per label value from an API answer, or why there are none.
    static func parse(_ body: Data, label: String) -> Result<[String: Double], SlurmError> {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            return .failure(SlurmError("the answer is not JSON: `\(String(decoding: body.prefix(120), as: UTF8.self))`"))
        }
        guard object["status"] as? String == "success" else {
            return .failure(SlurmError("the query failed: \(object["errorType"] as? String ?? "error"): \(object["error"] as? String ?? "no reason given")"))
        }
        guard let data = object["data"] as? [String: Any], let type = data["resultType"] as? String else {
            return .failure(SlurmError("the answer has no `data.resultType`"))
        }
        guard type == "vector", let results = data["result"] as? [[String: Any]] else {
            return .failure(SlurmError("the power query must give an instant vector, not a `\(type)`"))
        }
        var watts: [String: Double] = [:]
        for series in results {
            guard let instance = (series["metric"] as? [String: Any])?[label] as? String else {
                return .failure(SlurmError("a series has no label `\(label)` to name its node (the query must keep it, e.g. `sum by (\(label))`)"))
            }
            let text = (series["value"] as? [Any]).flatMap { $0.count == 2 ? $0[1] as? String : nil }
            guard let text, let number = Double(text), number.isFinite, number >= 0 else {
                return .failure(SlurmError("the series of `\(instance)` has no power value (`\(text.map { String($0.prefix(40)) } ?? "none")`)"))
            }
            watts[instance, default: 0] += number
        }
        return .success(watts)
    }

    public func measure(_ nodes: [World.Node]) -> PowerSurvey { measure(nodes, within: .infinity) }

    public func measure(_ nodes: [World.Node], within seconds: Double) -> PowerSurvey {
        guard seconds > 0 else { return PowerSurvey(problems: [powerBudgetSpent("prometheus at `\(self.url.absoluteString)`")]) }
        let url = requestURL
        let answer: HTTPGet.Response
        switch HTTPGet(timeout: min(timeout, seconds)).get(url) {
        case .failure(let why): return PowerSurvey(problems: ["prometheus at `\(self.url.absoluteString)`: \(why)"])
        case .success(let a): answer = a
        }
        let parsed = Self.parse(answer.body, label: label)
        if answer.status != 200 {
            let why: String
            if case .failure(let reason) = parsed { why = reason.message } else { why = "no reason given" }
            return PowerSurvey(problems: ["prometheus at `\(self.url.absoluteString)` answered \(answer.status): \(why)"])
        }
        let byInstance: [String: Double]
        switch parsed {
        case .failure(let why): return PowerSurvey(problems: ["prometheus at `\(self.url.absoluteString)`: \(why)"])
        case .success(let w): byInstance = w
        }
        let ids = Set(nodes.map(\.id))
        var survey = PowerSurvey()
        for (instance, watts) in byInstance {
            let host = Self.host(instance)
            let short = String(host.split(separator: ".").first ?? "")
            guard let node = ids.contains(host) ? host : ids.contains(short) ? short : nil else { continue }
            survey.measured[node, default: PowerMeasurement(watts: 0, covers: covers)].watts += watts
        }
        return survey
    }
}
