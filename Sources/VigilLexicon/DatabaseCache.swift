import CVectorscan
import Foundation
import VigilFeed

/// Compiled Vectorscan databases kept on disk between runs. Compiling the built-in lexicon takes
/// about half a second; loading it back, milliseconds. Files are named by a digest of everything
/// that goes into the databases (each expression with its id and flags, the compile mode, and
/// Vectorscan's version), so a changed lexicon or library never loads a stale database; and
/// Vectorscan itself refuses a database built for another platform or with a bad checksum. Any
/// failure (no directory, no permission, a damaged file) falls back to compiling.
///
/// Where: `$VIGIL_CACHE_DIR`, else `$XDG_CACHE_HOME/vigil`, else `~/.cache/vigil`;
/// `VIGIL_CACHE_DIR=off` turns it off. The newest `capacity` files are kept.
public struct DatabaseCache: Sendable {
    public let directory: URL
    public var capacity = 16

    public init(directory: URL) { self.directory = directory }

    /// The cache the environment asks for (nil when turned off or there is no home).
    public static var standard: DatabaseCache? {
        let env = ProcessInfo.processInfo.environment
        if let chosen = env["VIGIL_CACHE_DIR"], !chosen.isEmpty {
            return chosen == "off" ? nil : DatabaseCache(directory: URL(fileURLWithPath: chosen))
        }
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return DatabaseCache(directory: URL(fileURLWithPath: xdg).appendingPathComponent("vigil")) }
        guard let home = env["HOME"], !home.isEmpty else { return nil }
        return DatabaseCache(directory: URL(fileURLWithPath: home).appendingPathComponent(".cache/vigil"))
    }

    /// What one database is for, in the order `CompiledLexicon` keeps them.
    enum Role: UInt8 {
        case literal = 0, pattern = 1, anchored = 2, gated = 3, keyed = 4, starts = 5
    }

    struct Entry {
        var role: Role
        /// The expression id of an anchored pattern (0 for the others).
        var id: Int32
        var database: OpaquePointer
    }

    /// VIGILDB1 files, without the start-tracking database, no longer load.
    static let magic = Array("VIGILDB2".utf8)

    /// A SHA-256 of the databases' inputs, each part followed by its length so that no two lists
    /// of parts read alike: a lexicon file cannot be made to load another's compiled database.
    static func key(_ parts: [[UInt8]]) -> String {
        var hasher = SHA256()
        for part in parts {
            hasher.update(part)
            hasher.update([0xFF] + withUnsafeBytes(of: UInt64(part.count).littleEndian, Array.init))
        }
        return hasher.hex()
    }

    func file(_ key: String) -> URL { directory.appendingPathComponent("lexicon-\(key).hsdb") }

    /// The databases stored under `key`, or nil (then the caller compiles).
    func load(_ key: String) -> [Entry]? {
        guard let data = try? Data(contentsOf: file(key)) else { return nil }
        var entries: [Entry] = []
        let ok = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            var at = 0
            func take(_ n: Int) -> UnsafeRawBufferPointer? {
                guard n >= 0, at + n <= raw.count else { return nil }
                defer { at += n }
                return UnsafeRawBufferPointer(rebasing: raw[at..<(at + n)])
            }
            func integer<T: FixedWidthInteger>(_: T.Type) -> T? { take(MemoryLayout<T>.size).map { T(littleEndian: $0.loadUnaligned(as: T.self)) } }
            guard let head = take(DatabaseCache.magic.count), Array(head) == DatabaseCache.magic,
                  let keyBytes = take(key.utf8.count), Array(keyBytes) == Array(key.utf8),
                  let count = integer(UInt32.self) else { return false }
            for _ in 0..<count {
                guard let roleByte = integer(UInt8.self), let role = Role(rawValue: roleByte), let id = integer(Int32.self),
                      let length = integer(UInt64.self), length < UInt64(Int32.max), let bytes = take(Int(length)) else { return false }
                var db: OpaquePointer?
                let rc = bytes.withMemoryRebound(to: CChar.self) { hs_deserialize_database($0.baseAddress, $0.count, &db) }
                guard rc == HS_SUCCESS, let db else { return false }
                entries.append(Entry(role: role, id: id, database: db))
            }
            return at == raw.count
        }
        guard ok else {
            entries.forEach { hs_free_database($0.database) }
            return nil
        }
        // Used files stay among the newest, so trimming drops the ones nobody loads.
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: file(key).path)
        return entries
    }

    /// Writes the databases under `key` (atomically: a whole file or none), then trims the
    /// directory to the newest `capacity` files. Failures are ignored: the cache only saves time.
    func store(_ key: String, _ entries: [Entry]) {
        var data = Data(DatabaseCache.magic)
        data.append(contentsOf: Array(key.utf8))
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        append(UInt32(entries.count))
        for entry in entries {
            var bytes: UnsafeMutablePointer<CChar>?
            var length = 0
            guard hs_serialize_database(entry.database, &bytes, &length) == HS_SUCCESS, let bytes else { return }
            defer { free(bytes) }
            append(entry.role.rawValue)
            append(entry.id)
            append(UInt64(length))
            data.append(UnsafeBufferPointer(start: UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: length))
        }
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            try data.write(to: file(key), options: .atomic)
        } catch {
            return
        }
        trim()
    }

    private func trim() {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(at: directory, includingPropertiesForKeys: [.contentModificationDateKey]) else { return }
        let files = names.filter { $0.lastPathComponent.hasPrefix("lexicon-") && $0.pathExtension == "hsdb" }
        guard files.count > capacity else { return }
        let dated = files.map { ($0, (try? $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast) }
        for (url, _) in dated.sorted(by: { $0.1 > $1.1 }).dropFirst(capacity) { try? manager.removeItem(at: url) }
    }
}
