#if canImport(Glibc)
import Glibc
#endif

/// Why a listening socket could not be opened.
public struct ListenerError: Error, CustomStringConvertible {
    public let description: String
}

/// The pool's listening unix socket, created before the workers are forked
/// so that all of them accept on it.
public struct UnixListener {
    public let path: String
    public let descriptor: Int32

    /// Binds `path`. A socket file left by a crashed pool (nobody accepting)
    /// is replaced; a live one, or any other kind of file, is an error.
    public init(path: String, backlog: Int32 = 1024, mode: mode_t = 0o666) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else {
            throw ListenerError(description: "socket path is \(path.utf8.count) bytes, more than the \(capacity - 1) a unix socket allows: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        try Self.removeStale(path, address)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ListenerError(description: "socket(): \(String(cString: strerror(errno)))") }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw ListenerError(description: "cannot bind \(path): \(reason)")
        }
        // nginx's workers may run as another user: they must be able to connect.
        chmod(path, mode)
        guard listen(fd, backlog) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            unlink(path)
            throw ListenerError(description: "cannot listen on \(path): \(reason)")
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
            throw ListenerError(description: "descriptor \(descriptor) is not a listening socket")
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        self.path = path
        self.descriptor = descriptor
    }

    /// Lets the socket survive an exec (for a graceful reload).
    public func keepAcrossExec(_ keep: Bool) {
        _ = fcntl(descriptor, F_SETFD, keep ? 0 : FD_CLOEXEC)
    }

    /// Closes the socket and removes its file.
    public func close() {
        Glibc.close(descriptor)
        unlink(path)
    }

    private static func removeStale(_ path: String, _ address: sockaddr_un) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ListenerError(description: "\(path) exists and is not a socket; refusing to replace it")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { Glibc.close(probe) }
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if connected == 0 {
            throw ListenerError(description: "\(path) is in use by a running pool; stop it first")
        }
        unlink(path)
    }
}
