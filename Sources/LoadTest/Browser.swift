import Support
import Traffic
import Vocabulary

/// One simulated listener's clicks, as the guide describes them: the artist
/// list, an artist, their works (`limit=24`), one of those works, its
/// recordings (`limit=100`), and half the time the recordings again with a
/// random `status` and `source`. Then another artist.
struct Browser {
    private let catalog: Catalog
    private let popularity: Popularity<Int>
    private var random: RandomSource
    private var steps: [(Template, String)] = []
    private var artist: Int64 = 0
    static let listPage = 50

    init(catalog: Catalog, popularity: Popularity<Int>, seed: UInt64) {
        self.catalog = catalog
        self.popularity = popularity
        random = RandomSource(seed: seed)
    }

    /// True between two visits: the moment a listener thinks.
    var visitEnded: Bool { steps.isEmpty }

    /// The next request to make.
    mutating func next() -> (Template, String) {
        if steps.isEmpty { startVisit() }
        return steps.removeFirst()
    }

    /// Learns from an answer: the works list says which works there are.
    mutating func saw(_ template: Template, _ response: HTTPResponse) {
        guard template == .artistWorks else { return }
        guard response.status == 200, let ids = try? Catalog.ids(in: response, "works"), !ids.isEmpty else {
            steps.removeAll()  // no work to open: on to another artist
            return
        }
        // The top of the list is looked at more often than the bottom.
        let work = ids[random.skewed(ids.count, exponent: 2)]
        steps = [(.work, Paths.work(work)), (.recordings, Paths.recordings(work))]
        if random.chance(0.5) {
            let status = random.pick(StatusFilter.allCases), source = random.pick(SourceFilter.allCases)
            steps.append((.filteredRecordings, Paths.recordings(work, status: status, source: source)))
        }
    }

    private mutating func startVisit() {
        let index = popularity.draw(&random)
        artist = catalog.artistIDs[index]
        // The list page that shows this artist, then the artist.
        let skip = index / Self.listPage * Self.listPage
        steps = [(.artists, Paths.artists(skip: skip, limit: Self.listPage)),
                 (.artist, Paths.artist(artist)),
                 (.artistWorks, Paths.artistWorks(artist))]
    }
}
