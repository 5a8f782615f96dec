import Foundation

extension AppState {
    /// Posts in feed order, newest at the bottom, following the newest unless the moderator
    /// scrolled up (`less +F`).
    func drawFeed(_ canvas: inout Canvas, _ r: Rect) {
        let posts = visibleFeed
        guard !posts.isEmpty else {
            canvas.put(core.stats.finished ? "No posts." : "Waiting for posts…", row: r.top, col: r.left, role: .dim, limit: r.width)
            return
        }
        for (line, index) in feedCursor.visible(count: posts.count).enumerated() {
            let post = posts[index]
            let row = r.top + line
            let role = session.hideScores ? .text : Text.bandRole(post.band)
            var col = canvas.put("\(Text.clock(post.ts)) \(Text.pad(post.platform ?? "-", 4)) \(Text.pad(post.lang, 3)) ", row: row, col: r.left + 1,
                                 role: .dim, limit: r.width - 1)
            col = canvas.put(Text.pad(handle(post.account), 14) + " ", row: row, col: col, role: .text, limit: r.left + r.width - col)
            if let target = post.repostOf {
                let by = post.original.map { " by \(handle($0.account))" } ?? ""
                col = canvas.put("↻ repost of \(target)\(by)" + (post.original == nil ? "" : ": "), row: row, col: col, role: .dim, limit: r.left + r.width - col)
                if let original = post.original {
                    canvas.put(original.text.replacingOccurrences(of: "\n", with: " "), row: row, col: col, role: .text, limit: r.left + r.width - col)
                }
            } else {
                canvas.put(highlighted(post, base: role, flatten: true), row: row, col: col, limit: r.left + r.width - col)
            }
            if marks.contains(post.ref) { canvas.put("*", row: row, col: r.left, role: .marked) }
            if focus == .feed, index == feedCursor.selected { canvas.restyle(row: row, col: r.left, count: r.width, role: .selected) }
        }
    }
}
