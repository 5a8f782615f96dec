import CNCursesW
import CTermShim
import Glibc
import VigilTUI

#if os(Linux)
typealias Window = UnsafeMutablePointer<WINDOW>
#else
typealias Window = OpaquePointer
#endif

public struct TerminalOptions: Sendable {
    public var theme: Theme
    /// Off by default: with mouse reporting on, the terminal's own text selection (copying post
    /// text) needs Shift held down.
    public var mouse: Bool
    /// Read keys from /dev/tty instead of stdin, because stdin carries the feed.
    public var keysFromTTY: Bool
    /// Where stderr goes while the screen is active; nil leaves it alone.
    public var logPath: String?

    public init(theme: Theme = .dark, mouse: Bool = false, keysFromTTY: Bool = !Terminal.stdinIsTerminal(),
                logPath: String? = nil) {
        self.theme = theme
        self.mouse = mouse
        self.keysFromTTY = keysFromTTY
        self.logPath = logPath
    }
}

public enum TerminalError: Error, Equatable, CustomStringConvertible {
    /// stdout (or stdin, when keys are read from it) is not a terminal.
    case notATerminal
    case ttyUnavailable(errno: Int32)
    case unknownTerminalType(String)
    case logUnavailable(path: String, errno: Int32)
    /// Another Terminal is active: curses has one screen per process here.
    case alreadyActive

    public var description: String {
        switch self {
        case .notATerminal:
            return "the console needs a terminal: standard output is redirected (or keys would be read from a pipe)"
        case .ttyUnavailable(let code):
            return "cannot open /dev/tty to read keys while the feed is on standard input: \(String(cString: strerror(code)))"
        case .unknownTerminalType(let name):
            return "unknown terminal type \(name.isEmpty ? "(TERM is not set)" : "'\(name)'"); try TERM=xterm-256color"
        case .logUnavailable(let path, let code):
            return "cannot open the log file \(path): \(String(cString: strerror(code)))"
        case .alreadyActive:
            return "the terminal is already in use by another console screen"
        }
    }
}

public enum TerminalEvent: Sendable, Equatable {
    case key(Key)
    case resize(rows: Int, cols: Int)
    /// SIGINT, SIGTERM or SIGHUP arrived: save what matters, then `shutdown()`.
    case quit(signal: Int32)
}

/// The console's screen: the only code that talks to ncurses. Not thread-safe (neither is
/// curses): create it, draw and read events from one thread.
public final class Terminal {
    public private(set) var theme: Theme
    private var screen: OpaquePointer?
    private let window: Window
    private let mouse: Bool
    /// Color pair and attributes per `Role.rawValue`.
    private var looks: [(attrs: attr_t, pair: Int16)] = []
    private var previous: Canvas?
    private var needsFullRedraw = true

    public static func stdoutIsTerminal() -> Bool { isatty(STDOUT_FILENO) == 1 }
    public static func stdinIsTerminal() -> Bool { isatty(STDIN_FILENO) == 1 }

    public init(options: TerminalOptions) throws {
        // Without a terminal wget_wch returns at once, forever: refuse instead of spinning.
        guard Terminal.stdoutIsTerminal(), options.keysFromTTY || Terminal.stdinIsTerminal() else {
            throw TerminalError.notATerminal
        }
        if setlocale(LC_ALL, "") == nil || String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" {
            // DisplayText measures with UTF-8 widths; ncurses must count the same way.
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        // Before the screen exists, so ncurses keeps its own SIGINT/SIGTERM handlers out.
        guard tui_install_signal_handlers(STDOUT_FILENO) == 0 else { throw TerminalError.alreadyActive }
        var redirected = false
        do {
            if let path = options.logPath {
                guard tui_redirect_stderr(path) == 0 else { throw TerminalError.logUnavailable(path: path, errno: errno) }
                redirected = true
            }
            if options.keysFromTTY {
                screen = tui_open_tty_input()
                if screen == nil, errno != 0 { throw TerminalError.ttyUnavailable(errno: errno) }
            } else {
                screen = tui_open_stdin_input()
            }
            guard screen != nil, let window = tui_stdscr() else {
                throw TerminalError.unknownTerminalType(getenv("TERM").map { String(cString: $0) } ?? "")
            }
            self.window = window
        } catch {
            if redirected { tui_restore_stderr() }
            tui_uninstall_signal_handlers()
            throw error
        }
        tui_cache_restore_sequences()
        cbreak()
        noecho()
        nonl()
        keypad(window, true)
        // The cursor is hidden, so its position never matters and ncurses need not move it back.
        leaveok(window, true)
        curs_set(0)
        // Esc is a common key here (back, cancel); the 1 s default would make it feel broken.
        // An ESCDELAY in the environment (slow links) still wins.
        if getenv("ESCDELAY") == nil { set_escdelay(25) }

        let noColor = getenv("NO_COLOR").map { $0.pointee != 0 } ?? false
        theme = noColor || !has_colors() ? .mono : options.theme
        mouse = options.mouse
        setUpColors()
        if mouse {
            mousemask(tui_mouse_press_mask() | tui_mouse_wheel_up_mask() | tui_mouse_wheel_down_mask(), nil)
            // Presses are reported at once instead of waiting to tell a click from a press.
            mouseinterval(0)
            tui_set_mouse_reporting(1)
        }
    }

    deinit { shutdown() }

    /// The screen's size; (0, 0) after `shutdown()`.
    public var size: (rows: Int, cols: Int) {
        guard screen != nil else { return (0, 0) }
        var rows: Int32 = 0, cols: Int32 = 0
        tui_getmaxyx(window, &rows, &cols)
        return (Int(rows), Int(cols))
    }

    /// Restores the terminal: cooked mode, main screen, cursor, no mouse reporting, stderr.
    /// Safe to call more than once.
    public func shutdown() {
        guard let screen else { return }
        if mouse {
            mousemask(0, nil)
            tui_set_mouse_reporting(0)
        }
        endwin()
        delscreen(screen)
        tui_close_tty_input()
        self.screen = nil
        tui_uninstall_signal_handlers()
        tui_restore_stderr()
    }

    private func setUpColors() {
        // COLORS and COLOR_PAIRS are known only after start_color.
        guard theme != .mono, start_color() == OK, tui_color_pairs() > Role.allCases.count else {
            theme = .mono
            looks = Theme.mono.palette(colors: 0).map { ($0.attrs, 0) }
            return
        }
        // -1 (the terminal's own colors) needs use_default_colors; without it, guess from the theme.
        let defaults = use_default_colors() == OK
        let styles = theme.palette(colors: Int(tui_colors()))
        let (defaultFg, defaultBg): (Int16, Int16) = theme == .light ? (0, 7) : (7, 0)
        looks = styles.enumerated().map { index, style in
            let pair = Int16(index + 1)
            let fg = style.fg < 0 && !defaults ? defaultFg : style.fg
            let bg = style.bg < 0 && !defaults ? defaultBg : style.bg
            init_pair(pair, fg, bg)
            return (style.attrs, pair)
        }
    }

    // MARK: Drawing

    /// Writes the cells that differ from the last drawn canvas (all of them after a resize or
    /// a size change), then updates the screen once.
    public func draw(_ canvas: Canvas) {
        guard screen != nil else { return }
        let (rows, cols) = size
        let old = needsFullRedraw || previous?.rows != canvas.rows || previous?.cols != canvas.cols ? nil : previous
        if old == nil { werase(window) }
        for row in 0..<min(rows, canvas.rows) {
            var changed = false
            for col in 0..<min(cols, canvas.cols) {
                let cell = canvas[row, col]
                // A wide grapheme's second column: the grapheme itself covers it.
                if cell.width == 0 { continue }
                if let old, old[row, col] == cell { continue }
                changed = true
                if col + Int(cell.width) > cols {
                    put(" ", role: cell.role, row: row, col: col)
                } else {
                    put(cell.text, role: cell.role, row: row, col: col)
                }
            }
            // ncurses keeps a flag as two one-column cells while most terminals (tmux too) draw
            // one two-column glyph, so a partial update of such a row desynchronises them;
            // rewriting the whole row from the left keeps both in step.
            if changed, let old, Terminal.hasCompound(canvas, row: row) || Terminal.hasCompound(old, row: row) {
                wredrawln(window, Int32(row), 1)
            }
        }
        previous = canvas
        needsFullRedraw = false
        wnoutrefresh(window)
        doupdate()
    }

    /// Whether a row holds a grapheme of several spacing scalars (regional-indicator flags).
    private static func hasCompound(_ canvas: Canvas, row: Int) -> Bool {
        (0..<canvas.cols).contains { col in
            let scalars = canvas[row, col].text.unicodeScalars
            return scalars.count > 1 && scalars.lazy.filter { DisplayText.columns($0) > 0 }.count > 1
        }
    }

    /// One grapheme at (row, col). A cchar_t holds one spacing character and up to four
    /// combining ones, so a grapheme made of several spacing scalars (a flag is two regional
    /// indicators) goes out as consecutive cells; DisplayText counted it as their summed width.
    private func put(_ grapheme: String, role: Role, row: Int, col: Int) {
        let look = looks[Int(role.rawValue)]
        var run: [wchar_t] = []
        var first = true
        func flush() {
            guard !run.isEmpty else { return }
            run.append(0)
            var cc = cchar_t()
            setcchar(&cc, run, look.attrs, look.pair, nil)
            if first {
                mvwadd_wch(window, Int32(row), Int32(col), &cc)
                first = false
            } else {
                wadd_wch(window, &cc)
            }
            run.removeAll(keepingCapacity: true)
        }
        for scalar in grapheme.unicodeScalars {
            if DisplayText.columns(scalar) > 0 {
                flush()
            } else if run.count >= Int(CCHARW_MAX) {
                continue
            }
            run.append(wchar_t(bitPattern: scalar.value))
        }
        flush()
    }

    // MARK: Events

    /// The next key, resize or quit request, waiting at most `timeoutMs` (negative: forever);
    /// nil when the time ran out or the input was not a key.
    public func nextEvent(timeoutMs: Int) -> TerminalEvent? {
        guard screen != nil else { return nil }
        if let quit = quitEvent() { return quit }
        wtimeout(window, Int32(clamping: timeoutMs))
        var ch: wint_t = 0
        let status = wget_wch(window, &ch)
        // A quit signal interrupts the wait (no SA_RESTART), so check again before decoding.
        if let quit = quitEvent() { return quit }
        switch status {
        case OK: return Terminal.decode(character: UInt32(ch)).map { .key($0) }
        case KEY_CODE_YES: return decode(keyCode: Int32(bitPattern: ch))
        default: return nil
        }
    }

    private func quitEvent() -> TerminalEvent? {
        let signal = tui_quit_signal()
        return signal == 0 ? nil : .quit(signal: signal)
    }

    static func decode(character c: UInt32) -> Key? {
        switch c {
        case 0x0D, 0x0A: return .enter
        case 0x1B: return .escape
        case 0x09: return .tab
        case 0x7F, 0x08: return .backspace
        // Ctrl-A…Ctrl-Z are 0x01…0x1A; Ctrl-@ and Ctrl-\ ] ^ _ are the rest of C0.
        case 0x01...0x1A: return .ctrl(Character(Unicode.Scalar(UInt8(c + 0x60))))
        case 0x00, 0x1C...0x1F: return .ctrl(Character(Unicode.Scalar(UInt8(c + 0x40))))
        case 0x80...0x9F: return nil
        default: return Unicode.Scalar(c).map { .char(Character($0)) }
        }
    }

    private func decode(keyCode: Int32) -> TerminalEvent? {
        switch keyCode {
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_PPAGE: return .key(.pageUp)
        // Some terminfo entries (screen, PuTTY) name Home and End "find" and "select".
        case KEY_HOME, KEY_FIND: return .key(.home)
        case KEY_END, KEY_SELECT: return .key(.end)
        case KEY_ENTER: return .key(.enter)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC: return .key(.delete)
        case KEY_BTAB: return .key(.backTab)
        case (KEY_F0 + 1)...(KEY_F0 + 24): return .key(.function(Int(keyCode - KEY_F0)))
        case KEY_RESIZE:
            // ncurses has resized its windows already; the terminal may have reflowed the old
            // picture, so the next frame repaints every cell.
            needsFullRedraw = true
            clearok(window, true)
            let (rows, cols) = size
            return .resize(rows: rows, cols: cols)
        case KEY_MOUSE: return mouseEvent().map { .key(.mouse($0)) }
        default: return nil
        }
    }

    private func mouseEvent() -> MouseEvent? {
        var event = MEVENT()
        guard getmouse(&event) == OK else { return nil }
        let kind: MouseEvent.Kind
        if event.bstate & tui_mouse_wheel_up_mask() != 0 {
            kind = .wheelUp
        } else if event.bstate & tui_mouse_wheel_down_mask() != 0 {
            kind = .wheelDown
        } else if event.bstate & tui_mouse_press_mask() != 0 {
            kind = .press
        } else {
            return nil
        }
        return MouseEvent(kind: kind, row: Int(event.y), col: Int(event.x))
    }
}
