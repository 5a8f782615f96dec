import Foundation
import VigilFeed

/// Counts for the summary on stderr.
public struct SimulationStats: Sendable, Equatable {
    public var events = 0
    public var posts = 0
    public var accounts = 0
    public var violating = 0
    public var news = 0
    public var counterSpeech = 0
    public var suspensions = 0
    public var markers = 0
}

/// Writes a simulated feed and its answer key, streaming: memory holds the plan and a small ring
/// of recent posts, never the feed.
public final class FeedSimulator {
    let plan: Plan
    let bank: TemplateBank
    let feed: OutputWriter
    let key: AnswerKeyWriter?
    var rng: SimRandom
    var stats = SimulationStats()
    private var postNumber = 0
    /// Recent posts, for replies and reposts: (id, account index).
    private var recent: [(String, Int)] = []
    private var recentNext = 0
    private let recentCapacity = 512
    private let authorPicker: WeightedPicker
    private var wavePosts: [[[String]]]
    private var line: [UInt8] = []
    private var cachedSecond: Int64 = -1
    private var cachedPrefix: [UInt8] = []
    /// The feed's digest as written (`FeedDigest`), for the answer key.
    private var digest = SHA256()
    private var written: Int64 = 0

    public init(options: SimulationOptions, bank: TemplateBank, feed: OutputWriter, answerKey: OutputWriter?) {
        self.bank = bank
        plan = Plan(options: options, bank: bank)
        self.feed = feed
        key = answerKey.map { AnswerKeyWriter(out: $0) }
        var seeded = SimRandom(seed: options.seed ^ 0x5EED)
        rng = seeded.fork()
        authorPicker = WeightedPicker(plan.accounts.map(\.activity))
        wavePosts = plan.clusters.map { $0.waves.map { _ in [] } }
        line.reserveCapacity(1024)
        if key != nil {
            feed.observer = { [unowned self] bytes in
                digest.update(bytes)
                written += Int64(bytes.count)
            }
        }
    }

    // MARK: - Scheduled (planted) events

    enum Scheduled {
        case accountAppears(Int)
        case suspension(Int)
        case marker(Int)
        case wavePost(cluster: Int, wave: Int, member: Int)
        case waveRepost(cluster: Int, wave: Int, member: Int)
        case chainPost(chain: Int, account: Int, link: Int)
        case spikeViolating(spike: Int)
    }

    private func schedule() -> [(Int64, Scheduled)] {
        var events: [(Int64, Scheduled)] = []
        var r = SimRandom(seed: plan.options.seed ^ 0xC0FFEE)
        for (i, account) in plan.accounts.enumerated() {
            if let t = account.appearsAt { events.append((t, .accountAppears(i))) }
            if let t = account.suspendedAt, t < plan.end { events.append((t, .suspension(i))) }
        }
        for (i, marker) in plan.markers.enumerated() { events.append((marker.time, .marker(i))) }
        for (c, cluster) in plan.clusters.enumerated() {
            for (w, wave) in cluster.waves.enumerated() {
                let share = 0.6 + r.unit() * 0.3
                for m in cluster.members where r.chance(share) {
                    events.append((wave.time + Int64(r.unit() * 45e6), .wavePost(cluster: c, wave: w, member: m)))
                }
                for m in cluster.members where r.chance(0.3) {
                    events.append((wave.time + Int64((50 + r.unit() * 100) * 1e6), .waveRepost(cluster: c, wave: w, member: m)))
                }
                if r.chance(0.5) {
                    events.append((wave.time + Int64((60 + r.unit() * 240) * 1e6), .waveRepost(cluster: c, wave: w, member: cluster.amplifier)))
                }
            }
        }
        for (k, chain) in plan.chains.enumerated() {
            for (n, index) in chain.accounts.enumerated() {
                let account = plan.accounts[index]
                let from = account.appearsAt ?? plan.start
                let until = min(account.suspendedAt ?? plan.end, plan.end)
                guard until > from else { continue }
                var t = from + Int64(r.unit() * 30e6)
                // A handful of posts while the account lives: enough to be noticed.
                let gap = max(20e6, Double(until - from) / 6)
                while t < until {
                    events.append((t, .chainPost(chain: k, account: index, link: n)))
                    t += Int64(gap * (0.5 + r.unit()))
                }
            }
        }
        for (s, spike) in plan.spikes.enumerated() {
            for _ in 0..<spike.violatingPosts {
                events.append((spike.start + Int64(r.unit() * Double(spike.end - spike.start)), .spikeViolating(spike: s)))
            }
        }
        // Stable order: by time, then by the order planned.
        return events.enumerated().sorted { ($0.element.0, $0.offset) < ($1.element.0, $1.offset) }.map(\.element)
    }

    // MARK: - The run

    public func run() -> SimulationStats {
        key?.begin(plan)
        writeScenario()
        for (i, account) in plan.accounts.enumerated() where account.appearsAt == nil { writeAccount(i) }
        let planted = schedule()
        var next = 0
        var t = nextArrival(after: plan.start)
        while true {
            let plantedTime = next < planted.count ? planted[next].0 : Int64.max
            if plantedTime <= t && plantedTime < plan.end {
                emit(planted[next].1, at: plantedTime)
                next += 1
                continue
            }
            guard t < plan.end else { break }
            organicPost(at: t)
            t = nextArrival(after: t)
        }
        feed.finish()
        feed.observer = nil
        key?.finish(feed: FeedDigest(sha256: digest.hex(), bytes: written))
        return stats
    }

    /// Non-homogeneous Poisson arrivals by thinning: a daily rhythm (peak at 13:00 UTC, evening in
    /// Southeast Asia), four times the rate in bursts, three times during a news spike.
    private func nextArrival(after start: Int64) -> Int64 {
        var t = start
        while true {
            let (factor, until) = windowFactor(at: t)
            let maximum = plan.options.rate * 1.35 * factor
            let candidate = t + Int64(rng.exponential(mean: 1 / maximum) * 1e6) + 1
            if candidate >= until {
                t = until
                if t >= plan.end { return plan.end }
                continue
            }
            if rng.unit() * 1.35 < diurnal(candidate) { return candidate }
            t = candidate
        }
    }

    private func diurnal(_ t: Int64) -> Double {
        guard !plan.options.steady else { return 1 }
        let hour = Double((t / Plan.second) % 86_400) / 3600
        return 1 + 0.35 * sin(2 * .pi * (hour - 7) / 24)
    }

    /// The rate multiplier at `t` and when it next changes.
    private func windowFactor(at t: Int64) -> (Double, Int64) {
        var factor = 1.0
        var until = plan.end
        guard !plan.options.steady else { return (factor, until) }
        for burst in plan.bursts {
            if t >= burst.start && t < burst.end { factor *= 4; until = min(until, burst.end) }
            else if burst.start > t { until = min(until, burst.start) }
        }
        for spike in plan.spikes {
            if t >= spike.start && t < spike.end { factor *= 3; until = min(until, spike.end) }
            else if spike.start > t { until = min(until, spike.start) }
        }
        return (factor, max(until, t + 1))
    }

    private func inSpike(_ t: Int64) -> Bool { plan.spikes.contains { t >= $0.start && t < $0.end } }

    // MARK: - Organic traffic

    private func pickAuthor(at t: Int64, role: Role? = nil) -> Int? {
        for _ in 0..<8 {
            let i = authorPicker.pick(&rng)
            let account = plan.accounts[i]
            if account.isActive(at: t) && (role == nil || account.role == role) { return i }
        }
        guard let role else { return nil }
        // Rare roles: search directly rather than by weight.
        let matching = plan.accounts.indices.filter { plan.accounts[$0].role == role && plan.accounts[$0].isActive(at: t) }
        return matching.isEmpty ? nil : rng.pick(matching)
    }

    private func organicPost(at t: Int64) {
        var author: Int?
        var kind: PostKind = .benign
        if inSpike(t) {
            // A news event: agencies report, people share and condemn.
            let roll = rng.unit()
            if roll < 0.35, let news = pickAuthor(at: t, role: .news) {
                author = news; kind = .news
            } else if roll < 0.6 {
                author = pickAuthor(at: t); kind = .newsShare
            } else if roll < 0.8 {
                author = rng.chance(0.3) ? pickAuthor(at: t, role: .counter) : pickAuthor(at: t); kind = .counterSpeech
            }
        }
        if author == nil {
            author = pickAuthor(at: t)
            guard let a = author else { return }
            kind = organicKind(for: plan.accounts[a].role)
        }
        guard let a = author else { return }
        if kind == .benign, !recent.isEmpty {
            let roll = rng.unit()
            if roll < 0.18 {
                writePost(author: a, at: t, text: "", kind: .benign, repostOf: threadTarget())
                return
            }
            if roll < 0.30 {
                writePost(author: a, at: t, kind: .reply, replyTo: threadTarget())
                return
            }
        }
        writePost(author: a, at: t, kind: kind)
    }

    /// What a reply or repost answers: usually a post by a big account (popular posts draw the
    /// crowds), sometimes any recent one.
    private func threadTarget() -> String {
        if rng.chance(0.6) {
            var best = recent[rng.int(0...recent.count - 1)]
            for _ in 0..<5 {
                let candidate = recent[rng.int(0...recent.count - 1)]
                if plan.accounts[candidate.1].followers > plan.accounts[best.1].followers { best = candidate }
            }
            return best.0
        }
        return recent[rng.int(0...recent.count - 1)].0
    }

    private func organicKind(for role: Role) -> PostKind {
        let roll = rng.unit()
        switch role {
        case .news: return roll < 0.9 ? .news : (roll < 0.95 ? .counterSpeech : .benign)
        case .counter: return roll < 0.8 ? .counterSpeech : (roll < 0.9 ? .newsShare : .benign)
        case .celebrity: return roll < 0.85 ? .benign : .benignTrap
        case .organic, .violating: return roll < 0.84 ? .benign : (roll < 0.93 ? .benignTrap : (roll < 0.97 ? .newsShare : .counterSpeech))
        }
    }

    // MARK: - Planted traffic

    private func emit(_ event: Scheduled, at t: Int64) {
        switch event {
        case .accountAppears(let i):
            writeAccount(i)
        case .suspension(let i):
            stats.suspensions += 1
            stats.events += 1
            line.removeAll(keepingCapacity: true)
            append("{\"type\":\"suspension\",\"account\":")
            appendString(plan.accounts[i].id)
            append(",\"ts\":")
            appendTimestamp(t)
            append("}\n")
            flushLine()
        case .marker(let m):
            stats.markers += 1
            stats.events += 1
            let marker = plan.markers[m]
            line.removeAll(keepingCapacity: true)
            append("{\"type\":\"marker\",\"ts\":")
            appendTimestamp(t)
            append(",\"title\":")
            appendString(marker.title)
            append(",\"note\":")
            appendString(marker.note)
            append("}\n")
            flushLine()
        case .wavePost(let c, let w, let m):
            let wave = plan.clusters[c].waves[w]
            let templates = bank.violating[wave.category]?[wave.language] ?? []
            guard !templates.isEmpty else { return }
            let id = writePost(author: m, at: t, kind: .violating(wave.category), template: templates[wave.template % templates.count],
                               language: wave.language, link: wave.link, cluster: plan.clusters[c].id)
            wavePosts[c][w].append(id)
        case .waveRepost(let c, let w, let m):
            let posts = wavePosts[c][w].filter { !$0.isEmpty }
            guard !posts.isEmpty else { return }
            let wave = plan.clusters[c].waves[w]
            writePost(author: m, at: t, text: "", kind: .violating(wave.category), repostOf: rng.pick(posts), cluster: plan.clusters[c].id)
        case .chainPost(let k, let account, let link):
            let chain = plan.chains[k]
            guard plan.accounts[account].isActive(at: t) else { return }
            writePost(author: account, at: t, kind: .violating(chain.category), language: chain.language, link: chain.links[link], chain: chain.id)
        case .spikeViolating:
            let category = rng.pick([ViolationCategory.recruitmentCall, .glorification, .handoff])
            let violators = plan.accounts.indices.filter { plan.accounts[$0].role == .violating && plan.accounts[$0].isActive(at: t) }
            let author: Int
            if let v = violators.isEmpty ? nil : rng.pick(violators) {
                author = v
            } else if let o = pickAuthor(at: t) {
                author = o
            } else {
                return
            }
            writePost(author: author, at: t, kind: .violating(category))
        }
    }

    // MARK: - Writing

    @discardableResult
    private func writePost(author: Int, at t: Int64, text fixedText: String? = nil, kind: PostKind,
                           template: Template? = nil, language: Language? = nil, link: String? = nil,
                           replyTo: String? = nil, repostOf: String? = nil, cluster: String? = nil, chain: String? = nil) -> String {
        postNumber += 1
        let id = "p\(postNumber)"
        let account = plan.accounts[author]
        let lang = language ?? account.lang
        var entities = Entities()
        var text: String
        if let fixedText {
            text = fixedText
        } else {
            let chosen = template ?? rng.pick(bank.templates(kind, lang))
            text = fill(chosen, kind: kind, lang: lang, link: link, &entities)
            // People rarely post one stock sentence: most everyday posts run on into a second one,
            // which keeps strangers' chatter from looking like copies of each other.
            if kind == .benign && template == nil && rng.chance(0.85) {
                text += " " + fill(rng.pick(bank.templates(kind, lang)), kind: kind, lang: lang, link: nil, &entities)
            }
            if case .violating = kind {
                let technique = Obfuscation.allCases[WeightedPicker(Obfuscation.weights).pick(&rng)]
                text = Obfuscation.apply(technique, to: text, &rng)
            }
        }
        let platform = rng.chance(0.8) ? account.platform : plan.pickPlatform(&rng)
        line.removeAll(keepingCapacity: true)
        append("{\"type\":\"post\",\"id\":\"\(id)\",\"account\":\"\(account.id)\",\"platform\":\"\(platform)\",\"ts\":")
        appendTimestamp(t)
        append(",\"text\":")
        appendString(text)
        append(",\"lang\":\"\(lang.rawValue)\"")
        if let replyTo { append(",\"reply_to\":\"\(replyTo)\"") }
        if let repostOf { append(",\"repost_of\":\"\(repostOf)\"") }
        appendList("urls", entities.urls)
        appendList("hashtags", entities.hashtags)
        appendList("mentions", entities.mentions)
        append("}\n")
        flushLine()
        stats.posts += 1
        stats.events += 1
        switch kind {
        case .violating: stats.violating += 1
        case .news, .newsShare: stats.news += 1
        case .counterSpeech: stats.counterSpeech += 1
        default: break
        }
        if kind != .benign && kind != .reply {
            key?.post(id: id, text: text, kind: kind, trap: kind == .benignTrap, repost: repostOf != nil, cluster: cluster, chain: chain)
        }
        if repostOf == nil {
            if recent.count < recentCapacity { recent.append((id, author)) } else { recent[recentNext] = (id, author) }
            recentNext = (recentNext + 1) % recentCapacity
        }
        return id
    }

    struct Entities {
        var urls: [String] = []
        var hashtags: [String] = []
        var mentions: [String] = []
    }

    static let emoji = ["🙂", "😂", "🙏", "👍", "🔥", "☕", "⚽", "🌧️", "🎉", "❤️"]

    private func fill(_ template: Template, kind: PostKind, lang: Language, link: String?, _ entities: inout Entities) -> String {
        var out = ""
        out.reserveCapacity(160)
        // A planted link (a wave's, a chain's) goes into the template's first link slot.
        var planted = link
        for segment in template.segments {
            switch segment {
            case .text(let s):
                out += s
            case .list(let i):
                out += rng.pick(bank.lists[i])
            case .builtIn(let slot):
                let value: String
                if slot.isLink, let p = planted {
                    value = p
                    planted = nil
                } else {
                    value = builtIn(slot, kind: kind, lang: lang)
                }
                if slot.isLink { entities.urls.append(value) }
                switch slot {
                case .mention:
                    entities.mentions.append(String(value.dropFirst()))
                case .hashtag:
                    entities.hashtags.append(String(value.dropFirst()))
                default:
                    break
                }
                out += value
            }
        }
        entities.hashtags += template.literalHashtags
        return out
    }

    /// Bech32's alphabet: a fake address must still look like one to the wallet pattern.
    static let bech32 = Array("qpzry9x8gf2tvdw0s3jn54khce6mua7l")

    private func builtIn(_ slot: BuiltInSlot, kind: PostKind, lang: Language) -> String {
        let n = rng.int(1...999)
        switch slot {
        case .linkTG: return "t.me/example_\(rng.pick(bank.handleStems["violating"] ?? ["channel"]))\(n)"
        case .linkTGInvite: return "t.me/+ExampleInvite\(String(format: "%04d", n))"
        case .linkPaste: return "justpaste.it/ex\(n)"
        case .linkFile: return "mega.nz/folder/Example\(n)"
        // Links are heavy-tailed: a few stories and channels everyone shares, a long tail of others.
        case .linkNews: return "https://news.example.org/2026/03/story-\(popular(50_000))"
        case .linkBenign: return "https://example.com/\(rng.pick(["events", "blog", "shop", "photos", "recipes"]))/\(popular(50_000))"
        case .linkTGBenign: return "t.me/example_\(rng.pick(bank.handleStems["organic"] ?? ["community"]))\(popular(2_000))"
        case .linkPasteBenign: return "pastebin.com/Example\(n)"
        case .walletBTC:
            let tail = String((0..<3).map { i in FeedSimulator.bech32[(n >> (5 * i)) & 31] })
            return "bc1qexample" + String(repeating: "q", count: 20) + tail
        case .walletETH: return "0x000000000000000000000000000000000000" + String(format: "%04d", n)
        case .walletTRX: return "TExample" + String(repeating: "x", count: 23) + String(format: "%03d", n)
        case .mention:
            let other = plan.accounts[rng.int(0...plan.accounts.count - 1)]
            return "@" + other.handle
        case .hashtag:
            let section: String
            switch kind {
            case .news, .newsShare: section = "news"
            case .counterSpeech: section = "counter"
            case .violating: section = "violating"
            default: section = "benign"
            }
            return "#" + rng.pick(bank.hashtags[section]?[lang] ?? bank.hashtags["benign"]?[lang] ?? ["news"])
        case .number: return String(rng.int(2...500))
        case .time: return String(format: "%02d:%02d", rng.int(6...23), rng.pick([0, 15, 30, 45]))
        case .emoji: return rng.pick(FeedSimulator.emoji)
        }
    }

    /// 1…n with a heavy head: a third of draws among the first twenty.
    private func popular(_ n: Int) -> Int {
        rng.chance(0.33) ? rng.int(1...20) : rng.int(1...n)
    }

    private func writeScenario() {
        let o = plan.options
        line.removeAll(keepingCapacity: true)
        append("{\"type\":\"scenario\",\"title\":")
        appendString("Simulated feed: \(o.scenario.rawValue)")
        append(",\"description\":")
        appendString("SIMULATED, synthetic and schematic content generated by vigil simulate (seed \(o.seed), \(o.accounts) accounts, "
                     + "\(Int(o.duration)) s, \(o.rate) posts/s\(o.steady ? " steady" : "")). Not real data; all handles and links are placeholders.")
        append(",\"seed\":\(o.seed),\"languages\":[\"en\",\"ar\",\"ms\",\"id\",\"fr\"]}\n")
        flushLine()
        stats.events += 1
    }

    private func writeAccount(_ i: Int) {
        let a = plan.accounts[i]
        line.removeAll(keepingCapacity: true)
        append("{\"type\":\"account\",\"id\":\"\(a.id)\",\"handle\":")
        appendString(a.handle)
        append(",\"display_name\":")
        appendString(a.displayName)
        append(",\"platform\":\"\(a.platform)\",\"created_at\":")
        appendTimestamp(a.createdAt)
        append(",\"followers\":\(a.followers),\"bio\":")
        appendString(a.bio)
        append(",\"lang\":\"\(a.lang.rawValue)\"}\n")
        flushLine()
        stats.accounts += 1
        stats.events += 1
    }

    private func flushLine() {
        line.withUnsafeBufferPointer { feed.write(bytes: $0) }
    }

    @inline(__always) private func append(_ s: String) { line.append(contentsOf: s.utf8) }

    /// Written even when empty: an explicit list saves readers from extracting entities.
    private func appendList(_ name: String, _ values: [String]) {
        append(",\"\(name)\":[")
        for (i, v) in values.enumerated() {
            if i > 0 { line.append(0x2C) }
            appendString(v)
        }
        line.append(0x5D)
    }

    private func appendString(_ s: String) { JSONString.append(s, to: &line) }

    /// `"2026-03-01T08:00:00.250Z"`; the part up to the seconds is cached per second.
    private func appendTimestamp(_ micros: Int64) {
        let second = micros / Plan.second
        if second != cachedSecond {
            cachedSecond = second
            let full = Timestamp(microseconds: second * Plan.second).description  // "…:SSZ"
            cachedPrefix = Array(full.utf8.dropLast())
        }
        line.append(0x22)
        line.append(contentsOf: cachedPrefix)
        let millis = Int((micros % Plan.second) / 1000)
        line.append(0x2E)
        line.append(UInt8(0x30 + millis / 100))
        line.append(UInt8(0x30 + millis / 10 % 10))
        line.append(UInt8(0x30 + millis % 10))
        line.append(0x5A)
        line.append(0x22)
    }
}
