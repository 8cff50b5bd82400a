import API
import Cache
import Pool

/// The API's view of the pool, from its scoreboard, rendered by `StatusReport`
/// and `MetricsReport`.
struct PoolStatus: PoolView {
    let scoreboard: Scoreboard

    func statusJSON() -> [UInt8] { StatusReport.json(scoreboard.snapshot()) }

    func cacheStatsJSON(_ cache: SharedCache?) -> [UInt8] {
        StatusReport.cacheStatsJSON(cache, workers: scoreboard.liveWorkers)
    }

    func metricsText(_ cache: SharedCache?, database: String) -> [UInt8] {
        MetricsReport.text(scoreboard, cache: cache, database: database)
    }
}
