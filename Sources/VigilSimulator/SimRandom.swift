import Foundation

/// xoshiro256** seeded through SplitMix64: fast, and the same on every platform and Swift
/// version (the standard library's generator promises neither), so a seed replays exactly.
public struct SimRandom: RandomNumberGenerator {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// A new generator for a sub-stream (one per planted structure), so adding draws in one place
    /// does not shift every other.
    public mutating func fork() -> SimRandom { SimRandom(seed: next()) }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform integer in `range`.
    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    public mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    /// Exponential with the given mean (Poisson inter-arrival times).
    public mutating func exponential(mean: Double) -> Double { -mean * log(1 - unit()) }

    /// Log-normal: exp(mu + sigma × standard normal) (Box–Muller).
    public mutating func logNormal(mu: Double, sigma: Double) -> Double {
        let u1 = max(unit(), 1e-12), u2 = unit()
        return exp(mu + sigma * sqrt(-2 * log(u1)) * cos(2 * .pi * u2))
    }
}

/// Weighted choice in O(log n) over fixed weights (cumulative sums, binary search).
public struct WeightedPicker: Sendable {
    private let cumulative: [Double]

    public init(_ weights: [Double]) {
        var sum = 0.0
        cumulative = weights.map { sum += max(0, $0); return sum }
    }

    public func pick(_ rng: inout SimRandom) -> Int {
        let target = rng.unit() * (cumulative.last ?? 0)
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > target { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
