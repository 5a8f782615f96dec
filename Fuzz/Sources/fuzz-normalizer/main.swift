import FuzzSupport
import VigilText

let normalizer = Normalizer()

/// Whether `offset` starts a character of `bytes` (or is its end).
func onBoundary(_ offset: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    offset == bytes.count || (offset >= 0 && offset < bytes.count && bytes[offset] & 0xC0 != 0x80)
}

/// The normalizer's offset maps are what highlights and evidence spans are drawn from: every
/// normalized byte maps back inside the original text, and every span between characters of a
/// view maps to a span between characters of the original.
fuzz { input in
    var text = String(decoding: input, as: UTF8.self)   // a feed's strings are valid UTF-8
    text.withUTF8 { original in
        let normalized = normalizer.normalize(original)
        let bytes = normalized.bytes
        require(normalized.sourceLength == original.count, "source length \(normalized.sourceLength) for \(original.count) bytes")
        var previousEnd = 0
        for region in normalized.regions {
            require(region.range.lowerBound >= previousEnd && region.range.upperBound <= bytes.count, "region \(region.range) of \(bytes.count)")
            previousEnd = region.range.upperBound
            // Each character of the view, and each word-sized span, maps inside the original
            // and onto its characters.
            var starts: [Int] = []
            var k = region.range.lowerBound
            while k < region.range.upperBound {
                if bytes[k] & 0xC0 != 0x80 { starts.append(k) }
                k += 1
            }
            starts.append(region.range.upperBound)
            for (i, from) in starts.dropLast().enumerated() {
                for to in [starts[i + 1], starts[min(i + 4, starts.count - 1)]] {
                    let span = normalized.originalRange(from, to)
                    require(span.lowerBound >= 0 && span.lowerBound <= span.upperBound && span.upperBound <= original.count,
                            "bytes \(from)..<\(to) map to \(span) of \(original.count)")
                    require(onBoundary(span.lowerBound, original) && onBoundary(span.upperBound, original),
                            "bytes \(from)..<\(to) map to \(span), inside a character")
                }
                let start = normalized.originStart(from)
                require(start >= 0 && start <= original.count, "byte \(from) maps to \(start) of \(original.count)")
            }
        }
        // Without origins, the views are the same bytes.
        let views = Array(bytes)
        require(Array(normalizer.normalize(original, origins: false).bytes) == views, "views differ without origins")
    }
}
