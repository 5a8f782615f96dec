import Foundation
import FuzzSupport
import VigilFeed

/// Hands the input to the line reader in chunks of a size the input chooses, so lines and
/// objects are split across reads at every place.
final class MemorySource: ByteSource {
    var data: UnsafeBufferPointer<UInt8> = UnsafeBufferPointer(start: nil, count: 0)
    var offset = 0
    var chunk = 1
    var consumedBytes: Int64 { Int64(offset) }

    func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(FeedError) -> Int {
        let n = min(count, chunk, data.count - offset)
        guard n > 0 else { return 0 }
        buffer.copyMemory(from: data.baseAddress! + offset, byteCount: n)
        offset += n
        return n
    }
}

let decoder = FeedDecoder()
let source = MemorySource()
let reader = LineReader(source: source, name: "fuzz", totalBytes: nil, padding: FeedDecoder.padding)
let file = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-fuzz-feed-\(getpid())").path
let chunks = [1, 7, 64, 4096, Int.max]

/// Every line the reader gives is within the limit, padded for simdjson and without a line
/// break; every line decodes to an event, an unknown type or a reason, and events materialize.
func readAll(_ reader: LineReader) {
    try? reader.forEachLine({ line in
        require(line.length <= LineReader.maxLineBytes, "a line of \(line.length) bytes")
        require(line.capacity >= line.length + FeedDecoder.padding, "a line without its padding")
        require(!line.bytes.contains(0x0A), "a line break inside a line")
        switch decoder.decode(line) {
        case .event(let raw): _ = raw.materialize()
        case .unknownType, .rejected: break
        }
        return true
    }, oversized: { _, prefix in
        require(prefix.count <= LineReader.maxLineBytes, "an oversized prefix of \(prefix.count) bytes")
        return true
    })
}

fuzz { input in
    guard let mode = input.first else { return }
    let body = UnsafeBufferPointer(rebasing: input.dropFirst())
    if mode & 0x80 == 0 {
        source.data = body
        source.offset = 0
        source.chunk = chunks[Int(mode) % chunks.count]
        readAll(reader)
    } else {
        // Through a file, as `vigil scan` opens one: gzip is recognised by its magic bytes.
        guard FileManager.default.createFile(atPath: file, contents: Data(body)) else { return }
        defer { unlink(file) }
        guard let opened = try? LineReader(path: file, padding: FeedDecoder.padding) else { return }
        readAll(opened)
    }
}
