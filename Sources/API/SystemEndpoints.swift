import Cache
import JSON
import Vocabulary

/// `/api/v1/system/…` (nginx lets only loopback clients reach them).
extension LibraryAPI {
    /// `name` is the path below `/api/v1/system/`. The caller checked that
    /// the request came through nginx's system location.
    func systemResponse(method: HTTPMethod, path name: ArraySlice<UInt8>) -> Response {
        let readOnly = method == .get || method == .head
        func named(_ text: String) -> Bool { name.elementsEqual(text.utf8) }
        if named("ping") {
            guard readOnly else { return Response(.methodNotAllowed, innerCache: nil) }
            var response = Response(status: 200, body: Array("pong".utf8))
            response.contentType = "text/plain"
            return response
        }
        if testEndpoints, name.starts(with: Self.testPrefix.utf8) { return testResponse(name.dropFirst(Self.testPrefix.utf8.count)) }
        guard let pool else { return Response(.notFound, innerCache: nil) }
        if named("status") {
            guard readOnly else { return Response(.methodNotAllowed, innerCache: nil) }
            return Response(status: 200, body: pool.statusJSON())
        }
        if named("cache/stats") {
            guard readOnly else { return Response(.methodNotAllowed, innerCache: nil) }
            return Response(status: 200, body: pool.cacheStatsJSON(cache))
        }
        if named("metrics") {
            guard readOnly else { return Response(.methodNotAllowed, innerCache: nil) }
            var response = Response(status: 200, body: pool.metricsText(cache, database: store.database.path))
            response.contentType = metricsContentType
            // Every scrape reads the pool as it is now: nothing on the way may keep it.
            response.cacheControl = "no-store"
            return response
        }
        if named("cache/clear") {
            guard method == .post else {
                var response = Response(.methodNotAllowed, innerCache: nil)
                response.allow = "POST"
                return response
            }
            var json = JSONWriter()
            json.beginObject()
            json.field("cleared", true)
            json.field("generation", Int64(cache?.clear() ?? 0))
            json.endObject()
            return Response(status: 200, body: json.bytes)
        }
        return Response(.notFound, innerCache: nil)
    }
}
