import CSupport
import Support

#if canImport(Glibc)
import Glibc
#endif

/// Every artist's totals (primary works, their recordings) and the artists'
/// order by name, for the current version of the database, shared by the
/// pool (`ArtistFacts.h`). Derived data, not a response cache: no answer,
/// no TTL; built from the file in a fraction of a second by one worker and
/// dropped when a worker sees the file changed. Without it, each page of
/// `/artists` costs the totals of 50 artists: about 600 random B-tree reads
/// in a large library, plus a walk of the name index to its offset.
///
/// Fresh as the shared cache is (see `SharedCache`): a request reads
/// `epoch` before its read transaction; a build is published for that
/// epoch, and facts are used only while it is current.
public final class ArtistFacts: @unchecked Sendable {
    public let memory: SharedMemory
    let facts: UnsafeMutablePointer<airwave_facts>
    /// CLOCK_MONOTONIC nanoseconds (the same in every process); tests move it.
    private let now: @Sendable () -> UInt64

    /// Room for `capacity` artists (the master sizes it from the library
    /// when the pool starts; a library that outgrows it goes without until
    /// a reload).
    public init(capacity: Int, now: @escaping @Sendable () -> UInt64 = { SystemClock.now() }) throws {
        self.now = now
        let capacity = UInt32(clamping: max(1, capacity))
        memory = try SharedMemory(name: "airwave-artist-facts", size: Int(airwave_facts_size(capacity)))
        facts = memory.base.bindMemory(to: airwave_facts.self, capacity: 1)
        let rc = airwave_facts_init(facts, capacity)
        guard rc == 0 else { throw SystemError("pthread_mutex_init (the artist facts' builder lock)", code: rc) }
    }

    public var capacity: Int { Int(facts.pointee.capacity) }
    public var epoch: UInt64 { airwave_facts_epoch(facts) }
    /// Finished builds, and how long the last one took.
    public var builds: Int { Int(facts.pointee.builds) }
    public var lastBuildMicroseconds: UInt64 { facts.pointee.build_us }

    /// The database file changed: facts built before are not used again.
    public func invalidate() { airwave_facts_invalidate(facts, now()) }

    /// Every worker notices a change with its own connection, so one change
    /// moves the epoch once per worker, within a few milliseconds under
    /// load: a build started before the last of them would be thrown away.
    /// Builds wait until the epoch has been still this long.
    static let settle: UInt64 = 50_000_000

    // MARK: Reading

    /// A reader's view of one buffer; valid only while `stillValid()`.
    struct View {
        let facts: ArtistFacts
        let which: UInt32
        let sequence: UInt64
        let count: Int
        let ids: UnsafePointer<Int64>
        let works: UnsafePointer<UInt32>
        let recordings: UnsafePointer<UInt32>
        let byName: UnsafePointer<UInt32>

        /// The position of artist `id`, by binary search.
        func position(of id: Int64) -> Int? {
            var low = 0, high = count
            while low < high {
                let middle = (low + high) / 2
                if ids[middle] < id { low = middle + 1 } else { high = middle }
            }
            return low < count && ids[low] == id ? low : nil
        }

        func totals(at position: Int) -> (works: Int, recordings: Int) { (Int(works[position]), Int(recordings[position])) }

        /// Nothing was written over what was read.
        func stillValid() -> Bool { airwave_facts_reader_valid(facts.facts, which, sequence) != 0 }
    }

    /// The facts for `epoch`, if they are built.
    func view(epoch: UInt64) -> View? {
        var sequence: UInt64 = 0
        var count: UInt32 = 0
        let which = airwave_facts_reader_begin(facts, epoch, &sequence, &count)
        guard which >= 0 else { return nil }
        let buffer = UnsafeRawPointer(airwave_facts_buffer(facts, UInt32(which))!)
        let capacity = Int(facts.pointee.capacity)
        return View(facts: self, which: UInt32(which), sequence: sequence, count: Int(count),
                    ids: buffer.assumingMemoryBound(to: Int64.self),
                    works: (buffer + 8 * capacity).assumingMemoryBound(to: UInt32.self),
                    recordings: (buffer + 12 * capacity).assumingMemoryBound(to: UInt32.self),
                    byName: (buffer + 16 * capacity).assumingMemoryBound(to: UInt32.self))
    }

    // MARK: Building

    /// What a build computed, before it is written to shared memory.
    struct Built {
        var ids: [Int64] = []
        var works: [UInt32] = []
        var recordings: [UInt32] = []
        var byName: [UInt32] = []
    }

    /// Whether a build for `epoch` should be tried: none published for it,
    /// none found too many artists for it, the epoch still for a moment
    /// (`build` then sees whether another worker is at it).
    func needsBuild(epoch: UInt64) -> Bool {
        view(epoch: epoch) == nil && facts.pointee.failed != epoch && settled
    }

    /// Whether the epoch has been still for `settle`. (Another worker may
    /// move it after this one read the clock: then it has not.)
    var settled: Bool {
        let time = now(), changed = airwave_facts_changed_ns(facts)
        return changed <= time && time - changed >= Self.settle
    }

    /// Waits, for at most `limit`, until the epoch has been still for
    /// `settle`: the workers of a pool that starts each move it once.
    public func waitUntilSettled(limit: Duration = .seconds(1)) {
        let deadline = SystemClock.deadline(after: limit)
        while !settled, SystemClock.now() < deadline {
            SystemClock.sleep(until: min(deadline, SystemClock.now() + Self.settle / 5))
        }
    }

    /// Builds with `compute` (run in the caller's read transaction) and
    /// publishes for `epoch`, unless another worker is building or the
    /// epoch moved on meanwhile. False when nothing was published.
    func build(epoch: UInt64, _ compute: () throws -> Built) rethrows -> Bool {
        guard airwave_facts_claim(facts) != 0 else { return false }
        defer { airwave_facts_release(facts) }
        guard view(epoch: epoch) == nil else { return true }  // another worker just did
        let started = SystemClock.now()
        let built = try compute()
        guard built.ids.count <= capacity else {
            facts.pointee.failed = epoch
            return false
        }
        guard epoch == self.epoch else { return false }
        let which = 1 - (facts.pointee.current & 1)
        let buffer = UnsafeMutableRawPointer(airwave_facts_buffer(facts, which)!)
        airwave_facts_begin_write(facts, which)
        let capacity = self.capacity
        func copy<T>(_ values: [T], at offset: Int) {
            values.withUnsafeBytes { if let bytes = $0.baseAddress { (buffer + offset).copyMemory(from: bytes, byteCount: $0.count) } }
        }
        copy(built.ids, at: 0)
        copy(built.works, at: 8 * capacity)
        copy(built.recordings, at: 12 * capacity)
        copy(built.byName, at: 16 * capacity)
        airwave_facts_publish(facts, which, UInt32(built.ids.count), epoch, (SystemClock.now() - started) / 1000)
        return true
    }
}
