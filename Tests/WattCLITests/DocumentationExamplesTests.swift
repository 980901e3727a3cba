import Foundation
import Testing

/// Every example in README.md, docs/ and the examples' READMEs runs, so a doc that drifts
/// fails the build:
/// - a ```` ```watt ```` block is a policy file: it checks with no flags and with
///   `--cluster examples/clusters/demo.yaml`;
/// - a ```` ```sh ```` block holds commands (`$ watt ...`), each followed by the output it
///   prints; the command runs (from a scratch copy of `policies/` and `examples/`, `watt` the
///   built binary) and prints exactly that (`...` stands for any lines; a command shown
///   without output must succeed);
/// - a block whose fence is preceded by `<!-- not run: REASON -->` is not run (real-time runs,
///   a live Slurm, the two `make` commands), and the reason is required;
/// - every block is labelled (`watt`, `sh`, `text`, `json`, `yaml`, `swift`, `ebnf`, ...).
/// `WATT_RECORD=1` rewrites the shown outputs from what the commands print.
@Suite struct DocumentationExamplesTests {
    static let files: [String] = {
        let root = Paths.root
        var files = ["README.md"]
        for dir in ["docs", "examples/forecast", "examples/repl", "policies"] {
            let found = FileManager.default.enumerator(atPath: root.appendingPathComponent(dir).path)?.allObjects as? [String] ?? []
            files += found.filter { $0.hasSuffix(".md") }.sorted().map { "\(dir)/\($0)" }
        }
        return files
    }()

    static let knownLabels: Set<String> = ["watt", "sh", "text", "json", "yaml", "swift", "ebnf", "csv", "promql", "console", "toml", "python"]

    static let record = ProcessInfo.processInfo.environment["WATT_RECORD"] == "1"

    /// A scratch directory with copies of what the examples read and write.
    static func workspace() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-docs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for item in ["policies", "examples", "grammar"] {
            try FileManager.default.copyItem(at: Paths.root.appendingPathComponent(item), to: dir.appendingPathComponent(item))
        }
        return dir
    }

    /// Runs a command line with bash, `watt` the built binary, output and errors together.
    static func shell(_ command: String, in dir: URL, timeout: Double = 600) throws -> (output: String, status: Int32) {
        var line = command
        for prefix in [".build/debug/watt ", "./.build/debug/watt "] where line.hasPrefix(prefix) {
            line = "watt " + line.dropFirst(prefix.count)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", line + " 2>&1"]
        process.currentDirectoryURL = dir
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = Paths.root.appendingPathComponent(".build/debug").path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["WATT_HISTORY"] = dir.appendingPathComponent(".watt_history").path
        environment["COLUMNS"] = "100"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        let timer = DispatchSource.makeTimerSource()
        timer.schedule(deadline: .now() + timeout)
        timer.setEventHandler { if process.isRunning { process.terminate() } }
        timer.resume()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        _ = deadline
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    @Test(arguments: files) func examplesRun(_ file: String) throws {
        let url = Paths.root.appendingPathComponent(file)
        let doc = MarkdownExamples(path: file, text: try String(contentsOf: url, encoding: .utf8))
        guard !doc.blocks.isEmpty else { return }
        let dir = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        var replacements: [(Range<Int>, [String])] = []
        for (index, block) in doc.blocks.enumerated() {
            let at = "\(file):\(block.line)"
            let label = block.info.split(separator: " ").first.map(String.init) ?? ""
            guard Self.knownLabels.contains(label) else {
                Issue.record("\(at): label the block (```watt, ```sh, ```text, ...), found `\(block.info)`")
                continue
            }
            if block.notRun != nil { continue }
            switch label {
            case "watt":
                let policy = dir.appendingPathComponent("example-\(index).watt")
                try (block.lines.joined(separator: "\n") + "\n").write(to: policy, atomically: true, encoding: .utf8)
                for flags in [[], ["--cluster", "examples/clusters/demo.yaml"]] {
                    let run = try Self.shell((["watt", "check"] + flags + [policy.lastPathComponent]).joined(separator: " "), in: dir)
                    #expect(run.status == 0, "\(at): the policy does not check\(flags.isEmpty ? "" : " with " + flags.joined(separator: " ")):\n\(run.output)")
                }
            case "sh", "console":
                let commands = MarkdownExamples.commands(block)
                #expect(!commands.isEmpty, "\(at): a shell block without `$ ` commands: show them as `$ watt ...`, or mark it `<!-- not run: REASON -->`")
                var recorded: [String] = []
                for command in commands {
                    let run = try Self.shell(command.text, in: dir)
                    var actual = run.output.components(separatedBy: "\n")
                    if run.output.hasSuffix("\n") { actual.removeLast() }
                    let failed = run.status != 0
                    let showsError = command.expected.contains { $0.contains("error[") || $0.hasPrefix("error:") }
                    if Self.record {
                        recorded.append("$ " + command.text)
                        if !command.expected.isEmpty { recorded += Self.recorded(actual, like: command.expected) }
                        continue
                    }
                    if command.expected.isEmpty {
                        #expect(!failed, "\(file):\(command.line): `\(command.text)` failed (status \(run.status)):\n\(run.output)")
                    } else {
                        #expect(MarkdownExamples.matches(command.expected, actual),
                                "\(file):\(command.line): `\(command.text)` printed\n\(run.output)\ninstead of\n\(command.expected.joined(separator: "\n"))")
                        #expect(failed == showsError, "\(file):\(command.line): `\(command.text)` exited \(run.status)")
                    }
                }
                if Self.record && !commands.isEmpty { replacements.append((block.contentLines, recorded)) }
            default:
                continue
            }
        }
        if Self.record && !replacements.isEmpty {
            var lines = doc.lines
            for (range, new) in replacements.reversed() { lines.replaceSubrange(range, with: new) }
            try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        }
    }

    /// Record mode: the actual output, cut where the doc cut it (a final `...` is kept with
    /// as many lines before it as the doc showed).
    static func recorded(_ actual: [String], like expected: [String]) -> [String] {
        guard let cut = expected.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "..." }) else { return actual }
        return Array(actual.prefix(cut)) + ["..."]
    }

    @Test func theMatcher() {
        #expect(MarkdownExamples.matches(["a", "...", "d"], ["a", "b", "c", "d"]))
        #expect(MarkdownExamples.matches(["a", "..."], ["a"]))
        #expect(!MarkdownExamples.matches(["a", "b"], ["a", "c"]))
        #expect(!MarkdownExamples.matches(["a"], ["a", "b"]))
        let doc = MarkdownExamples(path: "x.md", text: "text\n<!-- not run: real time -->\n```sh\n$ watt run \\\n  --interval 1s\nout\n\n```\n")
        #expect(doc.blocks.count == 1 && doc.blocks[0].notRun == "real time")
        let commands = MarkdownExamples.commands(doc.blocks[0])
        #expect(commands.map(\.text) == ["watt run  --interval 1s"] && commands[0].expected == ["out"])
    }
}
