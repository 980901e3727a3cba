import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking  // URLSession on Linux: a stock HTTP client (libcurl) as a scraper
#endif
import Testing
import WattSupport
@testable import WattControl

/// A raw TCP client for the endpoint tests: sends bytes as given (so garbage and oversized
/// requests can be sent) and reads the answer until the server closes.
enum RawClient {
    static func connect(_ port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            sent += n
        }
    }

    static func readAll(_ fd: Int32) -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            out += buffer[..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One request, the whole answer.
    static func exchange(_ port: UInt16, _ request: [UInt8]) throws -> String {
        let fd = try connect(port)
        defer { close(fd) }
        send(fd, request)
        return readAll(fd)
    }
}

/// The endpoint over real loopback sockets.
@Suite(.serialized) struct MetricsServerTests {
    func serving(timeout: Double = 2, _ body: (MetricsServer, MetricsPage) throws -> Void) throws {
        let page = MetricsPage("watt_ticks_total 1\n")
        let server = try MetricsServer(listen: ListenAddress.parse("127.0.0.1:0"), page: page, timeout: timeout)
        server.start()
        defer { server.stop() }
        try body(server, page)
    }

    @Test func portZeroPicksAPortAndServesThePage() throws {
        try serving { server, page in
            #expect(server.address.port != 0)
            #expect(server.url == "http://127.0.0.1:\(server.address.port)/metrics")
            let first = try RawClient.exchange(server.address.port, Array("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            #expect(first.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(first.contains("Content-Type: text/plain; version=0.0.4"))
            #expect(first.hasSuffix("\r\n\r\nwatt_ticks_total 1\n"))
            page.update("watt_ticks_total 2\n")
            let second = try RawClient.exchange(server.address.port, Array("GET /metrics HTTP/1.1\r\n\r\n".utf8))
            #expect(second.hasSuffix("\r\n\r\nwatt_ticks_total 2\n"), "each answer is the latest page")
        }
    }

    @Test func foundationClientsCanScrapeIt() async throws {
        let page = MetricsPage("watt_ticks_total 5\n")
        let server = try MetricsServer(listen: ListenAddress.parse("127.0.0.1:0"), page: page)
        server.start()
        defer { server.stop() }
        let (data, response) = try await URLSession.shared.data(from: URL(string: server.url)!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self) == "watt_ticks_total 5\n")
    }

    @Test func wrongPathsMethodsAndGarbage() throws {
        try serving { server, _ in
            let port = server.address.port
            #expect(try RawClient.exchange(port, Array("GET /nope HTTP/1.1\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 404 "))
            #expect(try RawClient.exchange(port, Array("DELETE /metrics HTTP/1.1\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 405 "))
            #expect(try RawClient.exchange(port, Array("\u{16}\u{3}\u{1}\0\u{ff}garbage\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 400 "))
            #expect(try RawClient.exchange(port, [0xff, 0xfe, 0, 1, 13, 10, 13, 10]).hasPrefix("HTTP/1.1 400 "))
            // Half a request, then the client closes its side: 400, not a hang.
            let fd = try RawClient.connect(port)
            RawClient.send(fd, Array("GET /metr".utf8))
            shutdown(fd, Int32(SHUT_WR))
            #expect(RawClient.readAll(fd).hasPrefix("HTTP/1.1 400 "))
            close(fd)
        }
    }

    @Test func anOversizedRequestIsRefusedAndTheServerGoesOn() throws {
        try serving { server, _ throws in
            let port = server.address.port
            let huge: [UInt8] = Array("GET /metrics HTTP/1.1\r\nX-Padding: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 100_000)
            #expect(try RawClient.exchange(port, huge).hasPrefix("HTTP/1.1 431 "))
            #expect(try RawClient.exchange(port, Array("GET /metrics HTTP/1.1\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 200 "))
        }
    }

    @Test func silentAndVanishingClientsDoNotStopIt() throws {
        try serving(timeout: 0.3) { server, _ in
            let port = server.address.port
            // Connects and goes away at once, many times.
            for _ in 0..<20 { close(try RawClient.connect(port)) }
            // Sends a request and goes away before the answer (SIGPIPE must not kill the process).
            for _ in 0..<20 {
                let fd = try RawClient.connect(port)
                RawClient.send(fd, Array("GET /metrics HTTP/1.1\r\n\r\n".utf8))
                var linger = linger(l_onoff: 1, l_linger: 0)  // close with a reset
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
                close(fd)
            }
            // Says nothing: answered 408 after the timeout.
            let silent = try RawClient.connect(port)
            let started = Date()
            #expect(RawClient.readAll(silent).hasPrefix("HTTP/1.1 408 "))
            #expect(Date().timeIntervalSince(started) < 5)
            close(silent)
            #expect(try RawClient.exchange(port, Array("GET /metrics HTTP/1.1\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 200 "))
        }
    }

    /// Issue 18: eight idle connections (each given 30 s to speak) delayed a scrape by all
    /// their timeouts, one connection at a time. Served side by side, the scrape is answered
    /// at once, well within Prometheus's 10 s (the client's own read timeout).
    @Test func idleConnectionsDoNotDelayAScrape() throws {
        try serving(timeout: 30) { server, _ in
            let port = server.address.port
            let idle = try (0..<8).map { _ in try RawClient.connect(port) }
            defer { for fd in idle { close(fd) } }
            let answer = try RawClient.exchange(port, Array("GET /metrics HTTP/1.1\r\n\r\n".utf8))
            #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(answer.hasSuffix("\r\n\r\nwatt_ticks_total 1\n"))
        }
    }

    /// Past `maxClients` at once a connection is answered 503 at once; idle ones are shed
    /// at their timeout (408), and the server serves again.
    @Test func tooManyConnectionsAreShed() throws {
        try serving(timeout: 3) { server, _ in
            let port = server.address.port
            let idle = try (0..<MetricsServer.maxClients).map { _ in try RawClient.connect(port) }
            defer { for fd in idle { close(fd) } }
            #expect(try RawClient.exchange(port, Array("GET /metrics HTTP/1.1\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 503 "))
            for fd in idle { #expect(RawClient.readAll(fd).hasPrefix("HTTP/1.1 408 ")) }
            // The shed connections' threads end just after their answer: wait for them to be counted out.
            var answer = ""
            for _ in 0..<50 {
                answer = try RawClient.exchange(port, Array("GET /metrics HTTP/1.1\r\n\r\n".utf8))
                if !answer.hasPrefix("HTTP/1.1 503 ") { break }
                usleep(20_000)
            }
            #expect(answer.hasPrefix("HTTP/1.1 200 "))
        }
    }

    @Test func stopFreesThePortAndABusyPortIsAnError() throws {
        let page = MetricsPage()
        let server = try MetricsServer(listen: ListenAddress.parse("127.0.0.1:0"), page: page)
        server.start()
        let port = server.address.port
        #expect(throws: WattError.self) { try MetricsServer(listen: ListenAddress(family: .ipv4, host: "127.0.0.1", port: port), page: page) }
        server.stop()
        #expect(throws: (any Error).self) { try RawClient.connect(port) }
        let again = try MetricsServer(listen: ListenAddress(family: .ipv4, host: "127.0.0.1", port: port), page: page)
        again.stop()
        // Stopped before it started: the socket is closed all the same.
        #expect(throws: (any Error).self) { try RawClient.connect(port) }
    }
}
