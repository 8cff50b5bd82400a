import JSON
import Store

/// The JSON shape of each answer, field for field as the contract names them.
extension JSONWriter {
    mutating func write(_ items: [ArtistListItem]) {
        beginArray()
        for a in items {
            beginObject()
            field("id", a.id)
            field("name", a.name)
            field("work_count", a.workCount)
            field("recording_count", a.recordingCount)
            nullField("avatar_url")
            endObject()
        }
        endArray()
    }

    mutating func write(_ a: ArtistDetail) {
        beginObject()
        field("id", a.id)
        field("name", a.name)
        field("musicbrainz_id", a.musicbrainzID)
        field("work_count", a.workCount)
        field("recording_count", a.recordingCount)
        endObject()
    }

    mutating func write(_ items: [ArtistWork]) {
        beginArray()
        for w in items {
            beginObject()
            field("id", w.id)
            field("title", w.title)
            field("artist_names", w.artistNames)
            field("recording_count", w.recordingCount)
            field("duration_total", w.durationTotal)
            nullField("year")
            endObject()
        }
        endArray()
    }

    mutating func write(_ w: WorkDetail) {
        beginObject()
        field("id", w.id)
        field("title", w.title)
        field("artist_id", w.artistID)
        field("artist_name", w.artistName)
        field("artist_names", w.artistNames)
        field("is_instrumental", w.isInstrumental)
        field("recording_count", w.recordingCount)
        endObject()
    }

    mutating func write(_ items: [RecordingItem]) {
        beginArray()
        for r in items {
            beginObject()
            field("id", r.id)
            field("title", r.title)
            field("artist_display", r.artistDisplay)
            field("duration", r.duration)
            field("version_type", r.versionType)
            field("work_title", r.workTitle)
            field("is_verified", r.isVerified)
            field("has_file", r.hasFile)
            field("filename", r.filename)
            endObject()
        }
        endArray()
    }
}
