import Testing
import Traffic
@testable import LoadTest
import Vocabulary

@Suite struct BrowserTests {
    @Test func browsesAsTheGuideDescribes() {
        let catalog = Catalog(artistIDs: (1...200).map(Int64.init))
        var browser = Browser(catalog: catalog, popularity: Popularity(Array(catalog.artistIDs.indices), seed: 1), seed: 5)
        var filtered = 0
        var lookahead: (Template, String)?
        for _ in 0..<200 {
            let (t1, list) = lookahead ?? browser.next()
            lookahead = nil
            let (t2, artist) = browser.next()
            let (t3, works) = browser.next()
            #expect([t1, t2, t3] == [.artists, .artist, .artistWorks])
            let id = Int64(artist.split(separator: "/").last!)!
            let index = catalog.artistIDs.firstIndex(of: id)!
            // The list page shown is the one with this artist on it.
            #expect(list == Paths.artists(skip: index / 50 * 50, limit: 50))
            #expect(works == "/api/v1/library/artists/\(id)/works?limit=24")
            browser.saw(.artistWorks, HTTPResponse(status: 200, headers: [], body: Array(#"[{"id":7},{"id":8}]"#.utf8)))
            let (t4, work) = browser.next()
            let (t5, recordings) = browser.next()
            #expect(t4 == .work && t5 == .recordings)
            let workID = work.split(separator: "/").last!
            #expect(["7", "8"].contains(workID) && recordings == "/api/v1/library/works/\(workID)/recordings?limit=100")
            let (t6, next) = browser.next()
            if t6 == .filteredRecordings {
                filtered += 1
                #expect(next.contains("/works/\(workID)/recordings?limit=100&status=") && next.contains("&source="))
            } else {
                #expect(t6 == .artists)  // the next visit has begun
                lookahead = (t6, next)
            }
        }
        #expect(filtered > 60 && filtered < 140, "filtered \(filtered) of 200")  // half the time
    }

    @Test func anArtistWithoutWorksEndsTheVisit() {
        let catalog = Catalog(artistIDs: [1, 2, 3])
        var browser = Browser(catalog: catalog, popularity: Popularity([0, 1, 2], seed: 1), seed: 1)
        _ = browser.next(); _ = browser.next(); _ = browser.next()
        browser.saw(.artistWorks, HTTPResponse(status: 200, headers: [], body: Array("[]".utf8)))
        #expect(browser.next().0 == .artists)
        _ = browser.next(); _ = browser.next()
        browser.saw(.artistWorks, HTTPResponse(status: 503, headers: [], body: Array("{}".utf8)))
        #expect(browser.next().0 == .artists)
    }
}
