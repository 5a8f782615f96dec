import Foundation
import Testing
import VigilText
@testable import VigilLexicon

/// The on-disk cache of compiled databases: a second start loads what the first compiled, and
/// matches exactly the same; a damaged file, another lexicon or no cache all compile instead.
@Suite struct CacheTests {
    static func temporaryCache() -> DatabaseCache {
        DatabaseCache(directory: FileManager.default.temporaryDirectory.appendingPathComponent("vigil-cache-\(UUID().uuidString)"))
    }

    static func files(_ cache: DatabaseCache) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(at: cache.directory, includingPropertiesForKeys: nil)) ?? []).filter { $0.pathExtension == "hsdb" }
    }

    static let texts = ["J0IN the d.a.w.l.a.h now, DM t[.]me/example_channel", "Police said the group does not represent Islam",
                        "make hijrah brothers, the land of the caliphate awaits", "lovely weather at the market"]

    /// Every hit of every sample text: entry, view, original span.
    static func hits(_ compiled: CompiledLexicon) -> [String] {
        let matcher = Matcher(compiled)
        let normalizer = Normalizer()
        return texts.flatMap { text in
            matcher.match(normalizer.normalize(text)).map { "\(compiled.lexicon.entries[$0.entry].id) \($0.view) \($0.original)" }
        }
    }

    @Test func secondStartLoadsWhatTheFirstCompiledAndMatchesTheSame() throws {
        let cache = Self.temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        let lexicon = try LexiconLoader.load(paths: [])
        let first = try CompiledLexicon.compile(lexicon, cache: cache)
        #expect(!first.fromCache)
        #expect(Self.files(cache).count == 1)
        let second = try CompiledLexicon.compile(lexicon, cache: cache)
        #expect(second.fromCache)
        #expect(second.databaseSize == first.databaseSize)
        let expected = Self.hits(first)
        #expect(expected.count > 5)
        #expect(Self.hits(second) == expected)
        // Without a cache nothing is written and nothing is read.
        let uncached = try CompiledLexicon.compile(lexicon, cache: nil)
        #expect(!uncached.fromCache && Self.hits(uncached) == expected)
    }

    @Test func aDamagedFileIsCompiledAgainAndReplaced() throws {
        let cache = Self.temporaryCache()
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        let lexicon = try fixtureLexicon().lexicon
        _ = try CompiledLexicon.compile(lexicon, cache: cache)
        let file = try #require(Self.files(cache).first)
        var bytes = try Data(contentsOf: file)
        for damage in [{ (data: inout Data) in data[data.count / 2] ^= 0xFF }, { (data: inout Data) in data.removeLast(100) }] {
            damage(&bytes)
            try bytes.write(to: file)
            let again = try CompiledLexicon.compile(lexicon, cache: cache)
            #expect(!again.fromCache)
            #expect(try CompiledLexicon.compile(lexicon, cache: cache).fromCache, "the file was written anew")
            bytes = try Data(contentsOf: file)
        }
    }

    @Test func anotherLexiconGetsItsOwnFileAndTheNewestAreKept() throws {
        var cache = Self.temporaryCache()
        cache.capacity = 2
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        func lexicon(_ term: String) throws -> Lexicon {
            try LexiconLoader.parse([LexiconSource(name: "t.yaml", text: fixtureCore.replacingOccurrences(of: "police said", with: term))])
        }
        for term in ["police said", "officials said", "reporters said"] {
            let compiled = try CompiledLexicon.compile(try lexicon(term), cache: cache)
            #expect(!compiled.fromCache, "\(term)")
            Thread.sleep(forTimeInterval: 0.02)       // distinct modification times
        }
        #expect(Self.files(cache).count == 2)
        #expect(try CompiledLexicon.compile(try lexicon("reporters said"), cache: cache).fromCache)
        #expect(!(try CompiledLexicon.compile(try lexicon("police said"), cache: cache).fromCache), "the oldest was dropped")
    }
}
