import CSupport
import Support

#if canImport(Glibc)
import Glibc
#endif

/// A unix socket: for nginx on the same host.
extension Listener {
    /// Binds `path` and lets only its owner (mode 0600), or also `group`
    /// (0660: nginx's workers), connect. The folder must be one only its owner
    /// can write, or anybody could replace the socket. A socket file left by a
    /// crashed pool (nobody accepting) is replaced; a live one, or any other
    /// kind of file, is an error.
    static func bindUnix(_ path: String, group: gid_t?, backlog: Int32) throws -> Int32 {
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
        try checkFolder(of: path)
        try removeStale(path, address)
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
        return fd
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
