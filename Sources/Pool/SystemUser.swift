import Support

#if canImport(Glibc)
import Glibc
#endif

/// The unprivileged user a pool started by root runs its workers as (the
/// master stays root, as PHP-FPM's does: it owns the socket, the scoreboard
/// and the logs, and execs itself on a reload).
public struct SystemUser: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let uid: uid_t
    public let gid: gid_t

    public var description: String { "\(name) (uid \(uid), gid \(gid))" }

    /// Looks the user up in the system's accounts.
    public static func named(_ name: String) throws -> SystemUser {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let rc = getpwnam_r(name, &entry, &buffer, buffer.count, &result)
        guard rc == 0, result != nil else {
            throw SetupError("no user named '\(name)' on this machine: create it (scripts/install-deps does: useradd --system --no-create-home --shell /usr/sbin/nologin \(name)) or name another one (AIRWAVE_USER)")
        }
        guard entry.pw_uid != 0 else {
            throw SetupError("'\(name)' is root: the workers must run as an unprivileged user (AIRWAVE_USER)")
        }
        return SystemUser(name: name, uid: entry.pw_uid, gid: entry.pw_gid)
    }

    /// Becomes this user for good: its group only, then its uid. Checked:
    /// root cannot be had back.
    func become() throws {
        var groups = [gid]
        guard setgroups(1, &groups) == 0, setgid(gid) == 0, setuid(uid) == 0 else {
            throw SystemError("become \(self)")
        }
        guard setuid(0) != 0, geteuid() == uid, getegid() == gid else {
            throw SetupError("still able to become root after switching to \(self)")
        }
    }

    /// Runs `body` with this user's rights (effective ids only), then takes
    /// root's back: for checking, in the master, what a worker will be able
    /// to open.
    public func acting<T>(_ body: () throws -> T) throws -> T {
        var saved = [gid_t](repeating: 0, count: Int(getgroups(0, nil)))
        saved = Array(saved.prefix(Int(getgroups(Int32(saved.count), &saved))))
        var groups = [gid]
        guard setgroups(1, &groups) == 0, setegid(gid) == 0, seteuid(uid) == 0 else {
            throw SystemError("act as \(self)")
        }
        defer {
            _ = seteuid(0)
            _ = setegid(0)
            _ = setgroups(saved.count, &saved)
        }
        return try body()
    }
}
