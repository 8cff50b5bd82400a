import Foundation

/// A value a test's threads share.
final class Shared<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
    /// Changes it in one step (`count.update { $0 += 1 }`).
    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}
