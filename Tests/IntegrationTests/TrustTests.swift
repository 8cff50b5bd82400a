import DemoData
import Foundation
import Testing

/// What the stack and the pool refuse to trust: a run folder, settings file
/// or socket folder others can write, a pid file naming another process, a
/// workers' user that does not exist or is root.
@Suite struct TrustTests {
    let dir: String
    let database: String

    init() throws {
        dir = Stack.root + "/run/trust-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        database = try TemporaryLibrary(artists: 20, in: dir).path
    }

    func stack(_ arguments: String..., runDir: String, extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let environment = ProcessInfo.processInfo.environment.merging([
            "AIRWAVE_BIN": Stack.binary, "AIRWAVE_RUN_DIR": runDir, "AIRWAVE_PORT": "\(try Stack.freePort())", "AIRWAVE_DB": database,
        ].merging(extra) { $1 }) { $1 }
        return try Subprocess.run(Stack.root + "/scripts/stack", arguments, environment: environment)
    }

    @Test func aRunFolderOthersCanWriteIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = dir + "/open"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: false)
        chmod(run, 0o777)
        let up = try stack("up", runDir: run)
        #expect(up.status != 0 && up.output.contains("can be written by others (mode 777)"), "\(up.output)")
        #expect(!FileManager.default.fileExists(atPath: run + "/pool.pid"))
        for command in [["reload"], ["inner-cache", "off"], ["outer-cache", "off"]] {
            let refused = try Subprocess.run(Stack.root + "/scripts/stack", command,
                                             environment: ProcessInfo.processInfo.environment.merging(["AIRWAVE_RUN_DIR": run]) { $1 })
            #expect(refused.status != 0 && refused.output.contains("refusing to trust it"), "\(command)")
        }
    }

    /// The folders in the run folder, and every folder above it, are held to
    /// the same rule; a sticky one (as /tmp) is fine above it.
    @Test func aLogsFolderOrAFolderAboveOthersCanWriteIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = dir + "/run"
        try FileManager.default.createDirectory(atPath: run + "/logs", withIntermediateDirectories: true)
        chmod(run + "/logs", 0o777)
        let logs = try stack("render", runDir: run)
        #expect(logs.status != 0 && logs.output.contains("\(run)/logs can be written by others (mode 777)"), "\(logs.output)")

        let open = dir + "/open"
        try FileManager.default.createDirectory(atPath: open + "/run", withIntermediateDirectories: true)
        chmod(open, 0o777)
        let above = try stack("render", runDir: open + "/run")
        #expect(above.status != 0 && above.output.contains("\(open), above the run folder, can be written by others (mode 777)"), "\(above.output)")
        chmod(open, 0o1777)
        let sticky = try stack("render", runDir: open + "/run")
        #expect(sticky.status == 0, "\(sticky.output)")
    }

    /// Above the run folder: a folder of your own private group, writable by
    /// it (the 775 a umask of 002 makes), is yours; one another user owns,
    /// or another group can write, is not.
    @Test(.enabled(if: geteuid() == 0)) func foldersAboveMustBeYoursOrRoots() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let above = dir + "/above"
        try FileManager.default.createDirectory(atPath: above + "/run", withIntermediateDirectories: true)
        chmod(above, 0o775)  // root:root, root's private group
        let own = try stack("render", runDir: above + "/run")
        #expect(own.status == 0, "\(own.output)")
        let user = try #require(getpwnam("airwave"))
        chown(above, 0, user.pointee.pw_gid)
        let group = try stack("render", runDir: above + "/run")
        #expect(group.status != 0 && group.output.contains("\(above), above the run folder, can be written by others (mode 775)"), "\(group.output)")
        chmod(above, 0o755)
        chown(above, user.pointee.pw_uid, user.pointee.pw_gid)
        let theirs = try stack("render", runDir: above + "/run")
        #expect(theirs.status != 0 && theirs.output.contains("\(above), above the run folder, belongs to uid \(user.pointee.pw_uid)"), "\(theirs.output)")
    }

    /// Root's pool hands its log file to the workers' group: never through
    /// a symbolic link, which could name any file on the machine.
    @Test(.enabled(if: geteuid() == 0)) func aLogFileThatIsASymbolicLinkIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/precious"
        try "keep me\n".write(toFile: target, atomically: false, encoding: .utf8)
        chmod(target, 0o600)
        try FileManager.default.createSymbolicLink(atPath: dir + "/pool.log", withDestinationPath: target)
        let serve = try Subprocess.run(Stack.binary, ["serve", "--db", database, "--socket", dir + "/pool.sock", "--log-file", dir + "/pool.log"])
        #expect(serve.status != 0 && serve.output.contains("is a symbolic link"), "\(serve.output)")
        let info = try FileManager.default.attributesOfItem(atPath: target)
        #expect((info[.posixPermissions] as? Int) == 0o600 && (info[.groupOwnerAccountID] as? Int) == 0)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me\n")
    }

    @Test(.enabled(if: geteuid() == 0)) func aRunFolderOfAnotherUserIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = dir + "/theirs"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: false)
        let user = try #require(getpwnam("airwave"))
        chown(run, user.pointee.pw_uid, user.pointee.pw_gid)
        let up = try stack("up", runDir: run)
        #expect(up.status != 0 && up.output.contains("belongs to uid \(user.pointee.pw_uid), not to you"), "\(up.output)")
    }

    @Test(.enabled(if: geteuid() == 0)) func aWorkersUserThatCannotBeUsedIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = try stack("up", runDir: dir + "/a", extra: ["AIRWAVE_USER": "no-such-user-here"])
        #expect(missing.status != 0 && missing.output.contains("no user 'no-such-user-here'"), "\(missing.output)")
        let root = try stack("up", runDir: dir + "/b", extra: ["AIRWAVE_USER": "root"])
        #expect(root.status != 0 && root.output.contains("is root"), "\(root.output)")
        // The pool itself, without the script.
        let serve = try Subprocess.run(Stack.binary, ["serve", "--db", database, "--socket", dir + "/pool.sock", "--user", "root"])
        #expect(serve.status != 0 && serve.output.contains("'root' is root"), "\(serve.output)")
    }

    @Test func aSettingsFileOrSocketFolderOthersCanWriteIsRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let settings = dir + "/pool.env"
        try "AIRWAVE_WORKERS=1\n".write(toFile: settings, atomically: false, encoding: .utf8)
        chmod(settings, 0o666)
        let refused = try Subprocess.run(Stack.binary, ["serve", "--db", database, "--socket", dir + "/pool.sock", "--config", settings])
        #expect(refused.status != 0 && refused.output.contains("can be written by others"), "\(refused.output)")
        let open = dir + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: false)
        chmod(open, 0o777)
        let socket = try Subprocess.run(Stack.binary, ["serve", "--db", database, "--socket", open + "/pool.sock"])
        #expect(socket.status != 0 && socket.output.contains("can be written by others"), "\(socket.output)")
        #expect(!FileManager.default.fileExists(atPath: open + "/pool.sock"))
    }

    /// A pid file naming a process that is not this stack's pool or nginx:
    /// nothing is signalled, the file goes.
    @Test func aPidFileIsCheckedBeforeASignal() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = dir + "/stale"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: false)
        let bystander = try Subprocess("/bin/sleep", ["30"])
        defer { bystander.signal(SIGKILL); bystander.wait() }
        for file in ["pool.pid", "nginx.pid"] { try "\(bystander.pid)\n".write(toFile: run + "/" + file, atomically: false, encoding: .utf8) }
        let down = try stack("down", runDir: run)
        #expect(down.status == 0 && down.output.contains("which is not this stack's"), "\(down.output)")
        #expect(Stack.isAlive(bystander.pid))
        #expect(!FileManager.default.fileExists(atPath: run + "/pool.pid") && !FileManager.default.fileExists(atPath: run + "/nginx.pid"))
        try "\(bystander.pid)\n".write(toFile: run + "/pool.pid", atomically: false, encoding: .utf8)
        let reload = try stack("reload", runDir: run)
        #expect(reload.status != 0 && Stack.isAlive(bystander.pid))
    }
}
