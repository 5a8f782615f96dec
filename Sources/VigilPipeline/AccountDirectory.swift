import VigilFeed

/// Followers per account id, in bounded memory: two generations of at most `generationSize`
/// accounts each; when the young one fills, the old one is dropped. Accounts that keep posting
/// stay known; a stream with ever more accounts does not grow memory without limit.
public struct AccountDirectory {
    private var young: [UInt64: Int64] = [:]
    private var old: [UInt64: Int64] = [:]
    public let generationSize: Int

    public init(generationSize: Int = 500_000) {
        self.generationSize = generationSize
        young.reserveCapacity(min(generationSize, 1 << 16))
    }

    public var count: Int { young.count + old.count }

    public mutating func set(_ id: UnsafeBufferPointer<UInt8>, followers: Int64) {
        set(key: AccountDirectory.key(id), followers: followers)
    }

    public mutating func set(key: UInt64, followers: Int64) {
        young[key] = followers
        if young.count >= generationSize {
            old = young
            young = [:]
            young.reserveCapacity(min(generationSize, 1 << 16))
        }
    }

    public mutating func followers(_ id: UnsafeBufferPointer<UInt8>) -> Int64 {
        let k = AccountDirectory.key(id)
        if let f = young[k] { return f }
        if let f = old[k] {
            set(key: k, followers: f)
            return f
        }
        return 0
    }

    /// FNV-1a over the id's bytes: ids are short, and 64 bits make collisions negligible.
    @inline(__always) public static func key(_ id: UnsafeBufferPointer<UInt8>) -> UInt64 { FNV1a.hash(id) }
}
