import Foundation
import WattSupport

/// Where the metrics endpoint listens (`watt run --metrics-listen`): an IP address and a
/// port. Only numeric addresses (and `localhost`), so what is bound is exactly what was
/// written, with no resolver in between.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public enum Family: Sendable, Equatable { case ipv4, ipv6 }
    public var family: Family
    /// The numeric address, without brackets.
    public var host: String
    /// 0 asks the system for a free port.
    public var port: UInt16

    public init(family: Family, host: String, port: UInt16) {
        self.family = family
        self.host = host
        self.port = port
    }

    public var description: String { family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// 127.0.0.0/8 or ::1: reachable from this machine only.
    public var isLoopback: Bool {
        switch family {
        case .ipv4: return host.split(separator: ".").first == "127"
        case .ipv6:
            var address = in6_addr()
            var loopback = in6_addr()
            guard inet_pton(AF_INET6, host, &address) == 1, inet_pton(AF_INET6, "::1", &loopback) == 1 else { return false }
            return withUnsafeBytes(of: &address) { a in withUnsafeBytes(of: &loopback) { b in a.elementsEqual(b) } }
        }
    }

    /// `PORT` (on 127.0.0.1), `HOST:PORT` or `[IPV6]:PORT`; `localhost` is 127.0.0.1.
    public static func parse(_ text: String) throws(WattError) -> ListenAddress {
        let usage = WattError(.usage, "`\(text)` is not PORT, IP:PORT or [IPv6]:PORT (e.g. 127.0.0.1:9464)")
        func port(_ s: Substring) throws(WattError) -> UInt16 {
            guard !s.isEmpty, s.count <= 5, s.allSatisfy(\.isASCII), s.allSatisfy(\.isNumber), let p = UInt16(s) else { throw usage }
            return p
        }
        if !text.contains(":") { return ListenAddress(family: .ipv4, host: "127.0.0.1", port: try port(Substring(text))) }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { throw usage }
            let host = String(text[text.index(after: text.startIndex)..<close])
            var address = in6_addr()
            guard inet_pton(AF_INET6, host, &address) == 1 else { throw usage }
            return ListenAddress(family: .ipv6, host: host, port: try port(text[text.index(close, offsetBy: 2)...]))
        }
        guard let colon = text.lastIndex(of: ":") else { throw usage }
        var host = String(text[..<colon])
        if host == "localhost" { host = "127.0.0.1" }
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1 else { throw usage }
        return ListenAddress(family: .ipv4, host: host, port: try port(text[text.index(after: colon)...]))
    }
}
