import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A plain HTTP(S) GET with a deadline on the whole exchange, for telemetry APIs
/// (Prometheus). URLSession (libcurl on Linux) does the protocol; this only waits for it.
struct HTTPGet: Sendable {
    var timeout: Double

    struct Response: Sendable {
        var status: Int
        var body: Data
    }

    private final class Outcome: @unchecked Sendable {
        var data: Data?
        var response: URLResponse?
        var error: (any Error)?
    }

    func get(_ url: URL) -> Result<Response, SlurmError> {
        // URLSession's own limits are looser than the deadline, so that the deadline decides.
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout + 1)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout + 1
        configuration.timeoutIntervalForResource = timeout + 1
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            outcome.data = data
            outcome.response = response
            outcome.error = error
            done.signal()
        }
        task.resume()
        let late = SlurmError("no answer within \(String(format: "%g", timeout)) s")
        if done.wait(timeout: .now() + timeout) == .timedOut {
            task.cancel()
            return .failure(late)
        }
        if let error = outcome.error as? URLError, error.code == .timedOut { return .failure(late) }
        if let error = outcome.error { return .failure(SlurmError(error.localizedDescription)) }
        guard let http = outcome.response as? HTTPURLResponse else { return .failure(SlurmError("no HTTP response")) }
        return .success(Response(status: http.statusCode, body: outcome.data ?? Data()))
    }
}
