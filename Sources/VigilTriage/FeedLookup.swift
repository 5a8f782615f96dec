import VigilFeed

/// What a feed says about the accounts and posts evidence bundles name: handles, display names,
/// creation and suspension times, post texts. `vigil export evidence --feed-file` uses it to
/// complete snapshots stored without these facts, so a bundle reads without the console.
public struct FeedLookup: Sendable, Equatable {
    public var accounts: [String: AccountFacts] = [:]
    public var posts: [String: PostFacts] = [:]

    public init() {}

    /// Reads the feeds once, keeping only the accounts and posts the snapshots name.
    public static func read(paths: [String], for snapshots: [ItemSnapshot]) throws -> FeedLookup {
        let wantedAccounts = Set(snapshots.flatMap { [$0.account].compactMap { $0 } + $0.members })
        let wantedPosts = Set(snapshots.flatMap { $0.evidence.flatMap(nearDuplicatePosts) })
        var lookup = FeedLookup()
        let decoder = FeedDecoder()
        for path in paths {
            let reader = try LineReader(path: path, padding: FeedDecoder.padding)
            try reader.forEachLine({ line in
                guard case .event(let raw) = decoder.decode(line) else { return true }
                switch raw.kind {
                case .account where wantedAccounts.contains(raw.idString):
                    guard case .account(let account) = raw.materialize() else { break }
                    var facts = lookup.accounts[account.id] ?? AccountFacts(id: account.id)
                    facts.handle = account.handle ?? facts.handle
                    facts.displayName = account.displayName ?? facts.displayName
                    facts.createdAt = account.createdAt?.description ?? facts.createdAt
                    lookup.accounts[account.id] = facts
                case .suspension where wantedAccounts.contains(raw.accountString):
                    let id = raw.accountString
                    lookup.accounts[id, default: AccountFacts(id: id)].suspensions.append(raw.ts?.description ?? raw.tsString)
                case .post where wantedPosts.contains(raw.idString):
                    guard case .post(let post) = raw.materialize() else { break }
                    lookup.posts[post.id] = PostFacts(id: post.id, account: post.account, feedTs: post.ts.description, text: post.text)
                default: break
                }
                return true
            }, oversized: { _, _ in true })
        }
        return lookup
    }

    /// `snapshot` with what the feed knows and the snapshot did not: the author's or members'
    /// accounts, and the posts its near-duplicate evidence names.
    public func filling(_ snapshot: ItemSnapshot) -> ItemSnapshot {
        var filled = snapshot
        if filled.accounts == nil {
            let known = ([snapshot.account].compactMap { $0 } + snapshot.members).compactMap { accounts[$0] }
            if !known.isEmpty { filled.accounts = known }
        }
        if filled.samples == nil {
            let named = snapshot.evidence.flatMap(Self.nearDuplicatePosts).compactMap { posts[$0] }
            if !named.isEmpty { filled.samples = named }
        }
        return filled
    }

    /// The posts of a near-duplicate evidence line as the console writes it
    /// (`near_duplicate_text: 3 edges; keys …; samples a1+a2 p1,p2 @ts; a3+a4 p5,p6 @ts`).
    static func nearDuplicatePosts(_ line: String) -> [String] {
        guard line.hasPrefix("near_duplicate_text") else { return [] }
        var posts: [String] = []
        var inSamples = false
        for part in line.components(separatedBy: "; ") {
            var sample = Substring(part)
            if sample.hasPrefix("samples ") {
                inSamples = true
                sample = sample.dropFirst("samples ".count)
            }
            let fields = sample.split(separator: " ")
            guard inSamples, fields.count == 3, fields[2].hasPrefix("@") else { continue }
            for post in fields[1].split(separator: ",") where !posts.contains(String(post)) { posts.append(String(post)) }
        }
        return posts
    }
}
