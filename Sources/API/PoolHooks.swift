/// What the API needs from the pool it runs in: its status (the pool's
/// scoreboard provides it).
public struct PoolHooks {
    /// The body of `GET /api/v1/system/status`.
    public var status: () -> [UInt8]
    /// How many workers the pool has running now.
    public var workers: () -> Int

    public init(status: @escaping () -> [UInt8], workers: @escaping () -> Int) {
        self.status = status
        self.workers = workers
    }
}
