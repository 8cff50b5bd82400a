/// What the store answers, field for field as the API returns it.

/// An item of `GET /artists`.
public struct ArtistListItem: Equatable, Sendable {
    public var id: Int64
    public var name: String
    public var workCount: Int
    public var recordingCount: Int
}

/// `GET /artists/{id}`.
public struct ArtistDetail: Equatable, Sendable {
    public var id: Int64
    public var name: String
    public var musicbrainzID: String?
    public var workCount: Int
    public var recordingCount: Int
}

/// An item of `GET /artists/{id}/works`.
public struct ArtistWork: Equatable, Sendable {
    public var id: Int64
    public var title: String
    public var artistNames: String
    public var recordingCount: Int
    /// Sum of the recordings' durations; nil when none has one.
    public var durationTotal: Double?
}

/// `GET /works/{id}`.
public struct WorkDetail: Equatable, Sendable {
    public var id: Int64
    public var title: String
    public var artistID: Int64?
    public var artistName: String?
    public var artistNames: String
    public var isInstrumental: Bool
    public var recordingCount: Int
}

/// An item of `GET /works/{id}/recordings`.
public struct RecordingItem: Equatable, Sendable {
    public var id: Int64
    public var title: String
    public var artistDisplay: String
    public var duration: Double?
    public var versionType: String?
    public var workTitle: String
    public var isVerified: Bool
    public var hasFile: Bool
    public var filename: String?
}

/// The name shown when a work has no linked artist at all.
public let unknownArtist = "Unknown"
