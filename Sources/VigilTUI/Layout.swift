/// Where each pane sits for a screen size: all five at 120×40 and more; one at a time (tabs)
/// from 80×24; below that, only the "terminal too small" screen.
public struct Layout: Sendable, Equatable {
    public struct Region: Sendable, Equatable {
        public var pane: Pane
        public var top: Int
        public var left: Int
        public var height: Int
        public var width: Int

        public func contains(row: Int, col: Int) -> Bool {
            row >= top && row < top + height && col >= left && col < left + width
        }
    }

    public var regions: [Region]
    /// The tab line (compact layout only).
    public var tabsRow: Int?
    public var messageRow: Int
    public var footerRow: Int

    public static let minimumRows = 24
    public static let minimumCols = 80

    public init(state: AppState) {
        let rows = state.rows, cols = state.cols
        messageRow = rows - 2
        footerRow = rows - 1
        guard !state.isTooSmall else { regions = []; tabsRow = nil; return }
        if state.isCompact {
            tabsRow = 1
            regions = [Region(pane: state.focus, top: 2, left: 0, height: rows - 4, width: cols)]
            return
        }
        tabsRow = nil
        let bodyTop = 1, bodyHeight = rows - 3
        let topHeight = bodyHeight * 3 / 5
        let bottomHeight = bodyHeight - topHeight
        let leftWidth = cols * 9 / 20
        let clustersWidth = (cols - leftWidth) / 2
        if state.focus == .team {
            // The team pane's tables need rows and columns: while it has the focus it takes the
            // right-hand side (detail, clusters and stats); the queue and the feed stay in view.
            regions = [Region(pane: .queue, top: bodyTop, left: 0, height: topHeight, width: leftWidth),
                       Region(pane: .feed, top: bodyTop + topHeight, left: 0, height: bottomHeight, width: leftWidth),
                       Region(pane: .team, top: bodyTop, left: leftWidth, height: bodyHeight, width: cols - leftWidth)]
            return
        }
        regions = [
            Region(pane: .queue, top: bodyTop, left: 0, height: topHeight, width: leftWidth),
            Region(pane: .detail, top: bodyTop, left: leftWidth, height: topHeight, width: cols - leftWidth),
            Region(pane: .feed, top: bodyTop + topHeight, left: 0, height: bottomHeight, width: leftWidth),
            Region(pane: .clusters, top: bodyTop + topHeight, left: leftWidth, height: bottomHeight, width: clustersWidth),
            Region(pane: .stats, top: bodyTop + topHeight, left: leftWidth + clustersWidth, height: bottomHeight,
                   width: cols - leftWidth - clustersWidth),
        ]
    }

    public func region(of pane: Pane) -> Region? { regions.first { $0.pane == pane } }
}
