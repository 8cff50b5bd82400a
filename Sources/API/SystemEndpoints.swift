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
            pool.clearCaches()
            _ = clearWasAsked()  // this worker's own cache, now
            cache?.removeAll()
            publishCacheCounters()
            var json = JSONWriter()
            json.beginObject()
            json.field("cleared", true)
            json.field("generation", Int64(pool.cacheGeneration()))
            json.endObject()
            return Response(status: 200, body: json.bytes)
        }
        return Response(.notFound, innerCache: nil)
    }

    /// True once per cache/clear asked anywhere in the pool since the last call.
    func clearWasAsked() -> Bool {
        guard let pool else { return false }
        let generation = pool.cacheGeneration()
        defer { cacheGeneration = generation }
        return generation != cacheGeneration
    }

    func publishCacheCounters() {
        guard let pool, let cache else { return }
        for (index, endpoint) in Endpoint.allCases.enumerated() { pool.publishCache(index, cache.counters[endpoint] ?? CacheCounters()) }
    }

    /// `GET /api/v1/system/cache/stats`: every worker's counters added up,
    /// per endpoint and in total.
    func cacheStats(_ pool: PoolHooks) -> [UInt8] {
        let (counters, workers) = pool.cacheTotals()
        var json = JSONWriter()
        json.beginObject()
        json.field("workers", workers)
        json.field("inner_cache", cache != nil)
        json.name("endpoints")
        json.beginObject()
        var total = CacheCounters()
        for (endpoint, c) in zip(Endpoint.allCases, counters) {
            Self.write(c, as: endpoint.rawValue, to: &json)
            total.hits += c.hits; total.misses += c.misses; total.evictions += c.evictions
            total.expirations += c.expirations; total.entries += c.entries; total.bytes += c.bytes
        }
        json.endObject()
        Self.write(total, as: "total", to: &json)
        json.endObject()
        return json.bytes
    }

    private static func write(_ c: CacheCounters, as name: String, to json: inout JSONWriter) {
        json.key(name)
        json.beginObject()
        json.field("hits", c.hits)
        json.field("misses", c.misses)
        json.field("hit_rate", c.hits + c.misses == 0 ? nil : Double(c.hits) / Double(c.hits + c.misses))
        json.field("entries", c.entries)
        json.field("bytes", c.bytes)
        json.field("evictions", c.evictions)
        json.field("expirations", c.expirations)
        json.endObject()
    }
}
