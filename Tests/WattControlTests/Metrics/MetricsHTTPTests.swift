import Foundation
import Testing
import WattSupport
@testable import WattControl

/// What the metrics endpoint answers, request head by request head (no sockets).
@Suite struct MetricsHTTPTests {
    func answer(_ request: String, metrics: String = "watt_ticks_total 3\n") -> (status: String, headers: [String], body: String) {
        let bytes = MetricsHTTP.response(to: Array(request.utf8)) { metrics }
        let text = String(decoding: bytes, as: UTF8.self)
        let split = text.range(of: "\r\n\r\n")!
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        return (lines[0], Array(lines.dropFirst()), String(text[split.upperBound...]))
    }

    @Test func getMetricsAnswersTheExpositionFormat() {
        let r = answer("GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n")
        #expect(r.status == "HTTP/1.1 200 OK")
        #expect(r.headers.contains("Content-Type: text/plain; version=0.0.4; charset=utf-8"))
        #expect(r.headers.contains("Content-Length: 19"))
        #expect(r.headers.contains("Connection: close"))
        #expect(r.body == "watt_ticks_total 3\n")
        #expect(answer("GET /metrics?x=1 HTTP/1.0\n\n").status == "HTTP/1.1 200 OK", "a query string and bare line feeds are fine")
    }

    @Test func headHasTheLengthButNoBody() {
        let r = answer("HEAD /metrics HTTP/1.1\r\n\r\n")
        #expect(r.status == "HTTP/1.1 200 OK")
        #expect(r.headers.contains("Content-Length: 19"))
        #expect(r.body.isEmpty)
    }

    @Test(arguments: ["/", "/metricsx", "/metrics/", "/favicon.ico", "/../metrics"]) func otherPathsAre404(_ path: String) {
        var asked = false
        let bytes = MetricsHTTP.response(to: Array("GET \(path) HTTP/1.1\r\n\r\n".utf8)) { asked = true; return "" }
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(!asked, "the metrics are not rendered for a 404")
    }

    @Test(arguments: ["POST", "PUT", "DELETE", "OPTIONS"]) func otherMethodsAre405(_ method: String) {
        let r = answer("\(method) /metrics HTTP/1.1\r\n\r\n")
        #expect(r.status == "HTTP/1.1 405 Method Not Allowed")
        #expect(r.headers.contains("Allow: GET, HEAD"))
    }

    @Test(arguments: [
        "garbage\r\n\r\n", "GET /metrics\r\n\r\n", "GET /metrics HTTP/2.0\r\n\r\n", "GET  /metrics HTTP/1.1\r\n\r\n",
        "GET metrics HTTP/1.1\r\n\r\n", "GET /metrics HTTP/1.1 extra\r\n\r\n", "\r\n\r\n", "GET /m\u{e9}trics HTTP/1.1\r\n\r\n",
        "GET /metrics\0 HTTP/1.1\r\n\r\n", "\u{16}\u{03}\u{01}\u{02}\u{00}\r\n\r\n",
    ]) func malformedRequestLinesAre400(_ request: String) {
        #expect(answer(request).status == "HTTP/1.1 400 Bad Request")
    }

    @Test func arbitraryBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0..<200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let response = MetricsHTTP.response(to: bytes) { "" }
            #expect(String(decoding: response.prefix(9), as: UTF8.self) == "HTTP/1.1 ")
            _ = MetricsHTTP.headEnd(bytes)
        }
    }

    @Test func theHeadEndsAtTheFirstBlankLine() {
        #expect(MetricsHTTP.headEnd(Array("GET / HTTP/1.1\r\nA: b\r\n\r\nbody".utf8)) == 24)
        #expect(MetricsHTTP.headEnd(Array("GET / HTTP/1.1\n\n".utf8)) == 16)
        #expect(MetricsHTTP.headEnd(Array("GET / HTTP/1.1\r\nA: b\r\n".utf8)) == nil)
        #expect(MetricsHTTP.headEnd([]) == nil)
        #expect(MetricsHTTP.headEnd([10]) == nil)
    }
}

/// `--metrics-listen` addresses.
@Suite struct ListenAddressTests {
    @Test(arguments: [
        ("9464", ListenAddress(family: .ipv4, host: "127.0.0.1", port: 9464), true),
        ("127.0.0.1:0", ListenAddress(family: .ipv4, host: "127.0.0.1", port: 0), true),
        ("localhost:9464", ListenAddress(family: .ipv4, host: "127.0.0.1", port: 9464), true),
        ("127.1.2.3:80", ListenAddress(family: .ipv4, host: "127.1.2.3", port: 80), true),
        ("0.0.0.0:9464", ListenAddress(family: .ipv4, host: "0.0.0.0", port: 9464), false),
        ("10.1.2.3:9464", ListenAddress(family: .ipv4, host: "10.1.2.3", port: 9464), false),
        ("[::1]:9464", ListenAddress(family: .ipv6, host: "::1", port: 9464), true),
        ("[::]:9464", ListenAddress(family: .ipv6, host: "::", port: 9464), false),
        ("[0:0:0:0:0:0:0:1]:1", ListenAddress(family: .ipv6, host: "0:0:0:0:0:0:0:1", port: 1), true),
    ]) func parses(_ text: String, _ expected: ListenAddress, _ loopback: Bool) throws {
        let address = try ListenAddress.parse(text)
        #expect(address == expected)
        #expect(address.isLoopback == loopback)
    }

    @Test(arguments: [
        "", ":", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+80", "127.0.0.1:80x", "example.com:80",
        "::1:9464", "[::1]", "[::1]9464", "[nope]:1", "256.0.0.1:80", "127.0.0.1:\u{0661}\u{0662}", "127.0.0.1:80\n",
    ]) func rejects(_ text: String) {
        #expect(throws: WattError.self) { try ListenAddress.parse(text) }
    }
}
