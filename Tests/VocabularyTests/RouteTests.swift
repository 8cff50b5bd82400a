import Testing
import Vocabulary

/// A request's route for counting: by the path's shape, as nginx's
/// `$airwave_endpoint` map names it (conf/nginx/logging.conf).
@Suite struct RouteTests {
    @Test func namesTheEndpointByShapeAlone() {
        let cases: [(String, Route)] = [
            ("/api/v1/library/artists", .library(.artists)),
            ("/api/v1/library/artists?limit=5000&search=x", .library(.artists)),
            ("/api/v1/library/artists/1", .library(.artist)),
            ("/api/v1/library/artists/abc", .library(.artist)),  // a 422, counted under its endpoint
            ("/api/v1/library/artists/1/works?limit=2", .library(.artistWorks)),
            ("/api/v1/library/works/2", .library(.work)),
            ("/api/v1/library/works/2/recordings?status=matched", .library(.workRecordings)),
            ("/api/v1/system/metrics", .system),
            ("/api/v1/system/cache/stats", .system),
            ("/api/v1/library/artists/", .other),
            ("/api/v1/library//works", .other),
            ("/api/v1/library/artists/1/recordings", .other),
            ("/api/v1/library", .other),
            ("/api/v1/systemx", .other),
            ("/", .other),
            ("", .other),
        ]
        for (uri, route) in cases { #expect(Route(uri: Array(uri.utf8)) == route, "\(uri)") }
    }

    @Test func labelsAndIndexesAreFixed() {
        #expect(Route.allCases.map(\.label) == ["artists", "artist", "artist_works", "work", "work_recordings", "system", "other"])
        #expect(Route.allCases.map(\.index) == Array(0..<7))
    }
}
