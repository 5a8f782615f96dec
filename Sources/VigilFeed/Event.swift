/// The events of a feed, as specified in `docs/feed-format.md`.

public struct Scenario: Sendable, Hashable {
    public var title: String?
    public var description: String?
    public var seed: Int64?
    public var languages: [String]

    public init(title: String? = nil, description: String? = nil, seed: Int64? = nil, languages: [String] = []) {
        self.title = title
        self.description = description
        self.seed = seed
        self.languages = languages
    }
}

public struct Account: Sendable, Hashable {
    public var id: String
    public var handle: String?
    public var displayName: String?
    public var platform: String?
    public var createdAt: Timestamp?
    public var followers: Int64
    public var bio: String?
    public var lang: String?

    public init(id: String, handle: String? = nil, displayName: String? = nil, platform: String? = nil,
                createdAt: Timestamp? = nil, followers: Int64 = 0, bio: String? = nil, lang: String? = nil) {
        self.id = id
        self.handle = handle
        self.displayName = displayName
        self.platform = platform
        self.createdAt = createdAt
        self.followers = followers
        self.bio = bio
        self.lang = lang
    }
}

public struct Post: Sendable, Hashable {
    public var id: String
    public var account: String
    public var platform: String?
    public var ts: Timestamp
    public var text: String
    /// The `lang` the feed gave, if any (the scorer guesses one when it is absent).
    public var lang: String?
    public var replyTo: String?
    public var repostOf: String?
    /// From the feed, or extracted from the text when the feed omitted the field.
    public var urls: [String]
    public var hashtags: [String]
    public var mentions: [String]

    public init(id: String, account: String, platform: String? = nil, ts: Timestamp, text: String,
                lang: String? = nil, replyTo: String? = nil, repostOf: String? = nil,
                urls: [String]? = nil, hashtags: [String]? = nil, mentions: [String]? = nil) {
        self.id = id
        self.account = account
        self.platform = platform
        self.ts = ts
        self.text = text
        self.lang = lang
        self.replyTo = replyTo
        self.repostOf = repostOf
        let extracted = (urls == nil || hashtags == nil || mentions == nil) ? TextEntities.extract(from: text) : nil
        self.urls = urls ?? extracted?.urls ?? []
        self.hashtags = hashtags ?? extracted?.hashtags ?? []
        self.mentions = mentions ?? extracted?.mentions ?? []
    }
}

public struct Suspension: Sendable, Hashable {
    public var account: String
    public var ts: Timestamp

    public init(account: String, ts: Timestamp) {
        self.account = account
        self.ts = ts
    }
}

public struct Marker: Sendable, Hashable {
    public var ts: Timestamp
    public var title: String
    public var note: String?

    public init(ts: Timestamp, title: String, note: String? = nil) {
        self.ts = ts
        self.title = title
        self.note = note
    }
}

public enum Event: Sendable, Hashable {
    case scenario(Scenario)
    case account(Account)
    case post(Post)
    case suspension(Suspension)
    case marker(Marker)

    /// Event time, when the event has one.
    public var ts: Timestamp? {
        switch self {
        case .post(let p): return p.ts
        case .suspension(let s): return s.ts
        case .marker(let m): return m.ts
        case .account(let a): return a.createdAt
        case .scenario: return nil
        }
    }
}
