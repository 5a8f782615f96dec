import FuzzSupport
import VigilLexicon
import VigilText

let compiled = try! CompiledLexicon.compile(LexiconLoader.builtIn(), cache: nil)
let matcher = Matcher(compiled)
let normalizer = Normalizer()

/// A post's text is the author's: normalizing and matching it against the built-in lexicon
/// costs time linear in its length whatever it repeats (run with a -max_len of tens of KB, so
/// a quadratic case shows), and every hit lies inside the text.
fuzz { input in
    var text = String(decoding: input, as: UTF8.self)
    text.withUTF8 { bytes in
        var hits: [EntryHit] = []
        withinBudget(bytes: bytes.count, fixed: 0.05, perByte: 20e-6) {
            hits = matcher.match(normalizer.normalize(bytes))
            _ = matcher.anyHit(normalizer.normalize(bytes, origins: false))
        }
        for hit in hits {
            require(hit.original.lowerBound >= 0 && hit.original.upperBound <= bytes.count, "hit at \(hit.original) of \(bytes.count)")
        }
    }
}
