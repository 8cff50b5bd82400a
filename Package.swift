// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "airwave",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "airwave", targets: ["airwave"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // The system library, found with pkg-config.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // The few C calls Swift cannot make itself (variadic prctl, async-signal-safe flags).
        .target(name: "CSupport"),

        // FastCGI, the protocol nginx speaks to the pool: the listener, a request's records read with a deadline, the answer.
        .target(name: "FastCGI", dependencies: ["CSupport"]),
        // System calls wrapped once: errors from errno, memory the pool's processes share.
        .target(name: "Posix", dependencies: ["CSupport"]),
        // Writes JSON straight into bytes (answers, status).
        .target(name: "JSON"),
        // The store: read-only SQLite, one prepared query per endpoint, schema checks, the pool's artist facts.
        .target(name: "Store", dependencies: ["CSQLite", "CSupport", "Posix", .product(name: "Logging", package: "swift-log")]),
        // The inner cache: one table of response bodies in memory every worker maps, its counters, its epochs.
        .target(name: "Cache", dependencies: ["CSupport", "Posix"]),
        // Deterministic Air-Wave libraries for demos, tests and benchmarks.
        .target(name: "DemoData", dependencies: ["Store"]),
        // The API: routing, validation, JSON, serving from the inner cache or the store.
        .target(name: "API", dependencies: ["Store", "Cache", "JSON", .product(name: "Logging", package: "swift-log")]),
        // The pre-fork worker pool: master, workers, signals, scoreboard.
        .target(name: "Pool", dependencies: ["FastCGI", "JSON", "CSupport", "Posix",
                                             .product(name: "Logging", package: "swift-log")]),
        // The client side: a keep-alive HTTP/1.1 client, the API's paths, skewed ids, tables.
        .target(name: "Traffic", dependencies: ["Cache", "DemoData"]),
        // `airwave load-test`: simulated users, latency from the due time into HdrHistogram.
        .target(name: "LoadTest", dependencies: ["Traffic", "DemoData", .product(name: "Histogram", package: "hdrhistogram-swift")]),
        // `airwave cache-analysis`: each cache layer measured from the headers, checked against the pool and nginx.
        .target(name: "CacheAnalysis", dependencies: ["Traffic", "DemoData"]),
        // A clock tests move by hand, for the shared cache's TTLs.
        .target(name: "CacheTesting"),
        // The web server's side of FastCGI (records, a socket client), for testing the pool's.
        .target(name: "FastCGITesting"),
        // An HTTP stub server with programmable delays, for testing those tools.
        .target(name: "TrafficTesting", dependencies: ["Traffic"]),

        // The one command-line tool.
        .executableTarget(name: "airwave", dependencies: [
            "Pool", "API", "Cache", "Store", "Posix", "DemoData", "CSupport", "Traffic", "LoadTest", "CacheAnalysis",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "StoreTests", dependencies: ["Store", "DemoData", "Posix"]),
        .testTarget(name: "APITests", dependencies: ["API", "Cache", "CacheTesting", "JSON", "Store", "DemoData"]),
        .testTarget(name: "CacheTests", dependencies: ["Cache", "CacheTesting", "CSupport", "Posix"]),
        .testTarget(name: "FastCGITests", dependencies: ["FastCGI", "FastCGITesting", "CSupport", "DemoData"]),
        .testTarget(name: "PoolTests", dependencies: ["Pool", "FastCGI"]),
        .testTarget(name: "TrafficTests", dependencies: ["Traffic", "TrafficTesting"]),
        .testTarget(name: "LoadTestTests", dependencies: ["LoadTest", "Traffic", "TrafficTesting"]),
        .testTarget(name: "CacheAnalysisTests", dependencies: ["CacheAnalysis", "Traffic"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Store", "API", "DemoData", "Traffic", "CacheAnalysis", "TrafficTesting", "FastCGITesting"]),
    ]
)
