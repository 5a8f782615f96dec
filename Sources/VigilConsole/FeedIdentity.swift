import Foundation
import VigilFeed

/// Which feed a store's decisions belong to: one store can hold several feeds, so decisions are
/// keyed by a digest of the feed paths ('-' for standard input).
public enum FeedIdentity {
    public static func of(paths: [String]) -> String {
        let names = paths.map { $0 == "-" ? "-" : URL(fileURLWithPath: $0).standardizedFileURL.path }.sorted().joined(separator: "\n")
        return String(FNV1a.hash(names), radix: 16)
    }
}
