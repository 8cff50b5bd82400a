@testable import API
import DemoData
import Foundation
import Testing

/// The API's answers as JSON: nasty names intact, fields and types as the
/// contract names them.
@Suite struct JSONEncodingTests {
    @Test func nastyNamesSurviveTheWholeAPI() throws {
        let fixture = try Fixture()
        for (index, name) in LibraryGenerator.nastyArtistNames.enumerated() {
            let object = try #require(try fixture.json(Fixture.base + "/artists/\(index + 1)") as? [String: Any])
            #expect(object["name"] as? String == name)
            #expect(object["musicbrainz_id"] != nil)  // present, maybe null
        }
    }

    @Test func fieldsAndTypesAsTheContractNamesThem() throws {
        let fixture = try Fixture()
        let artists = try #require(try fixture.json(Fixture.base + "/artists?limit=1") as? [[String: Any]])
        #expect(Set(artists[0].keys) == ["id", "name", "work_count", "recording_count", "avatar_url"])
        #expect(artists[0]["avatar_url"] is NSNull)
        let artist = try #require(try fixture.json(Fixture.base + "/artists/1") as? [String: Any])
        #expect(Set(artist.keys) == ["id", "name", "musicbrainz_id", "work_count", "recording_count"])
        let works = try #require(try fixture.json(Fixture.base + "/artists/1/works?limit=1") as? [[String: Any]])
        #expect(Set(works[0].keys) == ["id", "title", "artist_names", "recording_count", "duration_total", "year"])
        let work = try #require(try fixture.json(Fixture.base + "/works/2") as? [String: Any])
        #expect(Set(work.keys) == ["id", "title", "artist_id", "artist_name", "artist_names", "is_instrumental", "recording_count"])
        #expect(work["is_instrumental"] as? Bool != nil && (work["is_instrumental"] as AnyObject) !== (0 as AnyObject))
        let recordings = try #require(try fixture.json(Fixture.base + "/works/3/recordings?limit=1") as? [[String: Any]])
        #expect(Set(recordings[0].keys) == ["id", "title", "artist_display", "duration", "version_type", "work_title", "is_verified", "has_file", "filename"])
        let text = fixture.get(Fixture.base + "/works/2").text
        #expect(text.contains(#""is_instrumental":false"#) || text.contains(#""is_instrumental":true"#))
    }
}
