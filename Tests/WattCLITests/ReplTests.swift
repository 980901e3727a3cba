import Foundation
import Testing
import WattSupport
@testable import WattCLI
import WattLanguage

/// The REPL core, in process: a line in, what to print out.
@Suite struct ReplTests {
    static func session() throws -> ReplSession {
        var options = ReplSession.Options()
        options.settings.cluster = Paths.root.appendingPathComponent("examples/clusters/small.yaml").path
        options.settings.warmup = 3600
        return try ReplSession(options)
    }

    @Test func expressionsPrintWithTheirType() throws {
        let s = try Self.session()
        #expect(s.handle("3 kW * 2 h").output == "6 kWh : energy\n")
        #expect(s.handle("site.power_cap").output == "40 kW : power\n")
        #expect(s.handle("\"a\" == \"a\"").output == "true : bool\n")
        #expect(s.handle("").output == "")
    }

    /// Ctrl-C (the terminal sets `interrupted`) stops a long evaluation, not only `:tick`; the
    /// session goes on. Polled every 65,536 steps, so a short expression never sees it.
    @Test func aLongEvaluationIsInterrupted() throws {
        let s = try Self.session()
        // 60 × 60 × 60 elements: several hundred thousand steps.
        let list = "[" + (0..<60).map(String.init).joined(separator: ", ") + "]"
        let long = "count(\(list) where count(\(list) where count(\(list) where it >= 0) >= 0) >= 0)"
        let polls = Counter()
        s.interrupted = { polls.add(); return polls.value >= 3 }
        let out = s.handle(long).output
        #expect(out.contains("error[E0701]: evaluation interrupted"), "\(out)")
        #expect(polls.value == 3)
        s.interrupted = { false }
        #expect(s.handle("3 kW * 2 h").output == "6 kWh : energy\n")
        #expect(!s.handle(long).output.contains("error"))
    }

    final class Counter: @unchecked Sendable {
        var value = 0
        func add() { value += 1 }
    }

    @Test func errorsPointIntoTheLineTyped() throws {
        let out = try Self.session().handle("site.power > 2 h").output
        #expect(out.hasPrefix("<repl>:1:1: error[E0401]: cannot compare power (kW) with time (h)\n 1 | site.power > 2 h\n   | ^~~~~~~~~~~~~~~~\n"))
    }

    @Test func definitionsRulesAndRedefinition() throws {
        let s = try Self.session()
        #expect(s.handle("let x = 2 kW").output == "defined `x`\n")
        #expect(s.handle("x * 2").output == "4 kW : power\n")
        #expect(s.handle("let x = 3 kW").output == "redefined `x`\n")
        #expect(s.handle("x").output == "3 kW : power\n")
        #expect(s.handle("let y = nope").output.contains("error[E0301]: unknown name `nope`"))
        #expect(s.handle("y").output.contains("unknown name `y`"), "a definition with errors is not kept")
        #expect(s.handle("rule r { when x > 1 kW then wake nodes }").output == "defined rule `r`\n")
        #expect(s.handle("if true then alert \"hi\"").output == "defined a one-line rule\n")
        #expect(s.handle(":rules").output.contains("r (<repl>:1, priority 0): not run yet"))
    }

    @Test func multiLineEntriesContinue() throws {
        let s = try Self.session()
        #expect(s.handle("rule r {").needsMore)
        #expect(s.prompt == "  ... ")
        #expect(s.handle("  when site.power > 1 kW").needsMore)
        #expect(s.handle("  then alert \"on\"").needsMore)
        #expect(s.handle("}").output == "defined rule `r`\n")
        #expect(s.prompt == "watt> ")
        #expect(s.handle("1 +").needsMore)
        #expect(s.handle("2").output == "3 : number\n")
        #expect(s.handle("(1 +").needsMore)
        s.cancelEntry()
        #expect(s.handle("5").output == "5 : number\n")
        // An empty line ends an unfinished entry with its error.
        #expect(s.handle("[1,").needsMore)
        #expect(s.handle("").output.contains("error"))
    }

    @Test(arguments: [
        ("rule r {", true), ("let x = 1 +", true), ("f(1,", true), ("if a then", true), ("jobs where", true),
        ("1 + 2", false), ("rule r { when a then b }", false), ("let x = [1, 2]", false), ("\"unclosed", false),
    ]) func incompleteInput(_ text: String, _ incomplete: Bool) {
        #expect(ReplInput.isIncomplete(text) == incomplete)
    }

    @Test func actionsAreDryRuns() throws {
        let s = try Self.session()
        let out = s.handle("cap nodes where pool == \"default\" at 500 W").output
        #expect(out.hasPrefix("would cap at 500 W for `default-001`, `default-002`"))
        #expect(out.contains("dry run: nothing applied"))
        #expect(s.handle("nodes where present(power_cap)").output.contains("(empty)"), "nothing was applied")
    }

    @Test func metaCommands() throws {
        let s = try Self.session()
        #expect(s.handle(":help").output.contains(":tick [N]"))
        #expect(s.handle(":type site.power * 1 h").output == "energy\n")
        #expect(s.handle(":hlep").output == "unknown command `:hlep`; did you mean `:help`? (`:help` lists them)\n")
        #expect(s.handle(":show pools").output.contains("2 × pool : list of pool"))
        #expect(s.handle(":world").output.contains("4 nodes"))
        #expect(s.handle(":vocab").output.contains("forecast"))
        #expect(s.handle(":units").output.contains("kWh"))
        _ = s.handle("rule capper { when true then cap nodes where not present(power_cap) at 400 W limit 1 per tick }")
        let ticked = s.handle(":tick 2").output
        #expect(ticked.contains("cap at 400 W `default-001`: applied"))
        #expect(ticked.contains("`default-002`: cap at 400 W (rule `capper`) stopped by"), "the guardrail: at most half the GPUs capped")
        #expect(s.handle(":explain capper").output.contains("`capper` fires now"))
        #expect(s.handle(":explain nope").output.hasPrefix("no rule `nope`"))
        #expect(s.handle(":quit").quit)
    }

    @Test func loadSaveAndReset() throws {
        let s = try Self.session()
        #expect(s.handle(":load \(Paths.root.appendingPathComponent("examples/repl/site.watt").path)").output.contains("2 rules, 3 definitions"))
        #expect(s.handle("headroom > 0 kW").output == "true : bool\n")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("watt-repl-\(UUID().uuidString).watt")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = s.handle("let double_cap = site.power_cap * 2")
        #expect(s.handle(":save \(file.path)").output == "saved 1 entry to `\(file.path)`\n")
        #expect(try String(contentsOf: file, encoding: .utf8).contains("let double_cap = site.power_cap * 2"))
        #expect(s.handle(":reset").output.hasPrefix("reset"))
        #expect(s.handle("headroom").output.contains("unknown name `headroom`"))
        #expect(s.handle(":load /nonexistent.watt").output == "error[C0201]: cannot read `/nonexistent.watt`\n")
    }

    @Test func completionKnowsTheLanguage() throws {
        let s = try Self.session()
        #expect(s.completions("site.po") == ["power", "power_cap"])
        #expect(s.completions("forecast(site.power, 1 h).ar") == ["argmax", "argmin"])
        #expect(s.completions("nodes where te").contains("temperature") == false, "fields of an element are not names in scope")
        #expect(s.completions("900 k").contains("kW"))
        #expect(s.completions("900 k").contains("kWh"))
        #expect(s.completions(":lo") == [":load"])
        #expect(s.completions("move jobs to pool \"eff") == ["efficient"])
        #expect(s.completions("forec") == ["forecast"])
        #expect(s.completions("wh").contains("where"))
        _ = s.handle("let my_total = 1")
        #expect(s.completions("my_") == ["my_total"])
    }
}

/// The REPL as users run it: the transcript in examples/repl, and a real terminal (tmux).
@Suite(.serialized) struct ReplEndToEndTests {
    @Test func theTranscriptIsReproducedExactly() throws {
        let transcript = try String(contentsOf: Paths.root.appendingPathComponent("examples/repl/session.txt"), encoding: .utf8)
        let inputs = ReplCommand.inputs(ofTranscript: transcript)
        #expect(inputs.count > 20)
        let inputFile = try String(contentsOf: Paths.root.appendingPathComponent("examples/repl/input.txt"), encoding: .utf8)
        #expect(inputFile == inputs.joined(separator: "\n") + "\n", "examples/repl/input.txt holds the transcript's inputs")
        let result = try runWatt(["repl", "--echo"], input: inputs.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == transcript)
    }

    @Test func scriptedInputPrintsOnlyResults() throws {
        let result = try runWatt(["repl", "--cluster", "examples/clusters/small.yaml", "--warmup", "1h"], input: "1 + 2\n:quit\n3\n")
        #expect(result.stdout == "3 : number\n")
    }
}

/// The real binary under a terminal (tmux): tab completion, Ctrl-C, history after a restart.
@Suite(.serialized) struct ReplTerminalTests {
    let name = "watt-test-\(UUID().uuidString.prefix(8))"
    let history = FileManager.default.temporaryDirectory.appendingPathComponent("watt-history-\(UUID().uuidString)").path

    /// Runs tmux (its own server, `-L`, apart from any the user runs) with posix_spawn and
    /// waitpid: a tmux client that starts a server confuses Foundation's `Process`, which
    /// then never sees it exit. Output goes to a file, read when the client has exited.
    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("watt-tmux-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let argv = ["tmux", "-L", name] + arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        guard posix_spawnp(&pid, "tmux", &actions, nil, cArgs, environ) == 0 else { return "" }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    }

    func alive() -> Bool {
        // `list-sessions` names the session while it runs.
        (try? tmux(["list-sessions"]))?.contains(name) ?? false
    }

    func pane() -> String { (try? tmux(["capture-pane", "-p", "-t", name])) ?? "" }

    /// Ends the test's tmux server, its REPL and socket, and the history file. Under a loaded
    /// suite `kill-server` alone left servers (and their REPLs) running after the test: the
    /// server and pane processes are also killed by pid, and the socket removed.
    func stopServer() {
        let pids = ((try? tmux(["list-panes", "-a", "-F", "#{pane_pid}"])) ?? "") + " " + ((try? tmux(["display-message", "-p", "#{pid}"])) ?? "")
        _ = try? tmux(["kill-server"])
        for pid in pids.split(whereSeparator: \.isWhitespace).compactMap({ pid_t($0) }) where pid > 1 { kill(pid, SIGKILL) }
        let sockets = (ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp") + "/tmux-\(getuid())/\(name)"
        try? FileManager.default.removeItem(atPath: sockets)
        try? FileManager.default.removeItem(atPath: history)
    }

    /// Waits until the pane shows `text` (at most 30 s).
    func waitFor(_ text: String, count: Int = 1) -> Bool {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if pane().components(separatedBy: text).count - 1 >= count { return true }
            usleep(100_000)
        }
        return false
    }

    func start() throws {
        let command = "cd '\(Paths.root.path)' && WATT_HISTORY='\(history)' TERM=xterm '\(Paths.binary)' repl --cluster examples/clusters/small.yaml --warmup 1h"
        try tmux(["new-session", "-d", "-s", name, "-x", "160", "-y", "40", command])
    }

    @Test func completionCtrlCAndHistory() throws {
        defer { stopServer() }
        try start()
        #expect(waitFor("watt>"), "the REPL did not start:\n\(pane())")
        // Two tabs list the fields of `site` that start with `p`.
        try tmux(["send-keys", "-t", name, "site.p", "Tab", "Tab"])
        #expect(waitFor("power_cap"), "no completion:\n\(pane())")
        #expect(pane().contains("pue"))
        // Ctrl-C drops the line and the REPL stays.
        try tmux(["send-keys", "-t", name, "C-c"])
        #expect(waitFor("^C"))
        try tmux(["send-keys", "-t", name, "40 + 2", "Enter"])
        #expect(waitFor("42 : number"), "the REPL did not survive Ctrl-C:\n\(pane())")
        // Ctrl-D leaves; the history file has the line.
        try tmux(["send-keys", "-t", name, "C-d"])
        let deadline = Date().addingTimeInterval(20)
        while alive() && Date() < deadline { usleep(100_000) }
        #expect(!alive(), "Ctrl-D did not end the REPL")
        #expect((try? String(contentsOfFile: history, encoding: .utf8))?.contains("40 + 2") == true)
        _ = try? tmux(["kill-session", "-t", name])
        // A new session recalls it with the up arrow.
        try start()
        #expect(waitFor("watt>"))
        try tmux(["send-keys", "-t", name, "Up", "Enter"])
        #expect(waitFor("42 : number"), "history was not recalled:\n\(pane())")
    }

    /// Issue 18: Ctrl-C did not stop a long `:tick 10000` (it ran about 100 s to the end).
    @Test func ctrlCStopsALongTick() throws {
        defer { stopServer() }
        try start()
        #expect(waitFor("watt>"), "the REPL did not start:\n\(pane())")
        try tmux(["send-keys", "-t", name, "rule r { when true then alert \"x\" }", "Enter"])
        try tmux(["send-keys", "-t", name, ":tick 10000", "Enter"])
        usleep(500_000)
        try tmux(["send-keys", "-t", name, "C-c"])
        #expect(waitFor("interrupted after"), "Ctrl-C did not stop `:tick`:\n\(pane())")
        try tmux(["send-keys", "-t", name, "40 + 2", "Enter"])
        #expect(waitFor("42 : number"), "the REPL did not come back to its prompt:\n\(pane())")
    }

    /// Issue 18: `watt repl` ignored SIGTERM; now it leaves (also during a long `:tick`),
    /// the terminal restored.
    @Test func sigtermEndsTheRepl() throws {
        defer { stopServer() }
        try start()
        #expect(waitFor("watt>"), "the REPL did not start:\n\(pane())")
        try tmux(["send-keys", "-t", name, ":tick 10000", "Enter"])
        usleep(300_000)
        let panePid = pid_t((try tmux(["list-panes", "-t", name, "-F", "#{pane_pid}"])).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        try #require(panePid > 1)
        // The pane runs `sh -c 'cd ... && watt repl ...'`: the REPL is the shell's child (or the shell itself, exec'd).
        let children = (try? String(contentsOfFile: "/proc/\(panePid)/task/\(panePid)/children", encoding: .utf8)) ?? ""
        let repl = children.split(separator: " ").compactMap { pid_t($0) }.first ?? panePid
        kill(repl, SIGTERM)
        let deadline = Date().addingTimeInterval(20)
        while alive() && Date() < deadline { usleep(100_000) }
        #expect(!alive(), "SIGTERM did not end the REPL:\n\(pane())")
    }
}

/// `watt repl --journal`: the world of a past run at one of its ticks.
@Suite struct ReplJournalTests {
    @Test func aPastTickIsRebuiltFromTheJournal() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watt-repl-journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let policy = dir.appendingPathComponent("capper.watt")
        try "rule capper { when true then cap nodes where pool == \"default\" and not present(power_cap) at 400 W limit 1 per tick }\n"
            .write(to: policy, atomically: true, encoding: .utf8)
        var run = RunCommand.Options()
        run.settings.policies = [policy.path]
        run.settings.cluster = Paths.root.appendingPathComponent("examples/clusters/small.yaml").path
        run.settings.days = 0.25
        run.journalPath = dir.appendingPathComponent("run.db").path
        #expect(RunCommand.run(run).exitCode == 0)

        func session(at time: String) throws -> ReplSession {
            var options = ReplSession.Options()
            options.journal = run.journalPath
            options.at = TimeCalendar.parseISO8601(time)
            return try ReplSession(options)
        }
        let first = try session(at: "2020-01-06T00:00:00Z")
        #expect(first.handle("now").output.hasPrefix("2020-01-06T00:00:00Z"))
        #expect(first.handle("count(nodes where present(power_cap))").output == "0 : number\n")
        #expect(first.handle(":rules").output.contains("capper (\(policy.path):1"), "the run's policies are loaded")
        let later = try session(at: "2020-01-06T00:10:00Z")
        #expect(later.handle("count(nodes where present(power_cap))").output == "1 : number\n", "the cap applied at the first tick")
        #expect(later.handle("(nodes where present(power_cap)).id").output.contains("default-001"))
        #expect(throws: WattError.self) { try session(at: "2021-01-01T00:00:00Z") }
    }
}
