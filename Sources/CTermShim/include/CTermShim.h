#ifndef CTERMSHIM_H
#define CTERMSHIM_H
/* What Swift cannot import from curses (macros, mutable globals) and the async-signal-safe
   terminal restore. Only VigilTerminal uses it. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <ncursesw/curses.h>

/* stdscr, COLORS and COLOR_PAIRS are mutable C globals, which Swift 6 rejects. */
WINDOW *tui_stdscr(void);
int tui_colors(void);
int tui_color_pairs(void);
/* getmaxyx is an lvalue macro. */
void tui_getmaxyx(WINDOW *w, int *rows, int *cols);

/* A_* and the mouse masks are NCURSES_BITS() macros. */
attr_t tui_attr_bold(void);
attr_t tui_attr_reverse(void);
attr_t tui_attr_underline(void);
attr_t tui_attr_dim(void);
mmask_t tui_mouse_press_mask(void);
mmask_t tui_mouse_wheel_up_mask(void);
mmask_t tui_mouse_wheel_down_mask(void);

/* Call BEFORE the screen is created: ncurses then leaves SIGINT/SIGTERM alone. Saves the
   termios of tty_fd (the cooked mode to restore after a crash). SIGINT/SIGTERM/SIGHUP only set a
   flag (no SA_RESTART, so a blocking read returns); SEGV/ILL/TRAP/ABRT/BUS/FPE restore the
   terminal and then go on to the handler that was there before (the Swift backtracer) or the
   default action. Returns -1 with errno EBUSY if the handlers are already installed. */
int tui_install_signal_handlers(int tty_fd);
/* Puts back the dispositions found at install time and forgets the cached sequences. */
void tui_uninstall_signal_handlers(void);
/* 0, or the number of the last SIGINT/SIGTERM/SIGHUP received since the previous call (each
   request is reported once, so the app may ask for confirmation and still see a second one). */
int tui_quit_signal(void);
/* Call right after the screen is created: caches sgr0, cnorm and rmcup for the crash path. */
void tui_cache_restore_sequences(void);
/* Whether the crash path must also switch mouse reporting off. */
void tui_set_mouse_reporting(int on);

/* Screen on stdout reading keys from stdin; NULL when the terminal type is unknown. */
SCREEN *tui_open_stdin_input(void);
/* Screen on stdout reading keys from /dev/tty, for when stdin carries the feed. NULL with errno
   set when /dev/tty cannot be opened (errno 0: the terminal type is unknown). */
SCREEN *tui_open_tty_input(void);
/* Closes /dev/tty if tui_open_tty_input opened it; call after delscreen. */
void tui_close_tty_input(void);

/* Sends fd 2 to the log file (appending) so runtime crash messages are not lost on the
   alternate screen. Returns 0, or -1 with errno. */
int tui_redirect_stderr(const char *path);
/* Puts the original fd 2 back; no-op when not redirected. */
void tui_restore_stderr(void);
#endif
