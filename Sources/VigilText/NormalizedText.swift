/// Up to three regions without a heap allocation per text.
public struct RegionList: Sendable, RandomAccessCollection {
    private var storage: (Region, Region, Region) = (Region(range: 0..<0, views: []), Region(range: 0..<0, views: []), Region(range: 0..<0, views: []))
    public private(set) var count = 0

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(i: Int) -> Region {
        switch i {
        case 0: return storage.0
        case 1: return storage.1
        default: return storage.2
        }
    }

    mutating func append(_ r: Region) {
        switch count {
        case 0: storage.0 = r
        case 1: storage.1 = r
        default: storage.2 = r
        }
        count += 1
    }
}

/// The normalized views of one text, concatenated (identical views share one region), with the
/// original byte range of every normalized byte. Valid until the normalizer's next call.
public struct NormalizedText {
    /// All regions, separated by a newline byte.
    public let bytes: UnsafeBufferPointer<UInt8>
    /// Bytes before this offset are their own origins (no origin arrays needed for them).
    let identityPrefix: Int
    /// False after `normalize(_:origins: false)`: the views are right, the origins are not kept.
    public let hasOrigins: Bool
    let originStarts: UnsafePointer<Int32>
    let originEnds: UnsafePointer<Int32>
    public let regions: RegionList
    public let flags: TextFlags
    /// Length of the original text in bytes.
    public let sourceLength: Int
    /// The most bytes in a row without a space, tab or line break in any view, when the
    /// normalizer knows it (nil: count them). Exact from `NormalizedText.exactRunsFrom` on; a
    /// smaller value says only that no run is that long.
    public let longestRun: Int?
    public static let exactRunsFrom = 16

    init(bytes: UnsafeBufferPointer<UInt8>, originStarts: UnsafeMutablePointer<Int32>, originEnds: UnsafeMutablePointer<Int32>,
         regions: RegionList, flags: TextFlags, sourceLength: Int, identityPrefix: Int = 0, hasOrigins: Bool = true,
         longestRun: Int? = nil) {
        self.bytes = bytes
        self.longestRun = longestRun
        self.identityPrefix = identityPrefix
        self.hasOrigins = hasOrigins
        self.originStarts = UnsafePointer(originStarts)
        self.originEnds = UnsafePointer(originEnds)
        self.regions = regions
        self.flags = flags
        self.sourceLength = sourceLength
    }

    /// Wraps text that is already normalized (lowercase, NFKC): one region for all views, and
    /// every offset is its own origin. For benchmarks of matching alone and for callers that
    /// normalized elsewhere.
    public static func prenormalized(_ bytes: UnsafeBufferPointer<UInt8>) -> NormalizedText {
        var regions = RegionList()
        regions.append(Region(range: 0..<bytes.count, views: .all))
        return NormalizedText(bytes: bytes, regions: regions, sourceLength: bytes.count)
    }

    nonisolated(unsafe) private static let noOrigins = UnsafePointer(UnsafeMutablePointer<Int32>.allocate(capacity: 1))

    private init(bytes: UnsafeBufferPointer<UInt8>, regions: RegionList, sourceLength: Int) {
        self.bytes = bytes
        identityPrefix = bytes.count
        hasOrigins = true
        originStarts = NormalizedText.noOrigins
        originEnds = NormalizedText.noOrigins
        self.regions = regions
        flags = []
        self.sourceLength = sourceLength
        longestRun = nil
    }

    /// The region that holds `view`.
    public func region(of view: View) -> Region {
        let mask = ViewMask(view)
        for r in regions where r.views.contains(mask) { return r }
        return regions[0]
    }

    /// The region containing the normalized byte offset `offset`.
    @inline(__always) public func region(containing offset: Int) -> Region {
        for r in regions where offset < r.range.upperBound { return r }
        return regions[regions.count - 1]
    }

    /// The original UTF-8 byte range that the normalized bytes `from..<to` came from.
    @inline(__always) public func originalRange(_ from: Int, _ to: Int) -> Range<Int> {
        if to <= identityPrefix { return from..<to }
        return Int(originStarts[from])..<Int(originEnds[to - 1])
    }

    @inline(__always) public func originStart(_ offset: Int) -> Int {
        offset < identityPrefix ? offset : Int(originStarts[offset])
    }

    public func string(of view: View) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[region(of: view).range]), as: UTF8.self)
    }

    /// Decodes the code point that ends just before `offset` (which must be on a boundary).
    @inline(__always) public func scalar(before offset: Int) -> UInt32 {
        var i = offset - 1
        var b = bytes[i]
        if b < 0x80 { return UInt32(b) }
        var value: UInt32 = 0
        var shift: UInt32 = 0
        while b & 0xC0 == 0x80 {
            value |= UInt32(b & 0x3F) << shift
            shift += 6
            i -= 1
            b = bytes[i]
        }
        let lead: UInt32 = shift == 6 ? UInt32(b & 0x1F) : (shift == 12 ? UInt32(b & 0x0F) : UInt32(b & 0x07))
        return value | lead << shift
    }

    /// Decodes the code point starting at `offset`, with its length in bytes.
    @inline(__always) public func scalar(at offset: Int) -> (UInt32, Int) {
        Normalizer.decodeWrittenScalar(bytes.baseAddress! + offset)
    }

    /// Original byte offsets where the words of `view` start, in order: the yardstick for
    /// "within N words". Spaced-out letters collapsed in `deobf` count as one word there.
    public func wordStarts(in view: View, into out: inout [Int32]) {
        out.removeAll(keepingCapacity: true)
        let tables = UnicodeTables.shared
        let range = region(of: view).range
        var i = range.lowerBound
        var inWord = false
        while i < range.upperBound {
            let (c, len) = scalar(at: i)
            let isWord = tables.info(c).isWord
            if isWord && !inWord { out.append(Int32(originStart(i))) }
            inWord = isWord
            i += len
        }
    }
}
