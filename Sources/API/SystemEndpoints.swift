import JSON

/// `/api/v1/system/…` (nginx lets only loopback clients reach them).
extension LibraryAPI {
    func systemResponse(method: String, path: Substring, pool: PoolHooks) -> Response {
        let readOnly = method == "GET" || method == "HEAD"
        switch path {
        case "/api/v1/system/status":
            guard readOnly else { return Response(.methodNotAllowed, innerCache: nil) }
            return Response(status: 200, body: pool.status())
        case "/api/v1/system/cache/stats":
            guard readOnly else { return Response(.methodNotAllowed, innerCache: nil) }
            return Response(status: 200, body: cacheStats(pool))
        case "/api/v1/system/cache/clear":
            guard method == "POST" else {
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
        default:
            return Response(.notFound, innerCache: nil)
        }
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
