import API
import Cache
import DemoData
import FastCGI
import Foundation
import Pool
@testable import Server
import Store
import Support
import Testing

/// A worker assembled as the pool assembles it, driven in-process with
/// FastCGI requests: no nginx, no socket.
@Suite struct ResponderTests {
    let library: TemporaryLibrary
    let settings: Settings

    init() throws {
        library = try TemporaryLibrary(artists: 30)
        var settings = Settings(database: library.path, pool: PoolConfiguration(listen: .unix(path: "/unused.sock")))
        settings.systemSecret = try SystemSecret(Array("0123456789abcdef0123".utf8))
        self.settings = settings
    }

    func request(_ method: String, _ uri: String, secret: String? = nil) -> FastCGIRequest {
        FastCGIRequest(parameters: [("REQUEST_METHOD", Array(method.utf8)), ("REQUEST_URI", Array(uri.utf8))]
                       + (secret.map { [("AIRWAVE_SYSTEM_SECRET", Array($0.utf8))] } ?? []))
    }

    static func head(_ response: FastCGIResponse) -> String { String(decoding: response.head, as: UTF8.self) }

    @Test func twoWorkersShareOneCache() throws {
        let cache = try SharedCache()
        let facts = try ArtistFacts(capacity: 100)
        let first = try Server.worker(nil, settings: settings, cache: cache, artistFacts: facts)
        let second = try Server.worker(nil, settings: settings, cache: cache, artistFacts: facts)
        let miss = first.respond(request("GET", "/api/v1/library/artists/3"))
        #expect(Self.head(miss).hasPrefix("Status: 200 OK\r\n") && Self.head(miss).contains("X-Cache-Inner: MISS\r\n"))
        let hit = second.respond(request("GET", "/api/v1/library/artists/3"))
        #expect(Self.head(hit).contains("X-Cache-Inner: HIT\r\n") && hit.body == miss.body)
        #expect(cache.counters()[.artist]?.misses == 1 && cache.counters()[.artist]?.hits == 1)
    }

    /// A worker that starts cannot tell whether what the pool cached predates
    /// commits its own connection already sees: it starts a new epoch, for
    /// the cache and for the artist facts.
    @Test func aWorkerThatStartsStartsANewEpoch() throws {
        let cache = try SharedCache()
        let facts = try ArtistFacts(capacity: 100)
        let first = try Server.worker(nil, settings: settings, cache: cache, artistFacts: facts)
        _ = first.respond(request("GET", "/api/v1/library/artists/3"))
        let (cacheEpoch, factsEpoch) = (cache.epoch, facts.epoch)
        let writer = try Database(path: library.path, mode: .readWrite)
        try writer.execute("UPDATE artists SET name = 'Renamed Before The Worker' WHERE id = 3")
        let second = try Server.worker(nil, settings: settings, cache: cache, artistFacts: facts)
        #expect(cache.epoch == cacheEpoch + 1 && facts.epoch == factsEpoch + 1 && cache.count == 0)
        let fresh = second.respond(request("GET", "/api/v1/library/artists/3"))
        #expect(String(decoding: fresh.body, as: UTF8.self).contains("Renamed Before The Worker"))
    }

    /// Workers of a pool that start together: each starts a new epoch, and
    /// once they have settled one of them builds the artist facts before its
    /// first request; the next finds them built and builds nothing.
    @Test func startingWorkersBuildTheFactsOnce() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("board-\(UUID()).sb").path
        defer { unlink(path) }
        let board = try Scoreboard.create(path: path, slots: 2, masterPID: getpid())
        let cache = try SharedCache()
        let facts = try ArtistFacts(capacity: 100)
        let epoch = facts.epoch
        let first = try Server.worker(WorkerContext(slot: 0, scoreboard: board), settings: settings, cache: cache, artistFacts: facts)
        #expect(facts.builds == 1 && facts.epoch == epoch + 1)
        let second = try Server.worker(WorkerContext(slot: 1, scoreboard: board), settings: settings, cache: cache, artistFacts: facts)
        #expect(facts.builds == 2 && facts.epoch == epoch + 2)  // its start moved the epoch: built again, once
        let list = first.respond(request("GET", "/api/v1/library/artists?limit=100"))
        #expect(second.respond(request("GET", "/api/v1/library/artists?limit=100")).body == list.body && facts.builds == 2)
        let status = second.respond(request("GET", "/api/v1/system/status", secret: "0123456789abcdef0123"))
        #expect(Self.head(status).hasPrefix("Status: 200 OK\r\n"))
    }

    /// The URI and method are read once, as bytes; a HEAD carries the body
    /// (nginx leaves it out) and the GET's Content-Length.
    @Test func aHeadGetsTheGetsHeadAndBody() throws {
        let worker = try Server.worker(nil, settings: settings, cache: nil, artistFacts: nil)
        let get = worker.respond(request("GET", "/api/v1/library/works/2"))
        let head = worker.respond(request("HEAD", "/api/v1/library/works/2"))
        #expect(head.head == get.head && head.body == get.body && !get.body.isEmpty)
        #expect(Self.head(get).contains("Content-Length: \(get.body.count)\r\n") && Self.head(get).contains("X-Cache-Inner: OFF\r\n"))
        let missing = worker.respond(FastCGIRequest(parameters: []))
        #expect(Self.head(missing).hasPrefix("Status: 404"))
    }

    @Test func systemEndpointsOnlyWithTheSecret() throws {
        let worker = try Server.worker(nil, settings: settings, cache: nil, artistFacts: nil)
        #expect(Self.head(worker.respond(request("GET", "/api/v1/system/ping"))).hasPrefix("Status: 403"))
        #expect(Self.head(worker.respond(request("GET", "/api/v1/system/ping", secret: "0123456789abcdef0124"))).hasPrefix("Status: 403"))
        let pong = worker.respond(request("GET", "/api/v1/system/ping", secret: "0123456789abcdef0123"))
        #expect(Self.head(pong).hasPrefix("Status: 200") && pong.body == Array("pong".utf8))
    }
}
