import Vocabulary

/// The request kinds the tools report on, named as the guide's tables name them.
public enum Template: String, CaseIterable, Sendable, Codable {
    case artists = "GET /artists"
    case artist = "GET /artists/{id}"
    case artistWorks = "GET /artists/{id}/works"
    case work = "GET /works/{id}"
    case recordings = "GET /works/{id}/recordings"
    /// Recordings again with a `status` and `source` filter.
    case filteredRecordings = "GET /works/{id}/recordings (*)"

    /// The API's endpoint: its inner-cache counters in `cache/stats`.
    public var endpoint: Endpoint {
        switch self {
        case .artists: .artists
        case .artist: .artist
        case .artistWorks: .artistWorks
        case .work: .work
        case .recordings, .filteredRecordings: .workRecordings
        }
    }

    /// The endpoint's name in `GET /api/v1/system/cache/stats`.
    public var cacheStatsName: String { endpoint.rawValue }
}
