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

    /// Its place among the endpoints (`allCases` order): the shared cache's
    /// counters are kept in this order.
    public var index: UInt16 { UInt16(Self.allCases.firstIndex(of: self)!) }
}
