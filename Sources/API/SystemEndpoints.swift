import Cache
import JSON

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
            return Response(status: 200, body: pool.status())
        }
        if named("cache/stats") {
            guard readOnly else { return Response(.methodNotAllowed, innerCache: nil) }
            return Response(status: 200, body: cacheStats(pool))
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

    /// `GET /api/v1/system/cache/stats`: the pool's cache counters, per
    /// endpoint and in total, with its bounds.
    func cacheStats(_ pool: PoolHooks) -> [UInt8] {
        let counters = cache?.counters() ?? [:]
        var json = JSONWriter()
        json.beginObject()
        json.field("workers", pool.workers())
        json.field("inner_cache", cache != nil)
        json.field("max_entries", cache?.configuration.maxEntries ?? 0)
        json.field("max_bytes", cache?.configuration.maxBytes ?? 0)
        json.field("recoveries", Int64(cache?.recoveries ?? 0))
        json.name("endpoints")
        json.beginObject()
        for endpoint in Endpoint.allCases { Self.write(counters[endpoint] ?? CacheCounters(), as: endpoint.rawValue, to: &json) }
        json.endObject()
        Self.write(counters.values.reduce(CacheCounters(), +), as: "total", to: &json)
        json.endObject()
        return json.bytes
    }

    private static func write(_ c: CacheCounters, as name: String, to json: inout JSONWriter) {
        json.key(name)
        json.beginObject()
        json.field("hits", Int64(c.hits))
        json.field("misses", Int64(c.misses))
        json.field("hit_rate", c.hitRate)
        json.field("entries", Int64(c.entries))
        json.field("bytes", Int64(c.bytes))
        json.field("evictions", Int64(c.evictions))
        json.field("expirations", Int64(c.expirations))
        json.endObject()
    }
}
