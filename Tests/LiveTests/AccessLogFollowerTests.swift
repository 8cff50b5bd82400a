import Foundation
import Live
import Testing

/// Following the log as nginx writes it and logrotate moves it.
@Suite struct AccessLogFollowerTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("follow-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func append(_ text: String, to name: String = "access.log") throws {
        let path = folder + "/" + name
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
    }

    func lines(_ follower: AccessLogFollower) -> [String] {
        var seen: [String] = []
        follower.poll { seen.append(String(decoding: $0, as: UTF8.self)) }
        return seen
    }

    @Test func fromTheEndLineByLineThroughRotationAndTruncation() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try append("before the start\n")
        let follower = AccessLogFollower(path: folder + "/access.log")
        #expect(lines(follower).isEmpty)
        try append("one\ntw")
        #expect(lines(follower) == ["one"])  // half a line waits
        try append("o\nthree\n")
        #expect(lines(follower) == ["two", "three"])
        // logrotate: the file moves away, nginx reopens a new one.
        try FileManager.default.moveItem(atPath: folder + "/access.log", toPath: folder + "/access.log.1")
        try append("last of the old\n", to: "access.log.1")
        #expect(lines(follower) == ["last of the old"])  // the moved file is read to its end first
        try append("first of the new\n")
        #expect(lines(follower) == ["first of the new"])
        // nginx's workers flush their buffers into the old file a little after.
        try append("flushed late to the old\n", to: "access.log.1")
        try append("second of the new\n")
        #expect(lines(follower) == ["flushed late to the old", "second of the new"])
        // copytruncate: the same file, shorter than what was read of it.
        try "".write(toFile: folder + "/access.log", atomically: false, encoding: .utf8)
        try append("truncated\n")
        #expect(lines(follower) == ["truncated"])
    }

    @Test func aLogThatIsNotThereYet() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let follower = AccessLogFollower(path: folder + "/access.log")
        #expect(!follower.isFollowing && lines(follower).isEmpty)
        try append("first\n")
        #expect(lines(follower) == ["first"] && follower.isFollowing)
    }

    @Test func aBudgetLeavesTheRestForLater() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try append("")
        let follower = AccessLogFollower(path: folder + "/access.log")
        try append(String(repeating: "x\n", count: 100_000))
        var count = 0
        #expect(follower.poll(budget: 1) { _ in count += 1 } == 65_536)  // one read at most
        #expect(count == 32_768)
        follower.poll { _ in count += 1 }
        #expect(count == 100_000)
    }
}
