import VigilTerminal
import VigilTUI

/// What the console loop needs of a screen: its size, the next key or resize, and a way to show a
/// canvas. The terminal is one; tests drive the loop with a headless one.
public protocol ConsoleScreen: AnyObject {
    var size: (rows: Int, cols: Int) { get }
    func nextEvent(timeoutMs: Int) -> TerminalEvent?
    func draw(_ canvas: Canvas)
}

extension Terminal: ConsoleScreen {}
