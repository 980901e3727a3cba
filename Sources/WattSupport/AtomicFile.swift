import Foundation

/// Replaces a file's content at once (a reader sees the old file or the new, never half):
/// the bytes go to a new temporary file beside the target, then `rename` puts it in place.
/// The temporary is created with `O_CREAT|O_EXCL|O_NOFOLLOW` under a name of its own each
/// time, so a symlink or file planted in a shared directory (a metrics directory several
/// users write to) is never followed or overwritten; close-on-exec, so a command spawned
/// meanwhile never holds it.
public enum AtomicFile {
    public struct Failure: LocalizedError, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write `\(path)`: \(reason)" }
        /// The reason alone (callers name the file themselves).
        public var errorDescription: String? { reason }
    }

    /// Writes `bytes` to `path` (mode 0644 less the umask). The temporary is named
    /// `PATH.PID.RANDOM.tmp` (never `*.prom`, which a textfile collector would read).
    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        try write(bytes, to: path, suffix: { "\(getpid()).\(UInt64.random(in: 0 ... .max) & 0xffff_ffff)" })
    }

    static func write(_ bytes: [UInt8], to path: String, suffix: () -> String) throws(Failure) {
        var temporary = ""
        var fd: Int32 = -1
        for _ in 0..<16 {
            temporary = "\(path).\(suffix()).tmp"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let why = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw Failure(path: path, reason: why)
            }
            written += n
        }
        guard close(fd) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(path: path, reason: why)
        }
        guard rename(temporary, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure(path: path, reason: why)
        }
    }
}
