/// The library endpoints: each has its own cache TTL and its own line in reports.
public enum Endpoint: String, CaseIterable, Sendable {
    case artists, artist, artistWorks = "artist_works", work, workRecordings = "work_recordings"

    /// How reports name it.
    public var template: String {
        switch self {
        case .artists: "GET /artists"
        case .artist: "GET /artists/{id}"
        case .artistWorks: "GET /artists/{id}/works"
        case .work: "GET /works/{id}"
        case .workRecordings: "GET /works/{id}/recordings"
        }
    }

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
}
