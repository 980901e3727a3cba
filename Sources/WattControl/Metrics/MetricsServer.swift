import Foundation
import Synchronization
import WattSupport

/// The metrics over HTTP (`watt run --metrics-listen 127.0.0.1:9464`): POSIX sockets on a
/// thread of its own, serving the page the exporter renders each tick (`MetricsHTTP` says
/// what is answered). Each connection is served on a thread of its own, so idle or slow
/// clients never delay a scrape; each gets at most `timeout` seconds to send its request and
/// take the answer and is then shed, and past `maxClients` at once a new connection is
/// answered 503 at once. None of it ever touches the loop.
public final class MetricsServer: Sendable {
    /// Where it listens, with the port the system chose when 0 was asked for.
    public let address: ListenAddress
    private let socket: Int32
    public let page: MetricsPage
    /// Longest request head accepted (bytes); a larger one gets 431.
    public static let maxRequest = 8192
    /// Seconds a client has to send its request head, and to take the answer.
    public let timeout: Double
    /// Connections served at once; more get 503 (each holds a thread for at most `timeout`).
    public static let maxClients = 32
    private let clients = Atomic<Int>(0)
    /// 0 created, 1 serving, 2 stopping or stopped.
    private let state = Atomic<Int>(0)
    private let done = DispatchSemaphore(value: 0)

    /// Binds and listens at once, so a busy port is an error before the run starts.
    public init(listen: ListenAddress, page: MetricsPage, timeout: Double = 2) throws(WattError) {
        self.page = page
        self.timeout = timeout
        let domain = listen.family == .ipv4 ? AF_INET : AF_INET6
        // Close-on-exec: commands the loop runs (scontrol, a cap command) must not inherit
        // the socket and keep the port after watt exits.
        let fd = Glibc.socket(domain, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw WattError(.usage, "cannot open a socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var bound: Int32
        var port: UInt16 = 0
        switch listen.family {
        case .ipv4:
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = listen.port.bigEndian
            inet_pton(AF_INET, listen.host, &a.sin_addr)
            bound = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            if bound == 0 {
                var len = socklen_t(MemoryLayout<sockaddr_in>.size)
                _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
                port = UInt16(bigEndian: a.sin_port)
            }
        case .ipv6:
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = listen.port.bigEndian
            inet_pton(AF_INET6, listen.host, &a.sin6_addr)
            bound = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
            if bound == 0 {
                var len = socklen_t(MemoryLayout<sockaddr_in6>.size)
                _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
                port = UInt16(bigEndian: a.sin6_port)
            }
        }
        guard bound == 0, Glibc.listen(fd, 16) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw WattError(.usage, "cannot listen on \(listen): \(why)")
        }
        socket = fd
        address = ListenAddress(family: listen.family, host: listen.host, port: port)
    }

    /// The URL that serves the metrics.
    public var url: String { "http://\(address)/metrics" }

    /// Serves on a thread of its own until `stop`.
    public func start() {
        guard state.compareExchange(expected: 0, desired: 1, ordering: .relaxed).exchanged else { return }
        let thread = Thread { [self] in
            serve()
            done.signal()
        }
        thread.name = "watt-metrics"
        thread.start()
    }

    /// Stops serving and closes the socket; returns once the port is free.
    public func stop() {
        let was = state.exchange(2, ordering: .relaxed)
        switch was {
        case 0: close(socket)
        case 1: done.wait()
        default: break
        }
    }

    private func serve() {
        while state.load(ordering: .relaxed) == 1 {
            // Wake every 100 ms to notice `stop`.
            var listener = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&listener, 1, 100) > 0 else { continue }
            let client = accept(socket, nil, nil)
            if client < 0 {
                // Out of descriptors and the like: back off instead of spinning on a ready socket.
                if errno != EINTR && errno != EAGAIN && errno != ECONNABORTED { usleep(50_000) }
                continue
            }
            // accept4 is not visible from Swift: close-on-exec right after (a child spawned in
            // between would only hold this one client connection).
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            guard clients.add(1, ordering: .relaxed).newValue <= Self.maxClients else {
                clients.subtract(1, ordering: .relaxed)
                shed(client)
                continue
            }
            let thread = Thread { [self] in
                handle(client)
                close(client)
                clients.subtract(1, ordering: .relaxed)
            }
            thread.name = "watt-metrics-client"
            thread.start()
        }
        close(socket)
    }

    /// Reads one request head (bounded in size and time) and answers it.
    private func handle(_ client: Int32) {
        var sendTimeout = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        let deadline = Date().addingTimeInterval(timeout)
        var head: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2048)
        while true {
            if let end = MetricsHTTP.headEnd(head) {
                send(MetricsHTTP.response(to: Array(head[..<end])) { page.current }, to: client)
                return
            }
            if head.count > Self.maxRequest {
                send(MetricsHTTP.error(431, "Request Header Fields Too Large", "request too large\n"), to: client)
                drain(client)
                return
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else {
                send(MetricsHTTP.error(408, "Request Timeout", "request timeout\n"), to: client)
                return
            }
            var reader = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            let ready = poll(&reader, 1, Int32(max(1, left * 1000)))
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { continue }
            guard ready > 0 else { return }
            let n = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            // End of stream or an error: the client is gone (or half-closed before a whole head).
            guard n > 0 else {
                if n == 0 && !head.isEmpty { send(MetricsHTTP.error(400, "Bad Request", "incomplete request\n"), to: client) }
                return
            }
            head.append(contentsOf: chunk[..<n])
        }
    }

    /// Too many connections at once: a short 503, without waiting for the request.
    private func shed(_ client: Int32) {
        var sendTimeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
        send(MetricsHTTP.error(503, "Service Unavailable", "too many connections\n"), to: client)
        drain(client)
        close(client)
    }

    /// Writes all of `bytes`; a client that went away (EPIPE without SIGPIPE, thanks to
    /// MSG_NOSIGNAL) or stopped reading past the send timeout just ends the answer.
    private func send(_ bytes: [UInt8], to client: Int32) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(client, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            sent += n
        }
    }

    /// After an early answer (the client is still sending), read and drop what comes for a
    /// moment: closing with unread input would reset the connection and lose the answer.
    private func drain(_ client: Int32) {
        shutdown(client, Int32(SHUT_WR))
        let until = Date().addingTimeInterval(min(timeout, 0.5))
        var sink = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while until.timeIntervalSinceNow > 0, total < 1 << 20 {
            var reader = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
            guard poll(&reader, 1, Int32(max(1, until.timeIntervalSinceNow * 1000))) > 0 else { return }
            let n = sink.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return }
            total += n
        }
    }
}
