import Support
import Traffic
import Vocabulary

/// The exact sequence of requests an analysis sends: for each endpoint in
/// turn, `requests` targets drawn with a skew from a working set of ids.
/// Deterministic: a seed and the library give the same plan every time.
public struct RequestPlan: Sendable {
    public var steps: [(template: Template, target: String)] = []

    public init(steps: [(template: Template, target: String)]) { self.steps = steps }

    public init(requests: Int, workingSet: Int, artistIDs: [Int64], workIDs: [Int64], seed: UInt64) {
        var random = RandomSource(seed: seed)
        let artists = Popularity(artistIDs, seed: seed).ranked.prefix(workingSet)
        let works = Popularity(workIDs, seed: seed &+ 1).ranked.prefix(workingSet)
        let pages = Array(0..<max(1, min(workingSet, artistIDs.count / 50 + 1)))
        func draw<T>(_ items: ArraySlice<T>) -> T { items[items.startIndex + random.skewed(items.count, exponent: 2)] }
        for template in analysedTemplates {
            for _ in 0..<requests {
                let target: String
                switch template {
                case .artists: target = Paths.artists(skip: draw(pages[...]) * 50, limit: 50)
                case .artist: target = Paths.artist(draw(artists))
                case .artistWorks: target = Paths.artistWorks(draw(artists))
                case .work: target = Paths.work(draw(works))
                case .recordings, .filteredRecordings:
                    // Half the time with a filter, as users narrow the list.
                    let work = draw(works)
                    target = random.chance(0.5)
                        ? Paths.recordings(work, status: random.pick(StatusFilter.allCases), source: random.pick(SourceFilter.allCases))
                        : Paths.recordings(work)
                }
                steps.append((template, target))
            }
        }
    }

    /// Reads the ids from the server: its artist list, and the works of the
    /// working set's artists (with `limit=100`, a URL the plan never sends,
    /// so this warms no cache entry the analysis then counts).
    public static func load(_ configuration: AnalysisConfiguration, connection: HTTPConnection) throws(TrafficError) -> RequestPlan {
        let catalog = try Catalog.load(from: connection)
        var workIDs: [Int64] = []
        for artist in Popularity(catalog.artistIDs, seed: configuration.seed).ranked.prefix(max(configuration.workingSet, 10)) {
            let target = Paths.artistWorks(artist, limit: 100)
            let response = try connection.request(target)
            guard response.status == 200 else { throw TrafficError("GET \(target) answered \(response.status)") }
            workIDs += try Catalog.ids(in: response, target)
        }
        guard !workIDs.isEmpty else { throw TrafficError("the library's popular artists have no works to analyse") }
        return RequestPlan(requests: configuration.requests, workingSet: configuration.workingSet,
                           artistIDs: catalog.artistIDs, workIDs: Array(Set(workIDs)).sorted(), seed: configuration.seed)
    }
}
