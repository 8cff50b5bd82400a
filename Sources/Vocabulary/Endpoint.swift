/// The library endpoints: each has its own inner-cache TTL and counters.
public enum Endpoint: String, CaseIterable, Sendable {
    case artists, artist, artistWorks = "artist_works", work, workRecordings = "work_recordings"

    /// The inner cache's TTL when nothing is configured, in seconds.
    public var defaultTTL: Int {
        switch self {
        case .artist, .work: 300
        case .artistWorks: 180
        case .workRecordings: 120
        case .artists: 60
        }
    }

    /// The environment variable that sets this endpoint's TTL.
    public var ttlVariable: String { "CACHE_TTL_\(rawValue.uppercased())" }

    /// The endpoint a library path's segments name by their shape alone
    /// (`artists`, `artists/X`, `artists/X/works`, `works/X`,
    /// `works/X/recordings`, below `Paths.library`); nil for any other
    /// shape, an empty segment included. The one table of the API's routes:
    /// the API matches decoded segments (then validates X), the metrics
    /// the raw ones (as nginx's `$airwave_endpoint` does).
    public init?<Segment: Collection<UInt8>>(segments: [Segment]) {
        guard !segments.contains(where: \.isEmpty) else { return nil }
        func named(_ index: Int, _ name: StaticString) -> Bool {
            name.withUTF8Buffer { segments[index].elementsEqual($0) }
        }
        switch segments.count {
        case 1 where named(0, "artists"): self = .artists
        case 2 where named(0, "artists"): self = .artist
        case 3 where named(0, "artists") && named(2, "works"): self = .artistWorks
        case 2 where named(0, "works"): self = .work
        case 3 where named(0, "works") && named(2, "recordings"): self = .workRecordings
        default: return nil
        }
    }

    /// Its place among the endpoints (`allCases` order): the shared cache's
    /// counters are kept in this order.
    public var index: UInt16 { UInt16(Self.allCases.firstIndex(of: self)!) }
}
