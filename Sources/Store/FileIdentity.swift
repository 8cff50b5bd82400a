import Support

#if canImport(Glibc)
import Glibc
#endif

/// Which file a path names, as stat(2) sees it. A file renamed over the path
/// is another file (another inode); the same file written in place is not
/// (that is `PRAGMA data_version`'s to notice). One stat costs about a
/// microsecond: cheap enough to ask before every request.
public struct FileIdentity: Sendable, Equatable {
    public let device: UInt64
    public let inode: UInt64
    /// When the inode last changed (st_ctim, ns): a write, chmod, chown or
    /// rename of this very file moves it.
    public let changed: Int64

    /// The file `path` names now (symbolic links followed, as SQLite opens it).
    public init(path: String) throws(SystemError) {
        var status = stat()
        guard stat(path, &status) == 0 else { throw SystemError("stat \(path)") }
        self.init(status)
    }

    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
        changed = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
    }

    /// The same inode on the same device, whatever happened to it since.
    public func isSameFile(as other: FileIdentity) -> Bool { device == other.device && inode == other.inode }
}
