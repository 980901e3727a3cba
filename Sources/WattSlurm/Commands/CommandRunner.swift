import Foundation

/// What an external command did.
public struct CommandResult: Sendable, Equatable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var timedOut: Bool
    public init(status: Int32, stdout: String, stderr: String, timedOut: Bool = false) {
        self.status = status; self.stdout = stdout; self.stderr = stderr; self.timedOut = timedOut
    }
    public var succeeded: Bool { status == 0 && !timedOut }
    /// One line for a rejected action: the command's own error, or why it did not finish.
    public var failure: String {
        if timedOut { return "timed out" }
        let text = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "exit status \(status)" : text
    }
}

/// Runs external commands. The Slurm adapter is the only code that talks to the outside,
/// and only through this: tests substitute a scripted runner.
public protocol CommandRunning: Sendable {
    func run(_ arguments: [String], timeout: Double) -> CommandResult
}

/// Runs a command from an argument vector (never through a shell), with a timeout after
/// which it is killed. A missing program is an ordinary failure (status 127).
public struct ProcessRunner: CommandRunning {
    /// Most bytes kept of either output stream: a command that writes more is stopped (a
    /// runaway command must not take the loop's memory).
    public var maxOutput: Int
    public init(maxOutput: Int = 512 << 20) { self.maxOutput = maxOutput }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later; Swift's Glibc
    /// module does not declare it): the child closes every descriptor from 3 up, whatever
    /// the rest of the process left without close-on-exec.
    static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    public func run(_ arguments: [String], timeout: Double) -> CommandResult {
        guard let program = arguments.first, !program.isEmpty else {
            return CommandResult(status: 127, stdout: "", stderr: "no command")
        }
        // Close-on-exec pipes, and every descriptor above stderr closed in the child: a
        // command (or one spawned at the same moment by another thread) never holds the
        // loop's pipes, journal or metrics socket open, which would keep a reader from
        // seeing the end of its output.
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard pipe(&out) == 0, pipe(&err) == 0 else {
            for fd in out + err where fd >= 0 { close(fd) }
            return CommandResult(status: 126, stdout: "", stderr: "cannot create pipes")
        }
        // (`pipe2` is not visible from Swift: close-on-exec right after; a child spawned in
        // between by another thread closes them itself, thanks to `addCloseFrom`.)
        for fd in out + err { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let spawned = posix_spawnp(&pid, program, &actions, nil, argv, environ)
        close(out[1]); close(err[1])
        guard spawned == 0 else {
            close(out[0]); close(err[0])
            return CommandResult(status: 127, stdout: "", stderr: "cannot run `\(program)`: \(String(cString: strerror(spawned)))")
        }
        var stdout = Data(), stderr = Data()
        var open = [out[0], err[0]]
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false, tooLarge = false
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !open.isEmpty && !tooLarge {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { timedOut = true; break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(left, 1) * 1000))
            if ready < 0 && errno != EINTR { break }
            for fd in fds where fd.revents != 0 {
                let n = read(fd.fd, &buffer, buffer.count)
                if n > 0 {
                    if fd.fd == out[0] { stdout.append(contentsOf: buffer[0..<n]) } else { stderr.append(contentsOf: buffer[0..<n]) }
                    if stdout.count > maxOutput || stderr.count > maxOutput { tooLarge = true; break }
                } else {
                    open.removeAll { $0 == fd.fd }
                }
            }
        }
        if timedOut || tooLarge { kill(pid, SIGKILL) }
        close(out[0]); close(err[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        if tooLarge {
            return CommandResult(status: 125, stdout: "", stderr: "its output passed \(maxOutput >> 20) MiB: stopped")
        }
        return CommandResult(status: exit, stdout: String(decoding: stdout, as: UTF8.self),
                             stderr: String(decoding: stderr, as: UTF8.self), timedOut: timedOut)
    }
}
