import Testing
@testable import VigilCoordination

/// The detector's parts, each on its own (docs/clusters.md, "Parts").
@Suite struct PartsTests {
    @Test("Account table: slots are dense, a forgotten slot is reused lowest first, free slots at the end are cut off")
    func accountTable() {
        var table = AccountTable()
        #expect(table.intern("a") == (0, true))
        #expect(table.intern("b") == (1, true))
        #expect(table.intern("c") == (2, true))
        #expect(table.intern("a") == (0, false))
        table[1].topScore.score = 70
        table.forget([0, 1])
        #expect(table.count == 1)
        #expect(table.slot(of: "a") == nil)
        // The lowest free slot first, and it starts afresh.
        #expect(table.intern("d") == (0, false))
        #expect(table.intern("e") == (1, false))
        #expect(table[1].topScore.score == 0)
        table.forget([2])
        #expect(table.trim() == 1)
        #expect(table.slots == 2)
    }

    @Test("Handle families: an account joins its stem's family and leaves every family it was in when forgotten")
    func handleFamilies() {
        var families = HandleFamilies()
        families.add(1, to: "example")
        families.add(2, to: "example")
        families.add(2, to: "other")
        #expect(families.members(of: "example") == [1, 2])
        families.remove(2, from: ["example", "other"])
        #expect(families.members(of: "example") == [1])
        #expect(families.count == 1)
        #expect(families.memberCount == 1)
    }

    @Test("Components: the bigger component absorbs the smaller, members are listed by root, a dissolved cluster leaves single accounts")
    func components() {
        var forest = Components()
        for _ in 0..<5 { forest.append() }
        let (keep, absorbed) = forest.union(forest.find(3), forest.find(4))
        #expect((keep, absorbed) == (3, 4))
        // Equal sizes: the lower slot keeps; otherwise the bigger component, whatever its root.
        #expect(forest.union(forest.find(0), forest.find(1)).keep == 0)
        #expect(forest.union(forest.find(2), forest.find(0)).keep == 0)
        #expect(forest.union(forest.find(4), forest.find(0)).keep == 0)
        #expect(forest.find(4) == 0)
        #expect(forest.members(of: 0) == [0, 1, 2, 3, 4])
        #expect(forest.size(of: 0) == 5)
        #expect(forest.joined == 1)
        forest.dissolve(root: 0, members: [0, 1, 2, 3, 4])
        #expect(forest.isAlone(4))
        #expect(forest.find(4) == 4)
        #expect(forest.joined == 0)
    }

    @Test("Key set: each key once, at most 16, a key taken back returns its weight")
    func keySet() {
        var keys = ClusterDetector.KeySet()
        for k in 1...20 { keys.insert(UInt64(k), weight: Double(k)) }
        #expect(keys.count == 16)
        #expect(keys.contains(16))
        #expect(!keys.contains(17))
        #expect(keys.remove(2) == 2)
        #expect(keys.remove(2) == nil)
        #expect(keys.count == 15)
        #expect(keys.contains(16))
    }

    @Test("Pair evidence: signals are kept apart, tallied for qualification, and a popular key is taken back")
    func pairEvidence() {
        var pair = ClusterDetector.Pair()
        let link = Signal.coLink.index, text = Signal.nearDuplicate.index
        for (signal, key) in [(link, 1), (link, 2), (text, 3)] {
            pair.update(signal) { entry in
                entry.keys.insert(UInt64(key), weight: 0.5)
                entry.weight += 0.5
            }
        }
        let tally = pair.tally(sharing: { $0 != text }, counted: { _ in true })
        #expect(tally.kinds == 2)
        #expect(tally.keys == 3)
        #expect(tally.sharedKeys == 2)
        #expect(tally.weight == 1.5)
        #expect(pair.hasSignal(otherThan: text))
        pair.revoke(link, key: 1)
        #expect(pair[link].keys.count == 1)
        #expect(pair[link].weight == 0.5)
        pair.revoke(link, key: 2)
        #expect(!pair.hasKeys(link))
    }

    @Test("Scoring: content dominates, a return adds 25, and without violating content a cluster stays below the high band")
    func scoring() {
        let quiet = (0..<40).map { _ in ClusterScoring.Member(topScore: 0, followers: 1_000_000) }
        let tight = (0..<80).map { _ in ClusterScoring.Edge(strength: 6, evasion: false) }
        #expect(ClusterScoring.score(members: quiet, edges: tight) < ClusterBands.high)
        let ring = (0..<6).map { _ in ClusterScoring.Member(topScore: 80, followers: 100) }
        let edges = (0..<5).map { _ in ClusterScoring.Edge(strength: 2, evasion: false) }
        let scored = ClusterScoring.score(members: ring, edges: edges)
        #expect(scored >= ClusterBands.high)
        let returned = ClusterScoring.score(members: ring, edges: edges + [ClusterScoring.Edge(strength: 3, evasion: true)])
        #expect(returned >= scored + 25)
        // The upper half of the members counts: one violating member among quiet ones is not enough.
        let crowd = [ClusterScoring.Member(topScore: 100, followers: 10)] + (0..<9).map { _ in ClusterScoring.Member(topScore: 0, followers: 10) }
        #expect(ClusterScoring.score(members: crowd, edges: edges) < ClusterBands.medium)
    }

    @Test("Key windows: touchLatest reads the latest post on a key while it is in the window, nothing for an unknown or expired key")
    func keyChainTouch() {
        var chains = KeyChains(window: 60_000_000)
        var partners: [KeyChains.Node] = []
        var seen = SeenAccounts()
        let limits = KeyChains.Limits(accounts: 64, posts: 256, partners: 16, stopAtPartners: false)
        #expect(chains.touchLatest(7) == 0)
        _ = chains.record(key: 7, account: 1, post: 0, at: 1_000_000, limits: limits, partners: &partners, seen: &seen)
        _ = chains.record(key: 7, account: 2, post: 1, at: 2_000_000, limits: limits, partners: &partners, seen: &seen)
        #expect(chains.touchLatest(7) == 2_000_000)
        #expect(chains.touchLatest(8) == 0)
        chains.expire(now: 70_000_000)
        #expect(chains.touchLatest(7) == 0)
    }

    @Test("Text sketch: touch reads the first (smallest) shingle")
    func sketchTouch() {
        #expect(TextSketch(sortedShingles: [3, 9, 12]).touch() == 3)
        #expect(TextSketch(sortedShingles: []).touch() == 0)
    }
}
