import DemoData
import Testing
import Traffic

@Suite struct ReportingTests {
    @Test func tablesAlignTheirColumns() {
        var table = TextTable(["Endpoint", "Requests"])
        table.add(["GET /artists", "12"])
        table.add(["GET /works/{id}", "1,234"])
        #expect(table.render() == """
        ┌─────────────────┬──────────┐
        │ Endpoint        │ Requests │
        ├─────────────────┼──────────┤
        │ GET /artists    │       12 │
        │ GET /works/{id} │    1,234 │
        └─────────────────┴──────────┘
        """)
    }

    @Test func numbers() {
        #expect(Format.fixed(2.346, 2) == "2.35" && Format.fixed(0.5, 0) == "1")
        #expect(Format.fixed(0.004, 2) == "0.00" && Format.fixed(-1.5, 1) == "-1.5" && Format.fixed(12, 0) == "12")
        #expect(Format.fixed(.nan, 2) == "-")
        #expect(Format.percent(0.855) == "85.5%")
        #expect(Format.count(1234567) == "1,234,567" && Format.count(-1000) == "-1,000" && Format.count(999) == "999")
    }

    @Test func popularityIsSkewedAndRepeatable() {
        let items = Array(0..<1000)
        let a = Popularity(items, seed: 7), b = Popularity(items, seed: 7), c = Popularity(items, seed: 8)
        #expect(a.ranked == b.ranked && a.ranked != c.ranked)
        #expect(a.ranked.sorted() == items)
        var random = RandomSource(seed: 1)
        var counts = [Int: Int]()
        for _ in 0..<20_000 { counts[a.draw(&random), default: 0] += 1 }
        let top = Set(a.ranked.prefix(100))
        let share = Double(counts.filter { top.contains($0.key) }.values.reduce(0, +)) / 20_000
        #expect(share > 0.40 && share < 0.52, "top 10% drew \(share)")  // 0.1^(1/3) = 46%
        #expect(counts.count > 500)  // and a long tail
    }

    @Test func cacheStatusesFromHeaders() {
        let hit = CacheStatus(outer: "HIT", inner: "-")
        #expect(hit.outerHit && !hit.reachedWorker && !hit.innerHit && !hit.innerMiss)
        let passed = CacheStatus(outer: "MISS", inner: "HIT")
        #expect(passed.outerMiss && passed.reachedWorker && passed.innerHit)
        let off = CacheStatus(outer: "OFF", inner: "MISS")
        #expect(off.outerOff && !off.outerMiss && off.reachedWorker && off.innerMiss)
        #expect(CacheStatus(outer: "STALE", inner: "-").outerHit && CacheStatus(outer: "EXPIRED", inner: "MISS").outerMiss)
    }
}
