import CICUShim

/// The scripts the normalizer tells apart; everything else is `.other`.
public enum ScriptClass: UInt8, Sendable {
    case common = 0, latin, greek, cyrillic, arabic, hebrew, armenian, cherokee, other
}

/// Per-code-point facts the normalizer and the word-boundary checks need, looked up in flat
/// tables for the Basic Multilingual Plane (built once from ICU) and computed for the rest.
public struct CharInfo: Sendable {
    public static let letter: UInt16 = 1
    public static let mark: UInt16 = 2
    public static let digit: UInt16 = 4
    public static let otherNumber: UInt16 = 8
    public static let space: UInt16 = 16
    public static let control: UInt16 = 32
    public static let format: UInt16 = 64
    public static let connector: UInt16 = 128
    static let wordMask: UInt16 = letter | mark | digit | otherNumber | connector

    public let bits: UInt16

    @inline(__always) public var isLetter: Bool { bits & CharInfo.letter != 0 }
    @inline(__always) public var isMark: Bool { bits & CharInfo.mark != 0 }
    @inline(__always) public var isDigit: Bool { bits & CharInfo.digit != 0 }
    @inline(__always) public var isSpace: Bool { bits & CharInfo.space != 0 }
    @inline(__always) public var isControl: Bool { bits & CharInfo.control != 0 }
    @inline(__always) public var isFormat: Bool { bits & CharInfo.format != 0 }
    /// Letters, marks, digits, other numbers and `_`: what a word is made of (UAX #29's ALetter,
    /// Numeric and Extend classes, simplified).
    @inline(__always) public var isWord: Bool { bits & CharInfo.wordMask != 0 }
    @inline(__always) public var script: ScriptClass { ScriptClass(rawValue: UInt8(truncatingIfNeeded: bits >> 8)) ?? .other }
}

public final class UnicodeTables: @unchecked Sendable {
    public static let shared = UnicodeTables()

    /// Code points below this (planes 0 and 1: every script Vigil reads, emoji, mathematical
    /// alphanumerics) are looked up; the rest are computed through ICU.
    static let tableLimit: UInt32 = 0x20000

    /// Fold index: 0xFFFFFFFF = unchanged, else offset << 8 | count into `foldPool`. Raw memory,
    /// written once here and read-only after, so lookups carry no bounds checks or reference counting.
    let foldIndex: UnsafeMutablePointer<UInt32>
    let foldPool: UnsafeMutablePointer<UInt32>
    let info: UnsafeMutablePointer<UInt16>
    /// Latin skeletons of Greek, Cyrillic, Armenian and Cherokee look-alike letters (lowercase ASCII).
    let skeletons: [UInt32: [UInt32]]

    private init() {
        let limit = Int(UnicodeTables.tableLimit)
        foldIndex = .allocate(capacity: limit)
        let poolCapacity = 1 << 17
        foldPool = .allocate(capacity: poolCapacity)
        let used = vi_build_fold_table(foldIndex, UInt32(limit), foldPool, Int32(poolCapacity))
        precondition(used >= 0, "ICU fold table larger than its pool")
        info = .allocate(capacity: limit)
        for c in 0..<UInt32(limit) {
            info[Int(c)] = UnicodeTables.computeInfo(c)
        }
        info[0x5F] |= CharInfo.connector
        var skeletons: [UInt32: [UInt32]] = [:]
        let ranges: [ClosedRange<UInt32>] = [0x0370...0x03FF, 0x0400...0x052F, 0x0530...0x058F, 0x13A0...0x13FF, 0x1F00...0x1FFF]
        var buffer = [UInt32](repeating: 0, count: 16)
        for range in ranges {
            for c in range {
                let n = buffer.withUnsafeMutableBufferPointer { vi_skeleton_scalar(c, $0.baseAddress!, 16) }
                guard n > 0 else { continue }
                let skeleton = buffer[0..<Int(n)]
                guard skeleton.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }) else { continue }
                skeletons[c] = skeleton.map { $0 | 0x20 }
            }
        }
        self.skeletons = skeletons
    }

    static func computeInfo(_ c: UInt32) -> UInt16 {
        var bits: UInt16 = 0
        switch vi_general_category(c) {
        case 1...5: bits = CharInfo.letter
        case 6...8: bits = CharInfo.mark
        case 9: bits = CharInfo.digit
        case 10, 11: bits = CharInfo.otherNumber
        case 12...14: bits = CharInfo.space
        case 15: bits = (c == 0x09 || c == 0x0A || c == 0x0B || c == 0x0C || c == 0x0D || c == 0x85) ? CharInfo.space : CharInfo.control
        case 16: bits = CharInfo.format
        case 22: bits = CharInfo.connector
        default: bits = 0
        }
        let script: ScriptClass
        switch vi_script(c) {
        case 0, 1: script = .common
        case 2: script = .arabic
        case 3: script = .armenian
        case 6: script = .cherokee
        case 8: script = .cyrillic
        case 14: script = .greek
        case 19: script = .hebrew
        case 25: script = .latin
        default: script = .other
        }
        return bits | UInt16(script.rawValue) << 8
    }

    @inline(__always) public func info(_ c: UInt32) -> CharInfo {
        if c < UnicodeTables.tableLimit { return CharInfo(bits: info[Int(c)]) }
        return CharInfo(bits: UnicodeTables.computeInfo(c))
    }

    /// NFKC_Casefold + NFD of one code point, appended to `out`; returns false when `c` is
    /// unchanged (then nothing is appended).
    @inline(__always) func fold(_ c: UInt32, into out: inout FoldBuffer) -> Bool {
        if c < UnicodeTables.tableLimit {
            let entry = foldIndex[Int(c)]
            if entry == 0xFFFF_FFFF { return false }
            out.count = Int(entry & 0xFF)
            let base = Int(entry >> 8)
            for k in 0..<out.count { out[k] = foldPool[base + k] }
            return true
        }
        let n = withUnsafeMutablePointer(to: &out.storage) {
            $0.withMemoryRebound(to: UInt32.self, capacity: FoldBuffer.capacity) { vi_fold_scalar(c, $0, Int32(FoldBuffer.capacity)) }
        }
        if n < 0 { return false }
        out.count = Int(n)
        return !(n == 1 && out[0] == c)
    }

    /// The lowercase Latin skeleton of a Greek/Cyrillic/Armenian/Cherokee look-alike letter.
    public func latinSkeleton(_ c: UInt32) -> [UInt32]? { skeletons[c] }

    /// Greek letters evaders put in Latin words for the Latin letter they resemble, where
    /// Unicode's confusables have no skeleton for them (`τ`, `κ`, `η`) or one for their other
    /// case (`Υ` reads as Y, its lowercase `υ` as u). Looked up on the letter as written, before
    /// case folding; the sources are in docs/normalization.md.
    static let evaderLookalikes: [UInt32: UInt32] = [
        0x03B1: 0x61, 0x03B3: 0x79, 0x03B5: 0x65, 0x03B7: 0x6E, 0x03B9: 0x69, 0x03BA: 0x6B, 0x03BD: 0x76, 0x03BF: 0x6F,
        0x03C1: 0x70, 0x03C4: 0x74, 0x03C5: 0x75, 0x03C7: 0x78, 0x03C9: 0x77,
        0x0391: 0x61, 0x0392: 0x62, 0x0395: 0x65, 0x0396: 0x7A, 0x0397: 0x68, 0x0399: 0x69, 0x039A: 0x6B, 0x039C: 0x6D,
        0x039D: 0x6E, 0x039F: 0x6F, 0x03A1: 0x70, 0x03A4: 0x74, 0x03A5: 0x79, 0x03A7: 0x78,
    ]

    public static var icuVersion: String { String(cString: vi_icu_version()) }
}

/// A small fixed buffer for the expansion of one code point (the longest NFKC_Casefold
/// expansion is 18 code points).
struct FoldBuffer {
    static let capacity = 32
    var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                  UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    var count = 0

    subscript(i: Int) -> UInt32 {
        get { withUnsafeBytes(of: storage) { $0.load(fromByteOffset: i * 4, as: UInt32.self) } }
        set { withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: newValue, toByteOffset: i * 4, as: UInt32.self) } }
    }
}
