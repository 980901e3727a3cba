import Foundation
import WattControl
import WattSupport

extension RunCommand {
    /// `--metrics-listen ADDRESS`: the endpoint, bound and serving, or an error. The address
    /// it got (the port, when 0 asked the system for one) goes to stderr at once: scrapers and
    /// tests read it there while the run goes on.
    static func metricsServer(_ options: Options) throws(WattError) -> MetricsServer? {
        guard let text = options.metricsListen else { return nil }
        let address: ListenAddress
        do { address = try ListenAddress.parse(text) } catch {
            throw WattError(.usage, "--metrics-listen \(error.message)")
        }
        // The endpoint has neither authentication nor TLS, and the metrics name rules,
        // nodes' power and what the loop does: off this machine only when asked for.
        guard address.isLoopback || options.metricsListenAny else {
            throw WattError(.usage, "--metrics-listen `\(text)` is not a loopback address",
                            hint: "the endpoint has no authentication or TLS: give --metrics-listen-any to serve it beyond this machine")
        }
        do {
            // Every counter at zero until the loop's exporter takes the page over (start-up can
            // take seconds: a scrape then must not see an empty page).
            let server = try MetricsServer(listen: address, page: MetricsPage(MetricsExporter(path: nil).text()))
            server.start()
            FileHandle.standardError.write(Data("watt: serving metrics at \(server.url)\n".utf8))
            return server
        } catch {
            throw WattError(.usage, "--metrics-listen: \(error.message)")
        }
    }
}
