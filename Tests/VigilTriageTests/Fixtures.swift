import Foundation
@testable import VigilTriage

let p1 = ItemRef(.post, "p1")
let p2 = ItemRef(.post, "p2")
let c3 = ItemRef(.cluster, "c3")
/// 2024-05-01T12:00:00Z
let noon: TimeInterval = 1_714_564_800

/// A fresh directory under the system's temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-triage-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// A new store in a fresh temporary directory.
func withStore<T>(_ body: (SQLiteDecisionStore, String) throws -> T) throws -> T {
    try withTemporaryDirectory { directory in
        let path = directory.appendingPathComponent("vigil.sqlite").path
        return try body(try SQLiteDecisionStore(path: path), path)
    }
}

func decision(_ action: Action, _ items: [ItemRef], category: String? = nil, note: String? = nil, by moderator: String = "alice",
              at offset: TimeInterval = 0, feed: String = "f0a1", revertOf: Int64? = nil, id: Int64 = 0) -> Decision {
    Decision(id: id, items: items, action: action, category: category, note: note, moderator: moderator,
             decidedAt: Date(timeIntervalSince1970: noon + offset), feed: feed, lexiconVersion: "2024.05", revertOf: revertOf)
}

/// Records in order and returns the stored decisions.
@discardableResult
func record(_ store: any DecisionStore, _ decisions: Decision...) throws -> [Decision] {
    try decisions.map { try store.record($0) }
}
