import FastCGI
import Foundation
@testable import Pool
import Testing
import Support

@Suite struct ScoreboardTests {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("scoreboard-\(UUID()).sb").path

    @Test func countsRequestsBusyWorkersAndRestarts() throws {
        defer { unlink(path) }
        let board = try Scoreboard.create(path: path, slots: 2, masterPID: 42)
        board.workerStarted(slot: 0, pid: 100, replacing: false)
        board.workerStarted(slot: 1, pid: 101, replacing: false)
        #expect(board.isStarting(slot: 0) && board.snapshot().workers[0].state == .starting)
        board.workerReady(slot: 0)
        board.workerReady(slot: 1)
        #expect(!board.isStarting(slot: 0))

        board.begin(slot: 0, path: ArraySlice("/api/v1/library/artists/1".utf8))
        var s = board.snapshot()
        #expect(s.masterPID == 42 && s.accepted == 1 && s.busy == 1 && s.maxBusy == 1 && s.allBusy == 0)
        #expect(s.workers[0].state == .busy && s.workers[0].currentPath == "/api/v1/library/artists/1")
        #expect(s.workers[1].state == .idle && s.workers[1].currentPath == nil)

        board.begin(slot: 1, path: ArraySlice("/api/v1/library/works/2".utf8))  // now both are busy
        s = board.snapshot()
        #expect(s.maxBusy == 2 && s.allBusy == 1)

        board.end(slot: 0, microseconds: 1500)
        board.end(slot: 1, microseconds: 250)
        s = board.snapshot()
        #expect(s.busy == 0 && s.maxBusy == 2 && s.accepted == 2)
        #expect(s.workers.map(\.requests) == [1, 1] && s.workers.map(\.lastDurationMicroseconds) == [1500, 250])

        // A worker dies and is replaced: the slot starts over, the pool counts a restart.
        board.workerExited(slot: 1)
        #expect(board.snapshot().workers[1].state == .empty && board.snapshot().workers[1].pid == 0)
        board.workerStarted(slot: 1, pid: 102, replacing: true)
        board.workerReady(slot: 1)
        s = board.snapshot()
        #expect(s.restarts == 1 && s.workers[1].pid == 102 && s.workers[1].requests == 0 && s.accepted == 2)

        // A connection accepted: the worker reads it; it is busy once the request is whole.
        board.reading(slot: 0)
        s = board.snapshot()
        #expect(s.workers[0].state == .reading && s.workers[0].currentPath == nil && s.workers[0].currentElapsedMilliseconds != nil)
        #expect(board.activeSince(slot: 0)?.reading == true && board.activeSince(slot: 1) == nil)
        board.idle(slot: 0)  // it sent nothing whole in time
        board.count(.readTimeout)
        board.count(.malformed)
        board.count(.readTimeout)
        s = board.snapshot()
        #expect(s.workers[0].state == .idle && s.readTimeouts == 2 && s.malformed == 1 && s.accepted == 2)
        board.reading(slot: 0)
        board.begin(slot: 0, path: ArraySlice("/y".utf8))
        #expect(board.snapshot().workers[0].state == .busy && board.activeSince(slot: 0)?.reading == false)
        board.end(slot: 0, microseconds: 1)

        // A worker told to stop stays "exiting" after its last request.
        board.begin(slot: 0, path: ArraySlice("/x".utf8))
        board.workerStopping(slot: 0)
        board.end(slot: 0, microseconds: 1)
        #expect(board.snapshot().workers[0].state == .exiting)
    }

    @Test func anotherProcessReadsTheSameMemory() throws {
        defer { unlink(path) }
        let writer = try Scoreboard.create(path: path, slots: 3, masterPID: 7)
        writer.workerStarted(slot: 2, pid: 300, replacing: false)
        writer.workerReady(slot: 2)
        let reader = try Scoreboard.open(path: path)
        writer.begin(slot: 2, path: ArraySlice(String(repeating: "é", count: 200).utf8))  // longer than the slot holds
        let s = reader.snapshot()
        #expect(s.workers.count == 3 && s.workers[2].pid == 300 && s.accepted == 1)
        #expect(s.workers[2].currentPath!.utf8.count <= 127)
    }

    @Test func histogramsCountEachRequestOnceCumulativelyPerRouteAndClass() throws {
        defer { unlink(path) }
        let board = try Scoreboard.create(path: path, slots: 1, masterPID: 1)
        #expect(Scoreboard.latencyBounds.first == 0.0005 && Scoreboard.latencyBounds.last == 5 && Scoreboard.latencyBounds.contains(0.2))
        board.observe(route: 1, statusClass: 1, microseconds: 300)        // ≤ 0.5 ms
        board.observe(route: 1, statusClass: 1, microseconds: 1000)       // exactly on the 1 ms bound: in it
        board.observe(route: 1, statusClass: 1, microseconds: 150_000)    // ≤ 200 ms
        board.observe(route: 1, statusClass: 1, microseconds: 9_000_000)  // above every bound: +Inf only
        board.observe(route: 1, statusClass: 4, microseconds: 2000)       // another class
        board.observe(route: 99, statusClass: 1, microseconds: 1)         // no such route: ignored
        board.observe(route: 1, statusClass: 5, microseconds: 1)          // no such class: ignored

        let ok = try Scoreboard.open(path: path).latency(route: 1, statusClass: 1)  // as another process reads it
        let bound = { (seconds: Double) in ok.cumulative[Scoreboard.latencyBounds.firstIndex(of: seconds)!] }
        #expect(ok.count == 4 && ok.cumulative.count == Scoreboard.latencyBounds.count)
        #expect(bound(0.0005) == 1 && bound(0.001) == 2 && bound(0.1) == 2 && bound(0.2) == 3 && bound(5) == 3)
        #expect(abs(ok.sumSeconds - 9.1513) < 1e-9)
        #expect(zip(ok.cumulative, ok.cumulative.dropFirst()).allSatisfy { $0 <= $1 })
        let failed = board.latency(route: 1, statusClass: 4)
        #expect(failed.count == 1 && failed.cumulative.first == 0 && failed.cumulative.last == 1)
        let untouched = (0..<Scoreboard.routes).flatMap { route in (0..<Scoreboard.statusClasses).map { (route, $0) } }
            .filter { $0 != (1, 1) && $0 != (1, 4) }
        #expect(untouched.allSatisfy { board.latency(route: $0.0, statusClass: $0.1).count == 0 })
    }

    @Test func keepsTheCPUOfWorkersThatExited() throws {
        defer { unlink(path) }
        let board = try Scoreboard.create(path: path, slots: 1, masterPID: 1)
        #expect(board.exitedWorkersCPUSeconds == 0)
        board.addExitedCPU(microseconds: Pool.microseconds(timeval(tv_sec: 1, tv_usec: 250_000)))
        board.addExitedCPU(microseconds: 500_000)
        #expect(board.exitedWorkersCPUSeconds == 1.75)
        // A scrape that sums less than one before (a worker reaped between
        // its readings) still reports the most: the counter never goes back.
        #expect(board.reportedCPUSeconds(3.5) == 3.5)
        #expect(board.reportedCPUSeconds(2.0) == 3.5)
        #expect(board.reportedCPUSeconds(4.25) == 4.25)
    }

    @Test func refusesWhatIsNotAScoreboard() throws {
        defer { unlink(path) }
        #expect(throws: SetupError.self) { try Scoreboard.open(path: path) }
        try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect(throws: SetupError.self) { try Scoreboard.open(path: path) }
    }
}
