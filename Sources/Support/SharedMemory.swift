import CSupport

#if canImport(Glibc)
import Glibc
#endif

/// Memory every process of the pool maps: a memfd (no name in any file
/// system, nothing written to disk) the master creates and maps before the
/// fork, so each worker inherits the mapping. The descriptor is closed on
/// exec: a reload's new image makes its own.
public final class SharedMemory: @unchecked Sendable {
    public let descriptor: Int32
    public let base: UnsafeMutableRawPointer
    public let size: Int

    /// New memory of `size` bytes, zeroed, read-write.
    public convenience init(name: String, size: Int) throws(SystemError) {
        let fd = airwave_memfd(name, UInt64(size))
        guard fd >= 0 else { throw SystemError("memfd_create \(name) (\(size) bytes)") }
        try self.init(descriptor: fd, size: size, writable: true)
    }

    /// Another process's memory, read-only, through /proc (the same user or
    /// root): for `airwave status`.
    public convenience init(process pid: pid_t, descriptor: Int32) throws(SystemError) {
        let path = "/proc/\(pid)/fd/\(descriptor)"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open \(path)") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = SystemError("fstat \(path)")
            close(fd)
            throw error
        }
        try self.init(descriptor: fd, size: Int(info.st_size), writable: false)
    }

    private init(descriptor: Int32, size: Int, writable: Bool) throws(SystemError) {
        let protection = writable ? PROT_READ | PROT_WRITE : PROT_READ
        guard size > 0, let memory = mmap(nil, size, protection, MAP_SHARED, descriptor, 0), memory != MAP_FAILED else {
            let error = SystemError("mmap of \(size) bytes")
            close(descriptor)
            throw error
        }
        self.descriptor = descriptor
        self.base = memory
        self.size = size
    }

    deinit {
        munmap(base, size)
        close(descriptor)
    }
}
