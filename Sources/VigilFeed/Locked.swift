import Foundation

/// A value shared between threads behind one lock. An `NSLock` rather than the standard library's
/// `Mutex`: ThreadSanitizer sees this lock (the `Mutex` is a bare futex it cannot see, so every
/// value behind one was reported as a race), which keeps the sanitizer's reports worth reading.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
