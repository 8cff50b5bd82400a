import Support

#if canImport(Glibc)
import Glibc
#endif

/// Follows nginx's access log as `tail -F` does: from its end when it starts
/// (what came before is not counted), line by line as nginx appends (it
/// flushes its buffer every second), on to the new file when logrotate
/// moves it away, and from the start again when it is truncated. A line
/// is handed over only once it is whole. After a rotation the old file is
/// still read for a few seconds: nginx's workers flush what they hold into
/// it after the master has opened the new one.
public final class AccessLogFollower {
    public let path: String
    private var descriptor: Int32 = -1
    private var inode: ino_t = 0
    private var offset: off_t = 0
    private var partial: [UInt8] = []
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    /// The file logrotate moved away, read until `until` (monotonic ns).
    private var retired: (descriptor: Int32, offset: off_t, partial: [UInt8], until: UInt64)?
    static let drainTime: UInt64 = 5_000_000_000
    /// Longer lines are dropped (nginx's are a few hundred bytes).
    static let longestLine = 1 << 16

    /// `fromStart`: count what the log already holds (tests); else only
    /// what is appended from now on.
    public init(path: String, fromStart: Bool = false) {
        self.path = path
        open(atEnd: !fromStart)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if let retired { close(retired.descriptor) }
    }

    /// Whether the log is open (it may not exist yet).
    public var isFollowing: Bool { descriptor >= 0 }

    /// Reads what was appended since the last call, up to `budget` bytes
    /// (the rest waits for the next call), and hands over each whole line.
    /// Returns the bytes read.
    @discardableResult
    public func poll(budget: Int = 8 << 20, _ line: (ArraySlice<UInt8>) -> Void) -> Int {
        var total = drainRetired(line)
        if descriptor < 0 { open(atEnd: false) }
        guard descriptor >= 0 else { return total }
        while total < budget {
            let n = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, offset) }
            if n > 0 {
                offset += off_t(n)
                total += n
                Self.split(buffer[0..<n], into: &partial, line)
            } else if !followRotation() {
                break
            }
        }
        return total
    }

    /// The rest of the file logrotate moved away, while its time lasts.
    private func drainRetired(_ line: (ArraySlice<UInt8>) -> Void) -> Int {
        guard var old = retired else { return 0 }
        var total = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(old.descriptor, $0.baseAddress, $0.count, old.offset) }
            guard n > 0 else { break }
            old.offset += off_t(n)
            total += n
            Self.split(buffer[0..<n], into: &old.partial, line)
        }
        if SystemClock.now() >= old.until {
            close(old.descriptor)
            retired = nil
        } else {
            retired = old
        }
        return total
    }

    private static func split(_ bytes: ArraySlice<UInt8>, into partial: inout [UInt8], _ line: (ArraySlice<UInt8>) -> Void) {
        var start = bytes.startIndex
        while let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            if partial.isEmpty {
                line(bytes[start..<end])
            } else {
                partial += bytes[start..<end]
                if partial.count <= longestLine { line(partial[...]) }
                partial.removeAll(keepingCapacity: true)
            }
            start = end + 1
        }
        if start < bytes.endIndex, partial.count <= longestLine { partial += bytes[start...] }
    }

    /// At the end of the open file: a new file at the path (logrotate moved
    /// this one) is followed from its start; a shorter one (truncated) too.
    /// True when there is something new to read.
    private func followRotation() -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }  // moved, its successor not there yet
        if info.st_ino != inode {
            if let old = retired { close(old.descriptor) }
            retired = (descriptor, offset, partial, SystemClock.now() + Self.drainTime)
            descriptor = -1
            open(atEnd: false)
            return descriptor >= 0
        }
        guard info.st_size < offset else { return false }
        offset = 0
        partial.removeAll()
        return true
    }

    private func open(atEnd: Bool) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return
        }
        descriptor = fd
        inode = info.st_ino
        offset = atEnd ? info.st_size : 0
        partial.removeAll()
    }
}
