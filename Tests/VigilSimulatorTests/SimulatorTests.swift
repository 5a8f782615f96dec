import Foundation
import Testing
import VigilFeed
import VigilLexicon
import VigilEvaluation
import VigilPipeline
@testable import VigilSimulator

/// A generated feed read back: events, the answer key as JSON, and the raw bytes.
struct Generated {
    var feed: Data
    var key: Data
    var events: [Event]
    var keyJSON: [String: Any]

    var posts: [Post] { events.compactMap { if case .post(let p) = $0 { return p } else { return nil } } }
    var accounts: [Account] { events.compactMap { if case .account(let a) = $0 { return a } else { return nil } } }
    var labels: [String: [String: Any]] { keyJSON["posts"] as? [String: [String: Any]] ?? [:] }
    var clusters: [[String: Any]] { keyJSON["clusters"] as? [[String: Any]] ?? [] }
}

let bank = TemplateBank.builtIn()

func generate(_ scenario: ScenarioKind, seed: UInt64 = 7, accounts: Int? = nil, duration: Double? = nil, rate: Double? = nil,
              steady: Bool = false) throws -> Generated {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-sim-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let feedPath = dir.appendingPathComponent("feed.jsonl").path, keyPath = dir.appendingPathComponent("key.json").path
    do {
        let options = SimulationOptions(scenario: scenario, seed: seed, accounts: accounts, duration: duration, rate: rate, steady: steady)
        _ = FeedSimulator(options: options, bank: bank, feed: try OutputWriter(path: feedPath),
                          answerKey: try OutputWriter(path: keyPath)).run()
    }
    let feed = try Data(contentsOf: URL(fileURLWithPath: feedPath))
    let key = try Data(contentsOf: URL(fileURLWithPath: keyPath))
    var events: [Event] = []
    let reader = try LineReader(path: feedPath, padding: FeedDecoder.padding)
    let decoder = FeedDecoder()
    try reader.forEachLine({ line in
        if case .event(let raw) = decoder.decode(line) { events.append(raw.materialize()) }
        return true
    }, oversized: { _, _ in true })
    let json = try JSONSerialization.jsonObject(with: key) as? [String: Any] ?? [:]
    return Generated(feed: feed, key: key, events: events, keyJSON: json)
}

/// One moderate feed per scenario, generated once and shared by the tests that only read them.
nonisolated(unsafe) let sharedFeeds: [ScenarioKind: Generated] = {
    var feeds: [ScenarioKind: Generated] = [:]
    for scenario in ScenarioKind.allCases {
        feeds[scenario] = scenario == .workshop ? try! generate(.workshop) : try! generate(scenario, duration: 1800, rate: 4)
    }
    return feeds
}()

let builtInLexicon = try! CompiledLexicon.compile(LexiconLoader.builtIn())

struct SimulatorTests {
    @Test("The same scenario, seed and options give byte-identical feed and key; another seed differs")
    func determinism() throws {
        for scenario in ScenarioKind.allCases {
            let a = try generate(scenario, duration: 240, rate: 4)
            let b = try generate(scenario, duration: 240, rate: 4)
            #expect(a.feed == b.feed, "\(scenario)")
            #expect(a.key == b.key, "\(scenario)")
        }
        let other = try generate(.baseline, seed: 8, duration: 240, rate: 4)
        #expect(other.feed != (try generate(.baseline, duration: 240, rate: 4)).feed)
    }

    @Test("Every scenario's feed scans with zero rejected lines, and every labelled post exists")
    func scansClean() throws {
        for scenario in ScenarioKind.allCases {
            let g = sharedFeeds[scenario]!
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-sim-scan-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let path = dir.appendingPathComponent("f.jsonl").path
            try g.feed.write(to: URL(fileURLWithPath: path))
            let pipeline = ScanPipeline(compiled: builtInLexicon)
            var rejects = 0
            pipeline.onReject = { _ in rejects += 1 }
            let stats = try pipeline.run(try ScanPipeline.openAll([path]))
            #expect(rejects == 0, "\(scenario)")
            #expect(stats.posts == g.posts.count)
            let ids = Set(g.posts.map(\.id))
            #expect(g.labels.keys.allSatisfy { ids.contains($0) }, "\(scenario)")
            #expect(g.events.first.map { if case .scenario(let s) = $0 { return s.description?.contains("SIMULATED") == true } else { return false } } == true)
        }
    }

    @Test("recruiter-network: members push the same fresh link within seconds, repost each other, an amplifier joins")
    func recruiterNetwork() throws {
        let g = sharedFeeds[.recruiterNetwork]!
        let cluster = try #require(g.clusters.first { $0["kind"] as? String == "recruiter_network" })
        let members = Set(cluster["members"] as? [String] ?? [])
        #expect((10...40).contains(members.count))
        let amplifier = try #require((cluster["amplifiers"] as? [String])?.first)
        let byAccount = Dictionary(uniqueKeysWithValues: g.accounts.map { ($0.id, $0) })
        #expect(byAccount[amplifier].map { $0.followers > 100_000 } == true)
        let links = (cluster["signals"] as? [[String: Any]])?.first { $0["signal"] as? String == "shared_link" }?["keys"] as? [String] ?? []
        #expect(links.count >= 10)
        let postsByID = Dictionary(uniqueKeysWithValues: g.posts.map { ($0.id, $0) })
        for link in links.prefix(5) {
            let sharing = g.posts.filter { $0.urls.contains(link) }
            #expect(sharing.count >= 5, "\(link)")
            #expect(Set(sharing.map(\.account)).isSubset(of: members))
            let times = sharing.map(\.ts.microseconds)
            #expect(times.max()! - times.min()! <= 60_000_000, "posted within a minute")
            #expect(sharing.allSatisfy { g.labels[$0.id]?["cluster"] as? String == cluster["id"] as? String })
            #expect(sharing.allSatisfy { g.labels[$0.id]?["label"] as? String == "violating" })
        }
        let reposts = g.posts.filter { members.contains($0.account) || $0.account == amplifier }.filter { $0.repostOf != nil }
        #expect(reposts.contains { postsByID[$0.repostOf!].map { members.contains($0.account) } == true })
        #expect(reposts.contains { $0.account == amplifier })
        // Near-duplicates: obfuscation changes the surface of some of them.
        let texts = g.posts.filter { g.labels[$0.id]?["cluster"] != nil && !$0.text.isEmpty }.map(\.text)
        #expect(texts.contains { $0.unicodeScalars.contains { $0.value == 0x200B || $0.value == 0x200C || $0.value == 0x2060 } }
                || texts.contains { $0.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) } }
                || texts.contains { $0.contains("4") || $0.contains("0") })
    }

    @Test("suspension-evasion: suspended accounts return as name_2 and a look-alike, same bio, after the suspension")
    func suspensionEvasion() throws {
        let g = try generate(.suspensionEvasion, duration: 3600, rate: 3)
        let chains = g.clusters.filter { $0["kind"] as? String == "evasion_chain" }
        #expect(chains.count == 3)
        let suspensions = g.events.compactMap { if case .suspension(let s) = $0 { return s } else { return nil } }
        let byAccount = Dictionary(uniqueKeysWithValues: g.accounts.map { ($0.id, $0) })
        for chain in chains {
            let members = chain["members"] as? [String] ?? []
            #expect(members.count == 3)
            let handles = members.compactMap { byAccount[$0]?.handle }
            #expect(handles.count == 3)
            #expect(handles[1] == handles[0] + "_2")
            #expect(handles[2] != handles[0] && handles[2].count >= handles[0].count)
            #expect(Set(members.compactMap { byAccount[$0]?.bio }).count == 1)
            for (i, member) in members.enumerated().dropLast() {
                let suspension = try #require(suspensions.first { $0.account == member })
                let comeback = try #require(byAccount[members[i + 1]]?.createdAt)
                #expect(comeback > suspension.ts)
                #expect(comeback.microseconds - suspension.ts.microseconds < 3_600_000_000)
                #expect(!g.posts.contains { $0.account == member && $0.ts > suspension.ts }, "no posts after suspension")
            }
        }
    }

    @Test("news-spike: a burst of news and counter-speech, with a few violating posts inside")
    func newsSpike() throws {
        let g = sharedFeeds[.newsSpike]!
        let spike = try #require((g.keyJSON["news_spikes"] as? [[String: Any]])?.first)
        let start = try #require(Timestamp.parse(spike["start"] as? String ?? "")), end = try #require(Timestamp.parse(spike["end"] as? String ?? ""))
        let inside = g.posts.filter { $0.ts >= start && $0.ts < end }
        let outside = g.posts.filter { $0.ts < start || $0.ts >= end }
        func newsShare(_ posts: [Post]) -> Double {
            Double(posts.filter { ["news", "counter_speech"].contains(g.labels[$0.id]?["label"] as? String) }.count) / Double(max(1, posts.count))
        }
        #expect(newsShare(inside) > 3 * newsShare(outside))
        let rateInside = Double(inside.count) / Double(end.microseconds - start.microseconds)
        let rateOutside = Double(outside.count) / Double(1_800_000_000 - (end.microseconds - start.microseconds))
        #expect(rateInside > 2 * rateOutside)
        let violating = inside.filter { g.labels[$0.id]?["label"] as? String == "violating" }
        #expect((1...20).contains(violating.count))
    }

    @Test("workshop: chapters marked in order, every structure present, a pace a room can follow")
    func workshop() throws {
        let g = sharedFeeds[.workshop]!
        let markers = g.events.compactMap { if case .marker(let m) = $0 { return m } else { return nil } }
        #expect(markers.count == 5)
        #expect(markers.map(\.ts) == markers.map(\.ts).sorted())
        #expect(g.clusters.contains { $0["kind"] as? String == "recruiter_network" })
        #expect(g.clusters.contains { $0["kind"] as? String == "evasion_chain" })
        let minutes = 25.0
        #expect(Double(g.posts.count) / (minutes * 60) < 8, "a few posts per second")
    }

    @Test("--steady: every minute carries the mean rate (no daily rhythm, burst or news surge); without it the workshop's news chapter surges", arguments: [7, 8] as [UInt64])
    func steadyRate(seed: UInt64) throws {
        let rate = 20.0, minutes = 40
        func perMinute(_ g: Generated) -> [Int] {
            let start = g.posts.map(\.ts.microseconds).min() ?? 0
            var counts = [Int](repeating: 0, count: minutes)
            for post in g.posts {
                let minute = Int((post.ts.microseconds - start) / 60_000_000)
                if minute < minutes { counts[minute] += 1 }
            }
            return counts
        }
        let expected = rate * 60
        // Poisson noise is about 35 posts a minute here; planted posts add a few dozen at most.
        let tolerance = 6 * expected.squareRoot() + 60
        let steady = try generate(.workshop, seed: seed, duration: Double(minutes * 60), rate: rate, steady: true)
        for (minute, count) in perMinute(steady).enumerated() {
            #expect(abs(Double(count) - expected) <= tolerance, "minute \(minute): \(count) posts, \(expected) expected")
        }
        #expect(steady.keyJSON["steady"] as? Bool == true)
        let shaped = try generate(.workshop, seed: seed, duration: Double(minutes * 60), rate: rate)
        #expect(perMinute(shaped).contains { Double($0) > 2 * expected }, "the news chapter triples the rate")
        #expect(shaped.keyJSON["steady"] == nil)
    }

    @Test("Realism: five languages, heavy-tailed followers, replies and reposts, several platforms, links and tags")
    func realism() throws {
        let g = sharedFeeds[.baseline]!
        let posts = g.posts
        var languages: [String: Int] = [:]
        for p in posts { languages[p.lang ?? "?", default: 0] += 1 }
        #expect(Set(languages.keys) == ["en", "ar", "ms", "id", "fr"])
        for (lang, count) in languages { #expect(Double(count) / Double(posts.count) > 0.04, "\(lang)") }
        let followers = g.accounts.map(\.followers).sorted()
        #expect(Double(followers.last!) > 100 * Double(followers[followers.count / 2]))
        #expect(Double(posts.filter { $0.replyTo != nil }.count) / Double(posts.count) > 0.05)
        #expect(Double(posts.filter { $0.repostOf != nil }.count) / Double(posts.count) > 0.08)
        #expect(Set(posts.compactMap(\.platform)).count >= 6)
        #expect(posts.contains { !$0.urls.isEmpty } && posts.contains { !$0.hashtags.isEmpty } && posts.contains { !$0.mentions.isEmpty })
        // Activity is heavy-tailed too: the busiest account writes many times the median.
        var perAccount: [String: Int] = [:]
        for p in posts { perAccount[p.account, default: 0] += 1 }
        let counts = perAccount.values.sorted()
        #expect(Double(counts.last!) > 10 * Double(counts[counts.count / 2]))
        // Baseline plants nothing.
        #expect(!g.labels.values.contains { $0["label"] as? String == "violating" })
        #expect(g.clusters.isEmpty)
    }

    @Test("Content policy: handles and links use reserved example names only")
    func contentPolicy() throws {
        let allowed = ["t.me/example_", "t.me/+Example", "justpaste.it/ex", "mega.nz/folder/Example", "https://news.example.org/",
                       "https://example.com/", "pastebin.com/Example"]
        for scenario in ScenarioKind.allCases {
            let g = sharedFeeds[scenario]!
            for account in g.accounts { #expect(account.handle?.hasPrefix("example_") == true, "\(account.handle ?? "")") }
            for post in g.posts {
                for url in post.urls { #expect(allowed.contains { url.hasPrefix($0) }, "\(url)") }
                for mention in post.mentions { #expect(mention.hasPrefix("example_"), "\(mention)") }
                for url in TextEntities.extract(from: post.text).urls { #expect(allowed.contains { url.hasPrefix($0) }, "\(url) in \(post.text)") }
            }
        }
    }

    @Test("Durations and rates parse; nonsense does not")
    func parsing() {
        #expect(DurationText.seconds("90s") == 90)
        #expect(DurationText.seconds("25m") == 1500)
        #expect(DurationText.seconds("1h30m") == 5400)
        #expect(DurationText.seconds("2h") == 7200)
        #expect(DurationText.seconds("120") == 120)
        for bad in ["", "soon", "10x", "-5m", "5m3", "0s"] { #expect(DurationText.seconds(bad) == nil, "\(bad)") }
        #expect(SimulationOptions.parseRate("50/s") == 50)
        #expect(SimulationOptions.parseRate("120/m") == 2)
        #expect(SimulationOptions.parseRate("3600/h") == 1)
        #expect(SimulationOptions.parseRate("7") == 7)
        for bad in ["-3/s", "0/s", "fast", "5/week", "1/2/3"] { #expect(SimulationOptions.parseRate(bad) == nil, "\(bad)") }
    }

    @Test("Invalid templates are refused with a reason")
    func templateErrors() {
        #expect(throws: TemplateError.self) { try TemplateBank(yaml: "templates: {}") }
        let yaml = TemplateBank.builtInText()
        #expect(throws: TemplateError.self) { try TemplateBank(yaml: yaml.replacingOccurrences(of: "{emoji}", with: "{nonexistent_slot}")) }
    }
}

struct SampleFeedTests {
    /// The repository's sample-feeds folder.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sample-feeds")

    /// Decompressed bytes of a committed sample feed.
    static func committed(_ name: String) throws -> Data {
        var lines = Data()
        let reader = try LineReader(path: folder.appendingPathComponent(name).path, padding: 64)
        try reader.forEachLine({ line in
            lines.append(contentsOf: line.bytes)
            lines.append(0x0A)
            return true
        }, oversized: { _, _ in true })
        return lines
    }

    @Test("Committed sample feeds are what the simulator makes today (regenerate with `make sample-feeds`)", arguments: [
        ("workshop", ScenarioKind.workshop, nil, nil), ("recruiter-network", .recruiterNetwork, 2700.0, 4.0),
        ("suspension-evasion", .suspensionEvasion, 2700.0, 4.0), ("news-spike", .newsSpike, 1800.0, 4.0), ("baseline", .baseline, 1800.0, 4.0),
    ])
    func matchesSimulator(_ name: String, _ scenario: ScenarioKind, _ duration: Double?, _ rate: Double?) throws {
        let generated = try generate(scenario, seed: 1, duration: duration, rate: rate)
        #expect(try SampleFeedTests.committed("\(name).jsonl.gz") == generated.feed, "sample-feeds/\(name).jsonl.gz is stale")
        let key = try Data(contentsOf: SampleFeedTests.folder.appendingPathComponent("\(name).key.json"))
        #expect(key == generated.key, "sample-feeds/\(name).key.json is stale")
    }

    @Test("sample-feeds/ stays under 10 MB")
    func size() throws {
        let files = try FileManager.default.contentsOfDirectory(at: SampleFeedTests.folder, includingPropertiesForKeys: [.fileSizeKey])
        let total = try files.reduce(0) { $0 + (try $1.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0) }
        #expect(total < 10_000_000)
    }

    @Test("Every violating post of the workshop is flagged medium or above; no news or counter-speech high")
    func workshopQuality() throws {
        let key = try AnswerKey.load(path: SampleFeedTests.folder.appendingPathComponent("workshop.key.json").path)
        let quality = try FlagQuality.evaluate(paths: [SampleFeedTests.folder.appendingPathComponent("workshop.jsonl.gz").path],
                                               key: key, compiled: builtInLexicon)
        #expect(quality.violatingFlaggedMedium > 0.95)
        #expect(quality.newsFlaggedHigh < 0.02)
        #expect((quality.rows["violating"]?.posts ?? 0) > 30)
    }
}
