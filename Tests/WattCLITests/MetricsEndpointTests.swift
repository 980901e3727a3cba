import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking  // URLSession on Linux: a stock HTTP client (libcurl) as a scraper
#endif
import Testing
import WattSupport
@testable import WattCLI

/// `watt run --metrics-listen`: the address rules, and the built binary serving metrics
/// while it runs in real time.
@Suite struct MetricsEndpointTests {
    func options(_ listen: String, any: Bool = false) -> RunCommand.Options {
        var o = RunCommand.Options()
        o.settings.policies = [Paths.root.appendingPathComponent("policies/peak").path]
        o.settings.cluster = Paths.root.appendingPathComponent("examples/clusters/small.yaml").path
        o.settings.days = 0.05
        o.metricsListen = listen
        o.metricsListenAny = any
        return o
    }

    @Test(arguments: [
        ("0.0.0.0:9464", "error[C0101]: --metrics-listen `0.0.0.0:9464` is not a loopback address\nhelp: the endpoint has no authentication or TLS: give --metrics-listen-any"),
        ("[::]:9464", "is not a loopback address"),
        ("metrics.example.com:9464", "error[C0101]: --metrics-listen `metrics.example.com:9464` is not PORT, IP:PORT or [IPv6]:PORT"),
        ("127.0.0.1:99999", "is not PORT, IP:PORT or [IPv6]:PORT"),
    ]) func refusedAddresses(_ listen: String, _ message: String) {
        let out = RunCommand.run(options(listen))
        #expect(out.exitCode == 64)
        #expect(out.stderr.contains(message), "\(out.stderr)")
    }

    @Test func anyAddressWhenAskedFor() {
        let out = RunCommand.run(options("0.0.0.0:0", any: true))
        #expect(out.exitCode == 0, "\(out.stderr)")
    }

    @Test func theRunningBinaryServesMetricsUntilStopped() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-endpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("watt.prom").path
        let errors = dir.appendingPathComponent("stderr.txt")
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = ["run", "policies/peak", "--cluster", "examples/clusters/small.yaml", "--days", "30", "--interval", "100ms",
                             "--metrics-listen", "127.0.0.1:0", "--metrics-file", file]
        process.currentDirectoryURL = Paths.root
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // The address is on stderr as soon as the socket listens.
        var url: URL?
        // Generous: with 2 cores and the suite in parallel, this task may wait long for a thread;
        // the run (30 simulated days at 100 ms a tick) outlasts that, and SIGTERM ends it.
        let deadline = Date().addingTimeInterval(300)
        // (The file is read once more after a wait, however long: a task starved past the
        // deadline by the rest of the suite must still see an address written meanwhile.)
        while url == nil {
            let text = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: /serving metrics at (http:\/\/127\.0\.0\.1:[0-9]+\/metrics)/) { url = URL(string: String(match.1)) }
            else if !process.isRunning || Date() >= deadline { break }
            else { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        let endpoint = try #require(url, """
            no address on stderr (running: \(process.isRunning)\(process.isRunning ? "" : ", status \(process.terminationStatus)")); \
            stderr: \((try? String(contentsOf: errors, encoding: .utf8)) ?? "")
            """)
        var ticks = 0
        // The ticks get their own wait: a starved address wait must not leave them none.
        let ticksDeadline = Date().addingTimeInterval(300)
        while ticks < 3 && Date() < ticksDeadline {
            let (data, response) = try await URLSession.shared.data(from: endpoint)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            let text = String(decoding: data, as: UTF8.self)
            let line = text.split(separator: "\n").first { $0.hasPrefix("watt_ticks_total ") }
            ticks = line.flatMap { Int($0.split(separator: " ")[1]) } ?? -1
            #expect(ticks >= 0, "no watt_ticks_total in \(text)")
            if ticks < 3 { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        #expect(ticks >= 3)
        let missing = try await URLSession.shared.data(from: endpoint.deletingLastPathComponent().appendingPathComponent("other"))
        #expect((missing.1 as? HTTPURLResponse)?.statusCode == 404)
        #expect(FileManager.default.fileExists(atPath: file), "--metrics-file is written beside the endpoint")
        kill(process.processIdentifier, SIGTERM)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(stdout.contains("stopped by SIGTERM"))
        await #expect(throws: (any Error).self, "the endpoint closes with the run") { _ = try await URLSession.shared.data(from: endpoint) }
    }
}
