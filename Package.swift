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
        // The C Swift cannot call or should not: prctl, accept4, signal flags, and the layouts the pool's processes
        // share with their atomics and robust locks (the scoreboard, the inner cache, the artist facts).
        .target(name: "CSupport"),

        // FastCGI, the protocol nginx speaks to the pool: the listener, a request's records read with a deadline, the answer.
        .target(name: "FastCGI", dependencies: ["CSupport", "Support"]),
        // The small things every module may use: the one clock, errors (from errno, and for the operator),
        // memory the pool's processes share, a seeded random source, number formats.
        .target(name: "Support", dependencies: ["CSupport"]),
        // The words the server and its tools share: endpoints, paths, filters, the cache headers.
        .target(name: "Vocabulary"),
        // Writes JSON straight into bytes (answers, status).
        .target(name: "JSON"),
        // The store: read-only SQLite, one prepared query per endpoint, schema checks, the pool's artist facts.
        .target(name: "Store", dependencies: ["CSQLite", "CSupport", "Support", "Vocabulary", .product(name: "Logging", package: "swift-log")]),
        // The inner cache: one table of response bodies in memory every worker maps, its counters, its epochs.
        .target(name: "Cache", dependencies: ["CSupport", "Support", "Vocabulary"]),
        // Deterministic Air-Wave libraries for demos, tests and benchmarks.
        .target(name: "DemoData", dependencies: ["Store", "Support"]),
        // The API: routing, validation, JSON, serving from the inner cache or the store.
        .target(name: "API", dependencies: ["Store", "Cache", "JSON", "Support", "Vocabulary", .product(name: "Logging", package: "swift-log")]),
        // The pre-fork worker pool: master, workers, signals, scoreboard (with the pool-wide request histograms).
        .target(name: "Pool", dependencies: ["FastCGI", "CSupport", "Support",
                                             .product(name: "Logging", package: "swift-log")]),
        // The pool assembled: settings, the master's checks and shared memory, each worker's Responder, status, metrics.
        .target(name: "Server", dependencies: ["API", "Cache", "Pool", "Store", "FastCGI", "JSON", "CSupport", "Support", "Vocabulary",
                                               .product(name: "Logging", package: "swift-log")]),
        // `airwave live`: both cache layers per endpoint and second from nginx's access log, the outer cache's buttons.
        .target(name: "Live", dependencies: ["FastCGI", "JSON", "CSupport", "Support", "Vocabulary",
                                             .product(name: "Logging", package: "swift-log")]),
        // The client side: a keep-alive HTTP/1.1 client, the API's paths, skewed ids, tables.
        .target(name: "Traffic", dependencies: ["Support", "Vocabulary"]),
        // `airwave load-test`: simulated users, latency from the due time into HdrHistogram.
        .target(name: "LoadTest", dependencies: ["Traffic", "Support", "Vocabulary", .product(name: "Histogram", package: "hdrhistogram-swift")]),
        // `airwave cache-analysis`: each cache layer measured from the headers, checked against the pool and nginx.
        .target(name: "CacheAnalysis", dependencies: ["Traffic", "Support", "Vocabulary"]),
        // A clock tests move by hand, for the shared cache's TTLs.
        .target(name: "CacheTesting", dependencies: ["Support"]),
        // The web server's side of FastCGI (records, a socket client), for testing the pool's.
        .target(name: "FastCGITesting", dependencies: ["Support"]),
        // An HTTP stub server with programmable delays, for testing those tools.
        .target(name: "TrafficTesting", dependencies: ["Traffic"]),

        // The one command-line tool.
        .executableTarget(name: "airwave", dependencies: [
            "Server", "Live", "Pool", "API", "Cache", "Store", "Support", "Vocabulary", "DemoData", "Traffic", "LoadTest", "CacheAnalysis",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "StoreTests", dependencies: ["Store", "DemoData", "CacheTesting", "CSupport", "Support", "Vocabulary",
                                                  .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "APITests", dependencies: ["API", "Cache", "CacheTesting", "JSON", "Store", "DemoData", "Support", "Vocabulary"]),
        .testTarget(name: "ServerTests", dependencies: ["Server", "Pool", "API", "Cache", "Store", "FastCGI", "DemoData"]),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "SupportTests", dependencies: ["Support"]),
        .testTarget(name: "VocabularyTests", dependencies: ["Vocabulary"]),
        .testTarget(name: "LiveTests", dependencies: ["Live", "FastCGI", "Support", "Vocabulary"]),
        .testTarget(name: "DemoDataTests", dependencies: ["DemoData", "Store"]),
        .testTarget(name: "CacheTests", dependencies: ["Cache", "CacheTesting", "CSupport", "Support", "Vocabulary"]),
        .testTarget(name: "FastCGITests", dependencies: ["FastCGI", "FastCGITesting", "CSupport", "Support"]),
        .testTarget(name: "PoolTests", dependencies: ["Pool", "FastCGI", "Support", "Vocabulary"]),
        .testTarget(name: "TrafficTests", dependencies: ["Traffic", "TrafficTesting", "Support", "Vocabulary"]),
        .testTarget(name: "LoadTestTests", dependencies: ["LoadTest", "Traffic", "TrafficTesting", "Support", "Vocabulary"]),
        .testTarget(name: "CacheAnalysisTests", dependencies: ["CacheAnalysis", "Traffic", "Support", "Vocabulary"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Store", "API", "DemoData", "Traffic", "CacheAnalysis", "TrafficTesting", "FastCGITesting", "Support", "Vocabulary"]),
    ]
)
