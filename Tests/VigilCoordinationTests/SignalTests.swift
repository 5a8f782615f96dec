import Testing
import VigilCoordination
import VigilFeed

@Suite struct CanonicalTests {
    @Test("Links are canonical: scheme, www, case of host, defanging, tracking parameters and fragment do not split a key")
    func canonicalLinks() {
        let same = [
            "https://t.me/Example_Ring?utm_source=x&utm_medium=y",
            "HXXPS://T[.]ME/example_ring#join",
            "http://www.t.me/example_ring/",
            "t(.)me/Example_Ring?fbclid=abc",
            "  https://t.me/example_ring\n",
            "\u{00A0}t.me/Example_Ring\u{2003}",
        ]
        #expect(Set(same.compactMap(Canonical.url)) == ["t.me/example_ring"])
        // Case matters in most paths; a content parameter is kept.
        #expect(Canonical.url("https://example.com/A?id=7") != Canonical.url("https://example.com/a?id=7"))
        #expect(Canonical.url("https://example.com/watch?v=1&utm_source=x") == "example.com/watch?v=1")
    }

    @Test("An empty or hostless link is no key")
    func emptyLinks() {
        for raw in ["", "   ", "https://", "not a link", "#fragment"] { #expect(Canonical.url(raw) == nil, "\(raw)") }
    }

    @Test("Handle stems: numeric suffixes, separators and digit look-alikes fold away")
    func handleStems() {
        let family = ["example_ansar_1", "example_ansar_1_2", "example_ansar_1_", "examp1e_ansar", "example_ansar_3"]
        #expect(Set(family.map(Canonical.handleStem)).count == 1)
        #expect(Canonical.handleStem("example_ansar") != Canonical.handleStem("example_ansor"))
    }
}

@Suite struct SignalTests {
    /// Three accounts sharing three fresh links, seconds apart, once a round.
    func linkRing(_ h: Harness, accounts: [String] = ["a", "b", "c"], rounds: Int = 3, from start: Double = 0, score: Int = 0) {
        for round in 0..<rounds {
            for (i, account) in accounts.enumerated() {
                h.post(account, at: start + Double(round * 100 + i * 2), urls: ["https://t.me/Example_Ring\(round)?utm_source=x"], score: score)
            }
        }
    }

    @Test("co-link: accounts sharing fresh links within seconds form a cluster, with the links as evidence")
    func coLink() throws {
        let h = Harness()
        linkRing(h)
        let cluster = try #require(h.standing.first)
        #expect(h.standing.count == 1)
        #expect(cluster.members == ["a", "b", "c"])
        let links = try #require(cluster.signals.first { $0.signal == .coLink })
        #expect(links.keys.contains("t.me/example_ring0"))
        let sample = try #require(links.samples.first)
        #expect(sample.posts.count == 2)
        #expect(sample.accounts.count == 2)
        #expect(h.events.first?.state == .new)
    }

    @Test("co-link: two shared links are not enough, and posts without links make no key")
    func coLinkNeedsThreeMeetings() {
        let h = Harness()
        linkRing(h, rounds: 2)
        // Empty and blank URL fields, the trap of batch tools that turn them into one shared key.
        for round in 0..<5 {
            for i in 0..<40 { h.post("u\(i)", at: 300 + Double(round * 30 + i % 10), urls: ["", "  "]) }
        }
        #expect(h.events.isEmpty)
        // The ring's three pairs, none among the others.
        #expect(h.detector.footprint.pairs == 3)
    }

    @Test("A viral link shared by hundreds of organic accounts is popular, not coordination")
    func viralLinks() {
        func run(hubLimit: Int) -> Harness {
            let h = Harness { $0.hubLimit = hubLimit }
            var dice = Dice(state: 7)
            var posts: [(Double, String, String)] = []
            for story in 0..<4 {
                for i in 0..<300 { posts.append((Double(story * 100) + dice.unit() * 50, "u\(i)", "https://news.example.com/story\(story)")) }
            }
            for (t, account, url) in posts.sorted(by: { $0.0 < $1.0 }) { h.post(account, at: t, urls: [url]) }
            return h
        }
        #expect(run(hubLimit: 64).events.isEmpty)
        // Without the popularity guard, accounts that happened to be early on several stories
        // look like a ring: the guard, which takes back what a key gave before it turned out
        // popular, is what keeps them apart.
        #expect(!run(hubLimit: 10_000).events.isEmpty)
    }

    @Test("A news account and its reposters do not cluster; a ring reposting and sharing links among them does")
    func newsAndReposters() throws {
        let h = Harness()
        var dice = Dice(state: 11)
        let ring = ["r1", "r2", "r3", "r4", "r5"]
        for story in 0..<8 {
            let t = Double(story * 90)
            let storyID = h.post("news", at: t, urls: ["https://news.example.com/live/\(story)"],
                                 text: "Police said the suspects were arrested this morning after a raid, story \(story) of the day")
            var posts: [(Double, String, String?, String?)] = (0..<40).map { _ in (t + 5 + dice.unit() * 40, "u\(dice.int(200))", storyID, nil) }
            for (i, member) in ring.enumerated() {
                posts.append((t + 2 + Double(i), member, storyID, nil))
                posts.append((t + 50 + Double(i), member, nil, "https://justpaste.it/ring\(story)"))
            }
            for (at, account, repost, link) in posts.sorted(by: { $0.0 < $1.0 }) {
                h.post(account, at: at, urls: link.map { [$0] } ?? [], repostOf: repost)
            }
        }
        #expect(h.standing.count == 1)
        let cluster = try #require(h.standing.first)
        #expect(cluster.members == ring)
        #expect(h.signals(of: cluster).isSuperset(of: [.coLink, .coRepost]))
    }

    @Test("co-repost and co-reply: the same targets within the window")
    func repostsAndReplies() throws {
        let h = Harness()
        for round in 0..<3 {
            let t = Double(round * 120)
            for (i, account) in ["x", "y", "z"].enumerated() { h.post(account, at: t + Double(i), repostOf: "target\(round)") }
            for (i, account) in ["x", "y", "z"].enumerated() { h.post(account, at: t + 30 + Double(i), replyTo: "thread\(round)") }
        }
        let cluster = try #require(h.standing.first)
        #expect(cluster.members == ["x", "y", "z"])
        #expect(h.signals(of: cluster).isSuperset(of: [.coRepost, .coReply]))
    }

    static let calls = [
        "Join the dawlah now brothers, the caravan is leaving and the route is open, message me for details",
        "Brothers and sisters, make hijrah to the land of the caliphate before the border closes, ask for the contact",
        "The soldiers of the caliphate need your support, send what you can and share this message with trusted friends",
    ]

    static let obfuscated = [
        "J0in the d4wlah n0w br0thers, the caravan is leaving and the route is open, message me for details",
        "Brothers and sisters, make hijrаh to the lаnd of the cаliphate before the border closes, ask for the contact",
        "The sol\u{200B}diers of the cali\u{200B}phate need your sup\u{200B}port, send what you can and share this message with trusted friends",
    ]

    @Test("Near-duplicate text alone never links accounts, however often they post it")
    func textAlone() {
        let h = Harness()
        for round in 0..<3 {
            for (i, account) in ["a", "b", "c", "d"].enumerated() {
                h.post(account, at: Double(round * 100 + i * 5), text: SignalTests.calls[round])
            }
        }
        #expect(h.events.isEmpty)
        #expect(h.detector.footprint.pairs == 6)
    }

    @Test("Near-duplicate text through obfuscation, with a shared link, ties a ring; the texts are evidence")
    func textWithLinks() throws {
        let h = Harness()
        for round in 0..<3 {
            for (i, account) in ["a", "b", "c"].enumerated() {
                let text = i == 1 ? SignalTests.obfuscated[round] : SignalTests.calls[round]
                h.post(account, at: Double(round * 100 + i * 5), urls: ["https://t.me/+ExampleInvite\(round)"], text: text + " t.me/+ExampleInvite\(round)")
            }
        }
        let cluster = try #require(h.standing.first)
        #expect(cluster.members == ["a", "b", "c"])
        let text = try #require(cluster.signals.first { $0.signal == .nearDuplicate })
        #expect(text.samples.contains { $0.key.hasPrefix("near-duplicates of ") })
        // The obfuscated copy (account b) is tied to the others by its text.
        #expect(text.samples.contains { $0.accounts.contains("b") })
    }

    @Test("Very short texts are skipped")
    func shortTexts() {
        let h = Harness()
        #expect(h.sketch("ok thanks") == nil)
        #expect(h.sketch("Amen 🙏") == nil)
        #expect(h.sketch(SignalTests.calls[0]) != nil)
    }

    @Test("hashtag sequence: the same ordered set of two or more tags; one tag makes no key")
    func hashtagSequences() throws {
        let h = Harness()
        for round in 0..<3 {
            for (i, account) in ["a", "b", "c"].enumerated() {
                h.post(account, at: Double(round * 100 + i * 10), hashtags: ["Hijrah\(round)", "Caravan", "Now"])
            }
        }
        let cluster = try #require(h.standing.first)
        #expect(cluster.members == ["a", "b", "c"])
        #expect(h.signals(of: cluster).contains(.hashtagSequence))

        let single = Harness()
        for round in 0..<4 {
            for account in ["a", "b", "c"] { single.post(account, at: Double(round * 100), hashtags: ["News\(round)"]) }
        }
        #expect(single.events.isEmpty)
    }

    @Test("handle family: a suspended account back as name_2 and a look-alike joins one cluster at once")
    func handleFamilyAfterSuspension() throws {
        let h = Harness()
        h.account("a1", handle: "example_ansar_1", createdAt: -86_400 * 30, bio: "news and updates")
        h.post("a1", at: 10, urls: ["https://t.me/example_ansar1"], score: 70)
        h.suspend("a1", at: 100)
        h.account("a2", handle: "example_ansar_1_2", createdAt: 160, bio: "news and updates")
        let first = try #require(h.events.first)
        #expect(first.state == .new)
        #expect(first.members == ["a1", "a2"])
        let family = try #require(first.signals.first { $0.signal == .handleFamily })
        #expect(family.samples.first?.key == "example_ansar_1 ~ example_ansar_1_2")
        h.suspend("a2", at: 400)
        h.account("a3", handle: "examp1e_ansar_1_", createdAt: 420)
        #expect(h.standing.map(\.members) == [["a1", "a2", "a3"]])
        #expect(h.events.last?.state == .grown)
        // Evasion after a suspension weighs in the score.
        #expect((h.standing.first?.score ?? 0) >= 50)
    }

    @Test("handle family: a shared stem alone proves nothing; the same bio and name on both does")
    func handleFamilyTraps() {
        let strangers = Harness()
        strangers.account("s1", handle: "example_ali_1", createdAt: -1000, bio: "football and food", name: "Ali")
        strangers.account("s2", handle: "example_ali_2", createdAt: -500, bio: "engineer, runner", name: "Ali")
        #expect(strangers.events.isEmpty)

        let sameFace = Harness()
        sameFace.account("f1", handle: "example_mirror_1", createdAt: -1000, bio: "backup of the channel", name: "Mirror")
        sameFace.account("f2", handle: "example_mirror_2", createdAt: -500, bio: "backup of the channel", name: "Mirror")
        #expect(sameFace.standing.map(\.members) == [["f1", "f2"]])
    }

    /// A family's accounts (`name`, `name_2`, `name_3`: different bios and display names, no
    /// suspension) posting the same call in bursts; each result's twin changes one thing.
    func family(handles: [String], sameCalls: Bool) -> Harness {
        let h = Harness()
        for (i, handle) in handles.enumerated() {
            h.account("m\(i)", handle: handle, createdAt: -86_400 * Double(10 + i), bio: "bio of \(i)", name: "Name \(i)")
        }
        for round in 0..<2 {
            for i in handles.indices {
                if sameCalls {
                    h.post("m\(i)", at: Double(round * 100 + i * 5), text: SignalTests.calls[round])
                } else {
                    h.post("m\(i)", at: Double(round * 100 + i * 5), urls: ["https://example.com/own-\(i)-\(round)"])
                }
            }
        }
        return h
    }

    @Test("concurrent handles: a family active at the same time and posting near-duplicates is a ring")
    func concurrentHandles() throws {
        let h = family(handles: ["example_voice", "example_voice_2", "example_voice_3"], sameCalls: true)
        let cluster = try #require(h.standing.first)
        #expect(cluster.members == ["m0", "m1", "m2"])
        let family = try #require(cluster.signals.first { $0.signal == .concurrentHandles })
        #expect(family.keys == ["example_voice"])
        #expect(h.signals(of: cluster).contains(.nearDuplicate))
    }

    @Test("concurrent handles never link alone: strangers posting the same calls, or a family posting its own links, are no ring",
          arguments: [false, true])
    func concurrentHandlesAlone(family sharesStem: Bool) {
        let handles = sharesStem ? ["example_voice", "example_voice_2", "example_voice_3"] : ["example_kestrel", "example_orchid", "example_lantern"]
        let h = family(handles: handles, sameCalls: !sharesStem)
        #expect(h.events.isEmpty)
    }

    @Test("synchronized activity is shown as evidence of linked pairs")
    func synchrony() throws {
        let h = Harness()
        linkRing(h, rounds: 4)
        let cluster = try #require(h.standing.first)
        let sync = try #require(cluster.signals.first { $0.signal == .synchronizedActivity })
        #expect(sync.keys.first?.contains("within 5 s") == true)
    }

    @Test("Reposts: a ring amplifying a call together pushes it (high band), with no words of its own")
    func amplifyingRing() throws {
        let h = Harness()
        let ring = ["r1", "r2", "r3", "r4", "r5"]
        for round in 0..<3 {
            let t = Double(round * 120)
            let call = h.post("lead", at: t, score: 85)
            for (i, member) in ring.enumerated() { h.post(member, at: t + 5 + Double(i * 3), repostOf: call) }
        }
        let cluster = try #require(h.standing.first)
        #expect(cluster.members == ring)
        #expect(h.signals(of: cluster).isSubset(of: [.coRepost, .synchronizedActivity]))
        #expect(cluster.score >= 60)
    }

    @Test("Reposts: members of a benign group who each reposted a call on their own do not push it as a group")
    func repostsAloneAreNotAmplification() throws {
        let h = Harness()
        linkRing(h)
        // Busy accounts repost whatever is recent, a call among it, but never together.
        for (i, member) in ["a", "b", "c"].enumerated() {
            let call = h.post("lead\(i)", at: 250 + Double(i * 2), score: 85)
            h.post(member, at: 252 + Double(i * 2), repostOf: call)
            h.post("stranger\(i)", at: 253 + Double(i * 2), repostOf: call)
        }
        let cluster = try #require(h.standing.first)
        #expect(cluster.members == ["a", "b", "c"])
        #expect(cluster.score < 60)
        #expect(h.events.allSatisfy { $0.score < 60 })
    }

    @Test("Score: what the members post weighs most; a tight benign group stays below the high band")
    func scores() throws {
        let violating = Harness()
        linkRing(violating, score: 80)
        let benign = Harness()
        linkRing(benign, score: 0)
        let high = try #require(violating.standing.first)
        let low = try #require(benign.standing.first)
        #expect(high.score >= 60)
        #expect(low.score < 60)
    }
}
