import CSupport
import Support

#if canImport(Glibc)
import Glibc
#endif

/// The pool's listening unix socket, created before the workers are forked
/// so that all of them accept on it.
public struct UnixListener {
    public let path: String
    public let descriptor: Int32

    /// Binds `path` and lets only its owner (mode 0600), or also `group`
    /// (0660: nginx's workers), connect. The folder must be one only its owner
    /// can write, or anybody could replace the socket. A socket file left by a
    /// crashed pool (nobody accepting) is replaced; a live one, or any other
    /// kind of file, is an error.
    public init(path: String, backlog: Int32 = 1024, group: gid_t? = nil) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            throw SetupError("socket path is \(path.utf8.count) bytes, more than the \(capacity - 1) a unix socket allows: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        try Self.checkFolder(of: path)
        try Self.removeStale(path, address)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        // Nobody else may connect between bind and chmod.
        let umask = Glibc.umask(0o077)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        _ = Glibc.umask(umask)
        guard bound == 0 else {
            let error = SystemError("bind \(path)")
            Glibc.close(fd)
            throw error
        }
        // nginx's workers run as the workers' user when started by root: its group may connect.
        let mode: mode_t = group == nil ? 0o600 : 0o660
        if chmod(path, mode) != 0 || group.map({ chown(path, uid_t.max, $0) }) ?? 0 != 0 {
            let error = SystemError("chmod/chown \(path)")
            Glibc.close(fd)
            unlink(path)
            throw error
        }
        guard listen(fd, backlog) == 0 else {
            let error = SystemError("listen \(path)")
            Glibc.close(fd)
            unlink(path)
            throw error
        }
        self.path = path
        self.descriptor = fd
    }

    /// Takes over a listening socket inherited from the image before an exec
    /// (a graceful reload): nothing is closed, so no connection is refused.
    public init(inherited descriptor: Int32, path: String) throws {
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &length) == 0, type == Int32(SOCK_STREAM.rawValue) else {
            throw SetupError("descriptor \(descriptor) is not a listening socket")
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        self.path = path
        self.descriptor = descriptor
    }

    /// What `accept` found.
    public enum Accepted {
        /// A new connection: a non-blocking, close-on-exec descriptor.
        case connection(Int32)
        /// A signal arrived first.
        case interrupted
        /// accept(2) failed with this errno (a connection reset before it
        /// was taken, too many open files…): the listener itself is fine.
        case failed(Int32)
    }

    /// Whether a connection is waiting, after waiting for one at most
    /// `milliseconds` (a signal ends the wait early).
    public func hasConnection(within milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, milliseconds) == 1 && entry.revents & Int16(POLLIN) != 0
    }

    /// Waits for the next connection.
    public func accept() -> Accepted {
        let fd = airwave_accept(descriptor)
        if fd >= 0 { return .connection(fd) }
        return errno == EINTR ? .interrupted : .failed(errno)
    }

    /// Closes the socket and removes its file.
    public func close() {
        Glibc.close(descriptor)
        unlink(path)
    }

    /// Refuses a folder that another user owns or that others may write.
    static func checkFolder(of path: String) throws {
        let folder = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(path[..<$0]) } ?? "."
        var info = stat()
        guard stat(folder.isEmpty ? "/" : folder, &info) == 0 else { throw SystemError("stat of the socket's folder \(folder)") }
        guard info.st_uid == geteuid() else {
            throw SetupError("the socket's folder \(folder) belongs to user \(info.st_uid), not to this process's user \(geteuid()); refusing to listen there")
        }
        guard info.st_mode & 0o022 == 0 else {
            throw SetupError("the socket's folder \(folder) can be written by others (mode \(String(info.st_mode & 0o7777, radix: 8))): anybody could replace the socket; use a folder only its owner can write (chmod go-w)")
        }
    }

    private static func removeStale(_ path: String, _ address: sockaddr_un) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw SetupError("\(path) exists and is not a socket; refusing to replace it")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { Glibc.close(probe) }
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if connected == 0 {
            throw SetupError("\(path) is in use by a running pool; stop it first")
        }
        unlink(path)
    }
}
