@testable import API
import Foundation
import Store
import Testing

@Suite struct CachingTests {
    @Test func firstMissThenHit() throws {
        let fixture = try Fixture()
        #expect(fixture.get(Fixture.base + "/artists/2").innerCache == .miss)
        let hit = fixture.get(Fixture.base + "/artists/2")
        #expect(hit.innerCache == .hit && hit.status == 200)
        #expect(hit.body == fixture.get(Fixture.base + "/artists/2").body)
    }

    @Test(arguments: [
        ["/artists", "/artists?skip=0", "/artists?limit=50&skip=0", "/artists?skip=0&limit=50&foo=1", "/artists?search="],
        ["/artists?search=Band", "/artists?search=BAND", "/artists?search=bAnD&limit=50"],
        ["/artists/7", "/artists/007", "/artists/+7", "/artists/7?x=y"],
        ["/artists/7/works", "/artists/7/works?limit=24", "/artists/7/works?skip=0&limit=24"],
        ["/works/3/recordings", "/works/3/recordings?status=all", "/works/3/recordings?source=all&status=all&limit=100&skip=0"],
    ])
    func equivalentRequestsShareAnEntry(_ uris: [String]) throws {
        let fixture = try Fixture()
        let first = fixture.get(Fixture.base + uris[0])
        #expect(first.innerCache == .miss && first.status == 200)
        for uri in uris.dropFirst() {
            let response = fixture.get(Fixture.base + uri)
            #expect(response.innerCache == .hit, "\(uri)")
            #expect(response.body == first.body)
        }
    }

    @Test func differentRequestsDoNot() throws {
        let fixture = try Fixture()
        for uri in ["/artists", "/artists?skip=1", "/artists?limit=49", "/artists?search=a", "/artists/7", "/artists/7/works",
                    "/works/7", "/works/7/recordings", "/works/7/recordings?status=matched", "/works/7/recordings?source=library"] {
            #expect(fixture.get(Fixture.base + uri).innerCache == .miss, "\(uri)")
        }
    }

    @Test func errorsAreNotCached() throws {
        let fixture = try Fixture()
        #expect(fixture.get(Fixture.base + "/artists/999999").innerCache == .miss)
        #expect(fixture.get(Fixture.base + "/artists/999999").innerCache == .miss)
        #expect(fixture.api.cache!.count == 0)
    }

    @Test func expiresOnTheClock() throws {
        let fixture = try Fixture()
        _ = fixture.get(Fixture.base + "/artists")
        fixture.clock.advance(by: .seconds(59))
        #expect(fixture.get(Fixture.base + "/artists").innerCache == .hit)
        fixture.clock.advance(by: .seconds(1))
        #expect(fixture.get(Fixture.base + "/artists").innerCache == .miss)
    }

    @Test func offMeansOff() throws {
        let fixture = try Fixture(innerCache: false)
        #expect(fixture.get(Fixture.base + "/artists/1").innerCache == .off)
        #expect(fixture.get(Fixture.base + "/artists/1").innerCache == .off)
        #expect(fixture.get(Fixture.base + "/artists/x").innerCache == .off)
    }

    /// Another program writes the file: the next answer is computed anew,
    /// and big-artist facts are recomputed too.
    @Test func aWriteToTheFileDropsOlderEntries() throws {
        let fixture = try Fixture()
        let before = fixture.get(Fixture.base + "/artists/5")
        #expect(fixture.get(Fixture.base + "/artists/5").innerCache == .hit)
        let biggest = try Database(path: fixture.path).rows("SELECT artist_id FROM works WHERE artist_id IS NOT NULL GROUP BY artist_id ORDER BY count(*) DESC LIMIT 1")[0][0]!
        let detailBefore = try #require(try fixture.json(Fixture.base + "/artists/\(biggest)") as? [String: Any])

        let writer = try Database(path: fixture.path, mode: .readWrite)
        try writer.execute("UPDATE artists SET name = 'Renamed Ünïcode' WHERE id = 5")
        try writer.execute("INSERT INTO works (title, artist_id, is_instrumental, created_at, updated_at) VALUES ('New', \(biggest), 0, '', '')")

        let after = fixture.get(Fixture.base + "/artists/5")
        #expect(after.innerCache == .miss && after.body != before.body)
        #expect(after.text.contains("Renamed Ünïcode"))
        let detailAfter = try #require(try fixture.json(Fixture.base + "/artists/\(biggest)") as? [String: Any])
        #expect(detailAfter["work_count"] as? Int == (detailBefore["work_count"] as! Int) + 1)
        // The answer that noticed the change was not stored (its epoch was
        // read before it); the next one is, and then served.
        #expect(fixture.get(Fixture.base + "/artists/5").innerCache == .miss)
        #expect(fixture.get(Fixture.base + "/artists/5").innerCache == .hit)
    }
}
