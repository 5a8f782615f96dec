import Foundation

/// Which feed a store's decisions belong to: one store can hold several feeds, so decisions are
/// keyed by a digest of the feed paths ('-' for standard input).
public enum FeedIdentity {
    public static func of(paths: [String]) -> String {
        let names = paths.map { $0 == "-" ? "-" : URL(fileURLWithPath: $0).standardizedFileURL.path }.sorted().joined(separator: "\n")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in names.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
