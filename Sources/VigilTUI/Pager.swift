/// A scrollable text box (mutt's pager): help, or a chapter note too long for its box. Lines
/// wrap to the box; `update` keeps the scroll inside the text.
public struct Pager: Sendable, Equatable {
    public var title: String
    /// Text and role per paragraph.
    public var paragraphs: [(String, Role)]
    public internal(set) var scroll = 0
    /// Wrapped lines and visible rows at the last layout.
    public internal(set) var total = 0
    public internal(set) var height = 0
    /// The pager paused a playing replay when it opened (a chapter note), so closing it resumes.
    public internal(set) var pausedReplay = false

    static let width = 84

    public init(title: String, lines: [(String, Role)]) {
        self.title = title
        paragraphs = lines
    }

    static func frame(rows: Int, cols: Int, lines: Int) -> Rect { Modal.rect(rows: rows, cols: cols, width: width, content: lines) }

    func wrapped(width: Int) -> [Styled] {
        Text.wrapAll(paragraphs.map { Text.plain($0.0, $0.1) }, width: width)
    }

    mutating func layOut(rows: Int, cols: Int) {
        let width = Pager.frame(rows: rows, cols: cols, lines: 1).inner.width
        total = wrapped(width: width).count
        height = Pager.frame(rows: rows, cols: cols, lines: total).inner.height
        scroll = max(0, min(scroll, total - height))
    }

    mutating func scroll(by delta: Int) {
        scroll = max(0, min(max(0, total - height), scroll.addingReportingOverflow(delta).partialValue))
    }

    /// "lines 1-20 of 45".
    var position: String { total <= height ? "\(total) lines" : "lines \(scroll + 1)-\(min(total, scroll + height)) of \(total)" }

    public static func == (a: Pager, b: Pager) -> Bool {
        a.title == b.title && a.scroll == b.scroll && a.paragraphs.map(\.0) == b.paragraphs.map(\.0)
    }
}

extension AppState {
    func drawPager(_ pager: Pager, _ canvas: inout Canvas) {
        let width = Pager.frame(rows: rows, cols: cols, lines: 1).inner.width
        let lines = pager.wrapped(width: width)
        let frame = Pager.frame(rows: rows, cols: cols, lines: lines.count)
        canvas.modal(frame, title: pager.title, position: pager.position)
        canvas.lines(lines, in: frame.inner, scroll: pager.scroll)
    }
}
