import CSupport
import Support

#if canImport(Glibc)
import Glibc
#endif

/// What a worker writes, in its own slot only: ready, reading a request,
/// busy with one, done; why it closed a connection without an answer.
extension Scoreboard {
    /// The worker opened what it needs and is about to accept.
    func workerReady(slot index: Int) {
        airwave_store32(&slot(index).pointee.state, Int32(AIRWAVE_SLOT_IDLE.rawValue))
    }

    /// The worker accepted a connection and is reading its request.
    func reading(slot index: Int) {
        airwave_scoreboard_reading(board, UInt32(index), SystemClock.milliseconds())
    }

    /// The connection ended without a request: back to waiting for one.
    func idle(slot index: Int) {
        airwave_scoreboard_idle(board, UInt32(index))
    }

    /// The request is read: `path` is its URI, bytes as nginx sent them.
    func begin(slot index: Int, path: ArraySlice<UInt8>?) {
        (path ?? []).withUnsafeBytes { bytes in
            airwave_scoreboard_begin(board, UInt32(index), bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
                                     UInt64(bytes.count), SystemClock.milliseconds())
        }
    }

    /// Why a connection was closed without an answer.
    enum Dropped {
        case readTimeout, malformed, refused
    }

    func count(_ dropped: Dropped) {
        switch dropped {
        case .readTimeout: airwave_addu64(&board.pointee.read_timeouts, 1)
        case .malformed: airwave_addu64(&board.pointee.malformed, 1)
        case .refused: airwave_addu64(&board.pointee.refused, 1)
        }
    }

    func end(slot index: Int, microseconds: Int64) {
        airwave_scoreboard_end(board, UInt32(index), microseconds)
    }
}
