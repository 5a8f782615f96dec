/// A growable array of code points, each with the range of original UTF-8 bytes it came from.
/// Struct-of-arrays in manually managed memory: the normalizer reuses these for every post.
final class ScalarBuffer {
    private(set) var scalars: UnsafeMutablePointer<UInt32>
    private(set) var starts: UnsafeMutablePointer<Int32>
    private(set) var ends: UnsafeMutablePointer<Int32>
    private(set) var capacity: Int
    var count = 0
    /// When false only code points are kept (a first pass that only needs to know whether
    /// anything matches); the origin arrays then hold garbage.
    var tracksOrigins = true

    init(capacity: Int = 1024) {
        self.capacity = capacity
        scalars = .allocate(capacity: capacity)
        starts = .allocate(capacity: capacity)
        ends = .allocate(capacity: capacity)
    }

    deinit {
        scalars.deallocate()
        starts.deallocate()
        ends.deallocate()
    }

    @inline(__always) func reset() { count = 0 }

    @inline(__always) func reserve(_ n: Int) {
        if count + n > capacity { grow(to: count + n) }
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let s = UnsafeMutablePointer<UInt32>.allocate(capacity: newCapacity)
        let a = UnsafeMutablePointer<Int32>.allocate(capacity: newCapacity)
        let b = UnsafeMutablePointer<Int32>.allocate(capacity: newCapacity)
        s.update(from: scalars, count: count)
        a.update(from: starts, count: count)
        b.update(from: ends, count: count)
        scalars.deallocate()
        starts.deallocate()
        ends.deallocate()
        scalars = s
        starts = a
        ends = b
        capacity = newCapacity
    }

    @inline(__always) func append(_ c: UInt32, _ start: Int32, _ end: Int32) {
        if count == capacity { grow(to: count + 1) }
        scalars[count] = c
        if tracksOrigins {
            starts[count] = start
            ends[count] = end
        }
        count += 1
    }

    @inline(__always) var last: UInt32? { count > 0 ? scalars[count - 1] : nil }

    /// Extends the last element's origin to cover `end` (a merge: squeeze, defang, separators).
    @inline(__always) func extendLast(to end: Int32) {
        if tracksOrigins && ends[count - 1] < end { ends[count - 1] = end }
    }

    func sameScalars(as other: ScalarBuffer) -> Bool {
        count == other.count && memcmp(scalars, other.scalars, count * 4) == 0
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
