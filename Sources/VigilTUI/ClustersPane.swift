import Foundation
import VigilCoordination

extension AppState {
    /// Every cluster with state, size, score, growth and signals; with the focus, the selected
    /// cluster's evidence below the list.
    func drawClusters(_ canvas: inout Canvas, _ r: Rect) {
        let list = clusterList
        guard !list.isEmpty else {
            canvas.lines(Text.wrap(Text.plain(emptyClustersText, .dim), width: r.width), in: r)
            return
        }
        for (line, index) in clusterCursor.visible(count: list.count).enumerated() {
            let cluster = list[index]
            let row = r.top + line
            var col = canvas.put(marks.contains(cluster.ref) ? "*" : " ", row: row, col: r.left, role: .marked)
            let head = Text.pad(cluster.id, 5) + " " + Text.pad(cluster.state.rawValue, 7) + " " + String(format: "%3d ", cluster.members.count)
            if session.hideScores {
                col = canvas.put(head, row: row, col: col, role: .text)
                canvas.put(Text.spark(cluster.activity, width: 8), row: row, col: col, role: .spark, limit: r.left + r.width - col)
            } else {
                col = canvas.put(head + String(format: "%3d ", cluster.score), row: row, col: col, role: clusterRole(cluster.score))
                col = canvas.put(Text.spark(cluster.activity, width: 8) + " ", row: row, col: col, role: .spark, limit: r.left + r.width - col)
                canvas.put(signalSummary(cluster), row: row, col: col, role: .dim, limit: r.left + r.width - col)
            }
            if book.hasVerdict(cluster.ref) {
                canvas.put("✓", row: row, col: r.left + r.width - 1, role: .decided)
            } else if book.decisionAwaitingApproval(on: cluster.ref) != nil {
                canvas.put("…", row: row, col: r.left + r.width - 1, role: .pending)
            }
            if focus == .clusters, index == clusterCursor.selected { canvas.restyle(row: row, col: r.left, count: r.width, role: .selected) }
        }
        if focus == .clusters, list.indices.contains(clusterCursor.selected) {
            let height = clusterCursor.height
            let evidence = Rect(top: r.top + height, left: r.left, height: r.height - height, width: r.width)
            canvas.lines(Text.wrapAll(clusterLines(list[clusterCursor.selected], width: r.width), width: r.width), in: evidence)
        }
    }

    /// A console on the store alone detects no cluster itself: they are items others put.
    var emptyClustersText: String {
        guard core.stats.postSource != .feed else { return "No coordinated clusters yet." }
        // Items are kept by feed: a file scanned into the same store is another feed, not shown here.
        return "No cluster of \(session.feedLabel) in the store yet: a cluster worker on it (vigil worker --clusters) puts them there. "
            + "The store's items of other feeds are not shown here."
    }

    func clusterRole(_ score: Int) -> Role {
        score >= ClusterBands.critical ? .bandCritical : score >= ClusterBands.high ? .bandHigh : score >= ClusterBands.medium ? .bandMedium : .bandLow
    }
}
