import Foundation

/// A one-line progress bar on stderr, only when stderr is a terminal and the size is known.
final class ProgressBar {
    private var lastDraw = Date.distantPast
    private var drawn = false

    static func forStandardError() -> ProgressBar? {
        isatty(2) != 0 ? ProgressBar() : nil
    }

    func update(consumed: Int64, total: Int64?) {
        guard let total, total > 0 else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        let fraction = min(1, Double(consumed) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        Diagnostics.control("\r[\(bar)] \(Int(fraction * 100))%")
        drawn = true
    }

    func clear() {
        if drawn { Diagnostics.control("\r\u{1B}[K") }
        drawn = false
    }
}
