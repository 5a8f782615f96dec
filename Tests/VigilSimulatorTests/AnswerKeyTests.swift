import Foundation
import Testing
import VigilFeed
@testable import VigilSimulator

@Suite struct DigestTests {
    @Test("SHA-256 gives FIPS 180-4's test vectors, fed whole or in odd pieces")
    func vectors() {
        #expect(SHA256.hex(of: "") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(of: "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        var pieces = SHA256()
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        var offset = 0
        for size in [1, 63, 64, 65, 127, 4096].cycled(until: million.count) {
            let end = min(offset + size, million.count)
            pieces.update(million[offset..<end])
            offset = end
        }
        #expect(pieces.hex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

extension Array where Element == Int {
    /// The sizes repeated until they add up to at least `total`.
    func cycled(until total: Int) -> [Int] {
        var sizes: [Int] = []
        var sum = 0
        while sum < total {
            for size in self where sum < total {
                sizes.append(size)
                sum += size
            }
        }
        return sizes
    }
}

@Suite struct AnswerKeyFeedTests {
    /// A feed and its key written to files, as `vigil simulate --out --answer-key` does.
    func simulate(seed: UInt64, gzip: Bool = false) throws -> (feed: String, key: String, dir: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let feed = dir.appendingPathComponent(gzip ? "feed.jsonl.gz" : "feed.jsonl").path, key = dir.appendingPathComponent("key.json").path
        let options = SimulationOptions(scenario: .recruiterNetwork, seed: seed, duration: 300, rate: 2)
        _ = FeedSimulator(options: options, bank: bank, feed: try OutputWriter(path: feed, gzip: gzip), answerKey: try OutputWriter(path: key)).run()
        return (feed, key, dir)
    }

    @Test("the key names its feed: the SHA-256 of the bytes written, before compression, and each labelled post's text")
    func keyCarriesDigests() throws {
        let plain = try simulate(seed: 3)
        let gzipped = try simulate(seed: 3, gzip: true)
        let key = try AnswerKey.load(path: plain.key)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: plain.feed))
        #expect(key.feed == FeedDigest(sha256: SHA256.hex(of: String(decoding: bytes, as: UTF8.self)), bytes: Int64(bytes.count)))
        #expect(try AnswerKey.load(path: gzipped.key).feed == key.feed, "compression does not change it")
        #expect(key.posts.values.allSatisfy { $0.textDigest?.count == 16 })
        #expect(try key.verify(feedPaths: [plain.feed], keyPath: plain.key) == [])
        #expect(try key.verify(feedPaths: [gzipped.feed], keyPath: plain.key) == [])
    }

    @Test("a key of another seed is refused, naming both (simulated feeds reuse post ids)")
    func otherSeedIsRefused() throws {
        let ours = try simulate(seed: 3), theirs = try simulate(seed: 4)
        let key = try AnswerKey.load(path: theirs.key)
        let error = #expect(throws: AnswerKeyError.self) { try key.verify(feedPaths: [ours.feed], keyPath: theirs.key) }
        let message = error.map { "\($0)" } ?? ""
        #expect(message.hasPrefix("\(theirs.key) is the answer key of another feed (scenario recruiter-network, seed 4: sha256 "))
        #expect(message.contains("not of \(ours.feed) (sha256 "))
        #expect(message.contains("labelled posts found there have another text"))
    }

    @Test("the same posts in other bytes (CRLF line ends) are accepted with a warning")
    func rewrittenFeedWithTheSameTexts() throws {
        let ours = try simulate(seed: 3)
        let crlf = ours.dir.appendingPathComponent("crlf.jsonl").path
        let text = try String(contentsOfFile: ours.feed, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8).write(to: URL(fileURLWithPath: crlf))
        let warnings = try AnswerKey.load(path: ours.key).verify(feedPaths: [crlf], keyPath: ours.key)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("is not byte for byte the feed \(ours.key) was written for, but all") == true)
    }

    @Test("a key written before digests still works, with a warning")
    func oldKeyWarns() throws {
        let ours = try simulate(seed: 3)
        var text = try String(contentsOfFile: ours.key, encoding: .utf8)
        text = String(text[..<text.range(of: ",\n\"feed\": ")!.lowerBound]) + "\n}\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: ours.key))
        let key = try AnswerKey.load(path: ours.key)
        #expect(key.feed == nil)
        let warnings = try key.verify(feedPaths: [ours.feed], keyPath: ours.key)
        #expect(warnings == ["\(ours.key): written by an older vigil without the feed's digest, so vigil cannot check that it is the key of "
                             + "\(ours.feed); regenerate it with 'vigil simulate' to make sure"])
    }

    @Test("loading: a missing key, a file that is not a key")
    func loadErrors() throws {
        #expect(throws: AnswerKeyError.missing(path: "/nonexistent/key.json")) { try AnswerKey.load(path: "/nonexistent/key.json") }
        let dir = try simulate(seed: 3).dir
        let notAKey = dir.appendingPathComponent("nope.json").path
        try Data(#"{"scenario": 1}"#.utf8).write(to: URL(fileURLWithPath: notAKey))
        let error = #expect(throws: AnswerKeyError.self) { try AnswerKey.load(path: notAKey) }
        #expect(error.map { "\($0)" }?.hasPrefix("\(notAKey): not an answer key: at scenario: ") == true)
    }
}
