import Cache
import FastCGI
import Foundation
@testable import Server
import Support
import Testing
import Vocabulary

/// Settings: flags win over the settings file, which wins over the
/// environment; every bad value is refused with a sentence that names it.
@Suite struct SettingsTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.path + "/settings-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func file(_ text: String, mode: mode_t = 0o644) throws -> String {
        let path = folder + "/pool.env"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, mode)
        return path
    }

    @Test func defaultsWhenOnlyTheDatabaseIsGiven() throws {
        let settings = try Settings.resolve(Settings.Flags(), from: SettingsSource(environment: ["AIRWAVE_DB": "/x.db"]))
        #expect(settings.database == "/x.db" && settings.pool.listen == .unix(path: "run/pool.sock") && settings.pool.scoreboardPath == "run/pool.scoreboard")
        #expect(settings.innerCache && !settings.testEndpoints && settings.systemSecret == nil)
        #expect(settings.cache == SharedCache.Configuration())
        #expect(settings.pool.readTimeout == .seconds(1) && settings.pool.hungRequestLimit == .seconds(11))
        #expect(settings.store.requestTimeout == .seconds(10) && settings.slowRequest == .milliseconds(1000))
    }

    @Test func flagsWinOverTheFileWhichWinsOverTheEnvironment() throws {
        let path = try file("# the pool's settings\n\nAIRWAVE_WORKERS = 3\r\nCACHE_DEFAULT_TTL=7\nCACHE_TTL_WORK=9\n")
        let environment = ["AIRWAVE_DB": "/env.db", "AIRWAVE_WORKERS": "5", "AIRWAVE_CACHE_MAX_ENTRIES": "50", "AIRWAVE_CONFIG": path]
        var flags = Settings.Flags()
        var settings = try Settings.resolve(flags, from: SettingsSource(environment: environment))
        #expect(settings.pool.workers == 3 && settings.cache.maxEntries == 50)
        #expect(settings.cache.ttl[.artists] == .seconds(7) && settings.cache.ttl[.work] == .seconds(9))
        flags.workers = 2
        flags.db = "/flag.db"
        settings = try Settings.resolve(flags, from: SettingsSource(environment: environment))
        #expect(settings.pool.workers == 2 && settings.database == "/flag.db")
    }

    @Test func tcpLetsInLoopbackUnlessToldAndTakesLibfcgisVariable() throws {
        let tcp = ["AIRWAVE_DB": "/x.db", "AIRWAVE_LISTEN": "198.18.0.2:9000"]
        var settings = try Settings.resolve(Settings.Flags(), from: SettingsSource(environment: tcp))
        #expect(settings.pool.listen == .tcp(IPAddress("198.18.0.2")!, port: 9000) && settings.pool.scoreboardPath == "run/pool-9000.scoreboard")
        #expect(settings.pool.allowedPeers == [IPAddress("127.0.0.1")!, IPAddress("::1")!])
        settings = try Settings.resolve(Settings.Flags(), from: SettingsSource(environment: tcp.merging(["FCGI_WEB_SERVER_ADDRS": "198.18.0.1"]) { $1 }))
        #expect(settings.pool.allowedPeers == [IPAddress("198.18.0.1")!])
        var flags = Settings.Flags()
        flags.allowFrom = "198.18.0.1,198.18.0.5"
        flags.scoreboard = "/srv/pool.scoreboard"
        settings = try Settings.resolve(flags, from: SettingsSource(environment: tcp.merging(["FCGI_WEB_SERVER_ADDRS": "127.0.0.1"]) { $1 }))
        #expect(settings.pool.allowedPeers == [IPAddress("198.18.0.1")!, IPAddress("198.18.0.5")!])
        #expect(settings.pool.scoreboardPath == "/srv/pool.scoreboard")
        // A flag wins over the environment's other kind of address.
        flags = Settings.Flags()
        flags.socket = "/srv/pool.sock"
        settings = try Settings.resolve(flags, from: SettingsSource(environment: tcp))
        #expect(settings.pool.listen == .unix(path: "/srv/pool.sock") && settings.pool.scoreboardPath == "/srv/pool.scoreboard")
    }

    @Test(arguments: [
        (["AIRWAVE_LISTEN": "unix:/a.sock", "AIRWAVE_SOCKET": "/b.sock"], "both a listen address (unix:/a.sock) and a socket (/b.sock): give one (--listen unix:PATH is --socket PATH)"),
        (["AIRWAVE_ALLOW_FROM": "127.0.0.1"], "--allow-from is for a TCP --listen; a unix socket's mode says who connects"),
        (["AIRWAVE_LISTEN": "127.0.0.1:9000", "AIRWAVE_ALLOW_FROM": "nginx"],
         "the addresses allowed to connect (--allow-from): 'nginx' is not an IP address (the pool resolves no names; write nginx's address, e.g. 198.18.0.1)"),
        (["AIRWAVE_LISTEN": "pool.example:9000"], "listen address 'pool.example:9000': 'pool.example' is not an IP address (the pool binds an address, it resolves no names)"),
    ] as [([String: String], String)])
    func listenMistakesAreRefused(_ environment: [String: String], _ message: String) {
        #expect(throws: SetupError(message)) {
            try Settings.resolve(Settings.Flags(), from: SettingsSource(environment: environment.merging(["AIRWAVE_DB": "/x.db"]) { a, _ in a }))
        }
    }

    @Test(arguments: [
        (["AIRWAVE_WORKERS": "lots"], "AIRWAVE_WORKERS must be an integer, got 'lots'"),
        (["AIRWAVE_WORKERS": "0"], "workers must be from 1 to 256, got 0"),
        (["AIRWAVE_READ_TIMEOUT_MS": "0"], "read timeout must be from 1 to 60000 ms, got 0"),
        (["AIRWAVE_REQUEST_TIMEOUT": "-1"], "request timeout must be from 0 to 86400 seconds, got -1"),
        (["AIRWAVE_REQUEST_TIMEOUT": "9223372036854775807"], "request timeout must be from 0 to 86400 seconds, got 9223372036854775807"),
        (["AIRWAVE_SLOW_REQUEST_MS": "-2"], "slow request must be from 0 to 86400000 ms, got -2"),
        (["AIRWAVE_INNER_CACHE": "maybe"], "inner cache must be on or off, got 'maybe'"),
        (["CACHE_TTL_ARTISTS": "-5"], "TTLs must be from 0 to 31536000 seconds (a year), got -5"),
        (["CACHE_DEFAULT_TTL": "9300000000"], "TTLs must be from 0 to 31536000 seconds (a year), got 9300000000"),
        ([:], "no database: pass --db FILE or set AIRWAVE_DB"),
    ] as [([String: String], String)])
    func badValuesAreRefused(_ environment: [String: String], _ message: String) {
        let source = SettingsSource(environment: environment.merging(environment.isEmpty ? [:] : ["AIRWAVE_DB": "/x.db"]) { a, _ in a })
        #expect(throws: SetupError(message)) { try Settings.resolve(Settings.Flags(), from: source) }
    }

    @Test func aSettingsFileMustBeWellFormedAndClosedToOthers() throws {
        let broken = try file("AIRWAVE_WORKERS=2\nno equals sign\n")
        #expect(throws: SetupError("\(broken):2: expected NAME=value, got 'no equals sign'")) {
            try Settings.resolve(Settings.Flags(), from: SettingsSource(environment: ["AIRWAVE_DB": "/x.db", "AIRWAVE_CONFIG": broken]))
        }
        let open = try file("AIRWAVE_WORKERS=2\n", mode: 0o666)
        #expect {
            try Settings.resolve(Settings.Flags(), from: SettingsSource(environment: ["AIRWAVE_DB": "/x.db", "AIRWAVE_CONFIG": open]))
        } throws: { "\($0)".contains("can be written by others (mode 666)") }
    }

    @Test func theWorkersUserIsNeverRoot() throws {
        var flags = Settings.Flags()
        flags.db = "/x.db"
        flags.user = "root"
        #expect { try Settings.resolve(flags, from: SettingsSource(environment: [:])) } throws: {
            "\($0)".contains(geteuid() == 0 ? "'root' is root" : "only root can run the workers as another user")
        }
        flags.user = "no-such-user-here"
        #expect(throws: SetupError.self) { try Settings.resolve(flags, from: SettingsSource(environment: [:])) }
    }
}
