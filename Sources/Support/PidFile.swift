#if canImport(Glibc)
import Glibc
#endif

/// The file a long-running process writes its pid to, for the stack
/// script (which believes it only when /proc shows the right command).
public enum PidFile {
    /// Writes this process's pid anew, never through a symbolic link.
    public static func write(to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError("write \(path)") }
        defer { close(fd) }
        let bytes = Array("\(getpid())\n".utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw SystemError("write \(path)") }
    }

    /// Removes it if it still names this process (another may have taken the path).
    public static func remove(_ path: String) {
        guard let file = fopen(path, "r") else { return }
        var text: [UInt8] = []
        while text.count < 32, case let c = fgetc(file), c != EOF { text.append(UInt8(c)) }
        fclose(file)
        if String(decoding: text, as: UTF8.self).trimmingBlanks == "\(getpid())" { unlink(path) }
    }
}
