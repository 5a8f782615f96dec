import FuzzSupport
import VigilLexicon
import VigilText

let normalizer = Normalizer()
let probes = ["join us now", "bai'at to the daulah", "t.me/example_channel", "الدولة الإسلامية", "d.a.w.l.a.h", ""]

/// A lexicon file is YAML from whoever edits it: it loads and compiles, or is refused with
/// problems that each name a place; a compiled one runs its own tests and matches any text.
fuzz { input in
    let text = String(decoding: input, as: UTF8.self)
    let lexicon: Lexicon
    do throws(LexiconError) {
        lexicon = try LexiconLoader.parse([LexiconSource(name: "fuzz.yaml", text: text)])
    } catch {
        require(!error.problems.isEmpty, "refused without a problem")
        return
    }
    let compiled: CompiledLexicon
    do throws(LexiconError) {
        compiled = try CompiledLexicon.compile(lexicon, cache: nil)
    } catch {
        require(!error.problems.isEmpty, "not compiled, without a problem")
        return
    }
    _ = LexiconTester.run(compiled)
    let matcher = Matcher(compiled)
    for probe in probes + [text] {
        for hit in matcher.match(normalizer.normalize(probe)) {
            require(hit.entry >= 0 && hit.entry < compiled.lexicon.entries.count, "hit of entry \(hit.entry)")
            require(hit.original.lowerBound >= 0 && hit.original.upperBound <= probe.utf8.count, "hit at \(hit.original) of \(probe.utf8.count)")
        }
    }
}
