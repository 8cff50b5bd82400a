import API
import ArgumentParser
import Store
import Support

struct Measure: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time requests inside one worker (no nginx, no FastCGI, no response cache): where the time goes.",
        discussion: """
        Each URI is answered --requests times by the same code a worker runs, with the inner cache
        off, after one warm-up answer. `{n}` in a URI is replaced by a pseudo-random number from 1
        to --max-id on each request (the same sequence every run).
        Example: airwave measure --db run/bench/large.db '/api/v1/library/artists/{n}'
        """
    )

    @Option(help: "The Air-Wave database file.")
    var db: String

    @Option(help: "Answers per URI.")
    var requests = 2000

    @Option(help: "Upper bound for {n}.")
    var maxId = 30000

    @Flag(help: "Without the pool's artist facts (every artist's totals and the name order, per data version).")
    var noArtistFacts = false

    @Argument(help: "Request URIs (path and query).")
    var uris: [String]

    func run() throws {
        // As a worker has it: the pool's artist facts, built before the first answer.
        let artists = Int(try Database(path: db).rows("SELECT count(*) FROM artists")[0][0] ?? "0") ?? 0
        let store = try LibraryStore(path: db, artistFacts: noArtistFacts ? nil : ArtistFacts(capacity: max(1024, 2 * artists)))
        let started = SystemClock.now()
        try store.prepareArtistFacts()
        if !noArtistFacts { print("artist facts built in \(Format.milliseconds(SystemClock.now() - started)) ms") }
        let api = LibraryAPI(store: store, cache: nil)
        var state: UInt64 = 0x2545F4914F6CDD1D
        print("µs per answer       mean      p50      p99     bytes  uri")
        for uri in uris {
            var micros: [Double] = []
            var bytes = 0
            for i in 0...requests {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                let target = uri.replacingAll("{n}", with: String(state % UInt64(maxId) + 1))
                let start = SystemClock.now()
                let response = api.respond(method: "GET", uri: target)
                if i > 0 { micros.append(Double(SystemClock.now() - start) / 1000) }
                bytes += response.body.count
                guard response.status == 200 || response.status == 404 else {
                    throw ValidationError("\(target) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
                }
            }
            micros.sort()
            let mean = micros.reduce(0, +) / Double(micros.count)
            func column(_ value: Double) -> String { String(repeating: " ", count: max(0, 9 - String(Int(value)).count)) + String(Int(value.rounded())) }
            print("              \(column(mean))\(column(micros[micros.count / 2]))\(column(micros[micros.count * 99 / 100]))\(column(Double(bytes / (requests + 1))))  \(uri)")
        }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
