@testable import API
import JSON
import DemoData
import Foundation
import Testing

@Suite struct JSONTests {
    func roundTrip(_ text: String) throws -> String {
        var json = JSONWriter()
        json.beginObject()
        json.field("s", text)
        json.endObject()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: String])
        return try #require(object["s"])
    }

    @Test func everyControlCharacterIsEscaped() throws {
        let all = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) } + ["\u{7F}", "\"", "\\", "/"]))
        var json = JSONWriter()
        json.value(all)
        #expect(json.bytes.allSatisfy { $0 >= 0x20 && $0 != 0x7F })
        #expect(try roundTrip(all) == all)
        #expect(String(decoding: json.bytes, as: UTF8.self).hasPrefix(#""\u0000\u0001"#))
    }

    @Test func nonASCIIStaysAsItIs() throws {
        for text in ["Сергей", "坂本龍一", "👩‍🎤", "محمد", "e\u{301}", "\u{2028}"] {
            var json = JSONWriter()
            json.value(text)
            #expect(json.bytes == Array("\"\(text)\"".utf8))
            #expect(try roundTrip(text) == text)
        }
    }

    @Test func numbersKeepTheirFullValue() throws {
        for value in [0.1, 215.43762189, 1e-7, 123456789.123456789, 5e-324, 1.7976931348623157e308, -0.0, 600] as [Double] {
            var json = JSONWriter()
            json.beginObject()
            json.field("d", value)
            json.endObject()
            let text = String(decoding: json.bytes, as: UTF8.self)
            let number = String(text.dropFirst(5).dropLast())
            #expect(Double(number) == value, "\(text)")
        }
        var json = JSONWriter()
        json.beginObject()
        json.field("inf", Double.infinity)
        json.field("none", nil as Double?)
        json.field("big", Int64.min)
        json.field("t", true)
        json.endObject()
        #expect(String(decoding: json.bytes, as: UTF8.self) == #"{"inf":null,"none":null,"big":-9223372036854775808,"t":true}"#)
    }

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
