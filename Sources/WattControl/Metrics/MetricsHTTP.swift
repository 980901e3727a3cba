/// The metrics endpoint's HTTP: one request head in, one response out, no sockets (those
/// are `MetricsServer`'s), so every path is testable with plain bytes. `GET /metrics` (or
/// `HEAD`) answers the metrics; any other path 404, other methods 405, anything that is not
/// an HTTP/1.x request line 400. Every response closes the connection.
public enum MetricsHTTP {
    /// The exposition format's content type (text format 0.0.4).
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The request head's end (`\r\n\r\n`, or `\n\n` from lenient clients), if there.
    public static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for i in 1..<bytes.count where bytes[i] == 10 {
            if bytes[i - 1] == 10 { return i + 1 }
            if i >= 3, bytes[i - 1] == 13, bytes[i - 2] == 10, bytes[i - 3] == 13 { return i + 1 }
        }
        return nil
    }

    /// The response to a complete request head; `metrics` is asked only for a metrics request.
    public static func response(to head: [UInt8], metrics: () -> String) -> [UInt8] {
        // The request line, up to the first line feed (a trailing CR is dropped).
        let lineEnd = head.firstIndex(of: 10) ?? head.endIndex
        var line = head[..<lineEnd]
        if line.last == 13 { line = line.dropLast() }
        // Printable ASCII only: anything else (NULs, UTF-8, control bytes) is not a request line.
        guard !line.isEmpty, line.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return error(400, "Bad Request", "bad request\n") }
        let parts = String(decoding: line, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0", !parts[0].isEmpty, parts[1].hasPrefix("/") else {
            return error(400, "Bad Request", "bad request\n")
        }
        let method = parts[0]
        guard method == "GET" || method == "HEAD" else {
            return error(405, "Method Not Allowed", "only GET and HEAD\n", extra: "Allow: GET, HEAD\r\n")
        }
        let path = parts[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard path == "/metrics" else { return error(404, "Not Found", "not found: the metrics are at /metrics\n", head: method == "HEAD") }
        let body = Array(metrics().utf8)
        return build(200, "OK", contentType: contentType, body: body, head: method == "HEAD")
    }

    /// A response for a request that never became a whole head: too large, or too slow.
    public static func error(_ code: Int, _ reason: String, _ message: String, extra: String = "", head: Bool = false) -> [UInt8] {
        build(code, reason, contentType: "text/plain; charset=utf-8", body: Array(message.utf8), extra: extra, head: head)
    }

    static func build(_ code: Int, _ reason: String, contentType: String, body: [UInt8], extra: String = "", head: Bool = false) -> [UInt8] {
        let header = "HTTP/1.1 \(code) \(reason)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n\(extra)Connection: close\r\n\r\n"
        return Array(header.utf8) + (head ? [] : body)
    }
}
