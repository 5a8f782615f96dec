import Benchmark
import VigilLexicon
import VigilPipeline
import VigilText

/// Per-stage micro benchmarks on a fixed mix of twelve posts; one iteration handles all twelve
/// (`swift package --disable-sandbox benchmark --target VigilMicro` in Benchmarks/).
/// Throughput is reported per post; the mix mirrors the anchor corpus: two thirds plain ASCII,
/// the rest Arabic, accented Latin, emoji and obfuscated text.
let samplePosts: [String] = [
    "just finished the morning run, coffee time with the team before work",
    "kami pergi ke pasar pagi ini dan beli sayur untuk makan malam",
    "the match last night was incredible, what a goal in the final minute",
    "Selamat pagi semua, jangan lupa sarapan dan minum air yang cukup hari ini",
    "check the new schedule at example.org/events/2026 before friday",
    "on se retrouve ce soir au café près de la gare, à plus tard",
    "صباح الخير يا أصدقاء، الطقس جميل اليوم في المدينة",
    "great concert 🎶🔥 can't wait for the next one 👍🏽",
    "J0IN the d.a.w.l.a.h now, DM t[.]me/example_channel",
    "Police said three men were arrested, according to prosecutors (Reuters)",
    "Former fighters explain why ISIS does not represent Islam #NotInMyName",
    "Artis itu memutuskan hijrah dan berhijab, netizen memuji keputusannya",
]

nonisolated(unsafe) let compiled = LexiconLoader.builtIn()
nonisolated(unsafe) let compiledLexicon = try! CompiledLexicon.compile(compiled)

let benchmarks: @Sendable () -> Void = {
    let config = Benchmark.Configuration(metrics: [.throughput, .wallClock, .mallocCountTotal],
                                         maxDuration: .seconds(3))
    let utf8Posts = samplePosts.map { Array($0.utf8) }

    Benchmark("normalize (with origins)", configuration: config) { benchmark in
        let normalizer = Normalizer()
        for _ in benchmark.scaledIterations {
            for post in utf8Posts {
                post.withUnsafeBufferPointer { blackHole(normalizer.normalize($0).bytes.count) }
            }
        }
    }

    Benchmark("normalize (first pass, no origins)", configuration: config) { benchmark in
        let normalizer = Normalizer()
        for _ in benchmark.scaledIterations {
            for post in utf8Posts {
                post.withUnsafeBufferPointer { blackHole(normalizer.normalize($0, origins: false).bytes.count) }
            }
        }
    }

    Benchmark("match built-in lexicon (anyHit)", configuration: config) { benchmark in
        let normalizer = Normalizer()
        let matcher = Matcher(compiledLexicon)
        for _ in benchmark.scaledIterations {
            for post in utf8Posts {
                post.withUnsafeBufferPointer { blackHole(matcher.anyHit(normalizer.normalize($0, origins: false))) }
            }
        }
    }

    Benchmark("score a post end to end (quickScore)", configuration: config) { benchmark in
        let analyzer = PostAnalyzer(compiledLexicon)
        for _ in benchmark.scaledIterations {
            for post in utf8Posts {
                post.withUnsafeBufferPointer { blackHole(analyzer.quickScore($0, followers: 1000).score) }
            }
        }
    }
}
