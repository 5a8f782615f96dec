#define _XOPEN_SOURCE 700
#include "CTermShim.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <term.h>
#include <unistd.h>

WINDOW *tui_stdscr(void) { return stdscr; }
int tui_colors(void) { return COLORS; }
int tui_color_pairs(void) { return COLOR_PAIRS; }
void tui_getmaxyx(WINDOW *w, int *rows, int *cols) {
    int y, x;
    getmaxyx(w, y, x);
    *rows = y;
    *cols = x;
}

attr_t tui_attr_bold(void) { return A_BOLD; }
attr_t tui_attr_reverse(void) { return A_REVERSE; }
attr_t tui_attr_underline(void) { return A_UNDERLINE; }
attr_t tui_attr_dim(void) { return A_DIM; }
mmask_t tui_mouse_press_mask(void) { return BUTTON1_PRESSED; }
mmask_t tui_mouse_wheel_up_mask(void) { return BUTTON4_PRESSED; }
mmask_t tui_mouse_wheel_down_mask(void) { return BUTTON5_PRESSED; }

/* --- Signals. Everything a handler touches is written before the handler can run, or is a
   sig_atomic_t; handlers call only async-signal-safe functions (tcsetattr, write, sigaction,
   raise). */

static const int quit_signals[] = {SIGINT, SIGTERM, SIGHUP};
static const int fatal_signals[] = {SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static volatile sig_atomic_t quit_signal = 0;
static volatile sig_atomic_t installed = 0;
static volatile sig_atomic_t mouse_reporting = 0;
static int saved_fd = -1;
/* Opened at install: a crash gives it to the crash reporter as standard input. */
static int null_input = -1;
static struct termios saved_termios;
static int have_saved_termios = 0;
static struct sigaction previous_quit[COUNT(quit_signals)];
static struct sigaction previous_fatal[COUNT(fatal_signals)];

/* Written to the terminal on a crash: sgr0 cnorm rmcup. Filled before the length is set. */
static char restore_seq[256];
static volatile sig_atomic_t restore_len = 0;
/* Every mouse mode ncurses or tmux may have switched on (X10/normal, button, any, SGR). */
static const char mouse_off[] = "\033[?1000l\033[?1002l\033[?1003l\033[?1006l";
/* "...the error is in <log>" when stderr is redirected, so the user knows where to look. */
static char crash_note[600];
static volatile sig_atomic_t crash_note_len = 0;

static void write_all(int fd, const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

static void on_quit(int sig) { quit_signal = sig; }

static void on_fatal(int sig, siginfo_t *info, void *context) {
    int saved_errno = errno;
    if (have_saved_termios) tcsetattr(saved_fd, TCSAFLUSH, &saved_termios);
    if (saved_fd >= 0) {
        if (mouse_reporting) write_all(saved_fd, mouse_off, sizeof mouse_off - 1);
        if (restore_len > 0) write_all(saved_fd, restore_seq, (size_t)restore_len);
        if (crash_note_len > 0) write_all(saved_fd, crash_note, (size_t)crash_note_len);
    }
    /* Swift's crash reporter writes to standard output and, on a terminal, waits 30 s for a key
       before it lets the process end. The moderator needs the shell back: the report goes where
       the crash note says (the log, when there is one), and it reads no keys. */
    if (crash_note_len > 0) dup2(STDERR_FILENO, STDOUT_FILENO);
    if (null_input >= 0) dup2(null_input, STDIN_FILENO);
    struct sigaction previous;
    memset(&previous, 0, sizeof previous);
    previous.sa_handler = SIG_DFL;
    for (size_t i = 0; i < COUNT(fatal_signals); i++) {
        if (fatal_signals[i] == sig) previous = previous_fatal[i];
    }
    sigaction(sig, &previous, NULL);
    errno = saved_errno;
    /* A fault (si_code > 0) recurs when the instruction is re-executed, now under the previous
       handler (the Swift backtracer) with its real context. */
    if (info != NULL && info->si_code > 0) return;
    /* Sent by kill/raise/abort: let the previous handler report it, but make sure the process
       ends, since the screen is gone (the backtracer returns from a signal sent by kill). */
    if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction != NULL) {
        previous.sa_sigaction(sig, info, context);
    } else if (!(previous.sa_flags & SA_SIGINFO) && previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
        previous.sa_handler(sig);
    }
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(sig, &fallback, NULL);
    raise(sig);
}

int tui_install_signal_handlers(int tty_fd) {
    if (installed) {
        errno = EBUSY;
        return -1;
    }
    quit_signal = 0;
    saved_fd = tty_fd;
    if (null_input < 0) null_input = open("/dev/null", O_RDONLY | O_CLOEXEC);
    have_saved_termios = tcgetattr(tty_fd, &saved_termios) == 0;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_quit;
    for (size_t i = 0; i < COUNT(quit_signals); i++) sigaction(quit_signals[i], &sa, &previous_quit[i]);

    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = on_fatal;
    sa.sa_flags = SA_SIGINFO;
    for (size_t i = 0; i < COUNT(fatal_signals); i++) sigaction(fatal_signals[i], &sa, &previous_fatal[i]);
    installed = 1;
    return 0;
}

void tui_uninstall_signal_handlers(void) {
    if (!installed) return;
    restore_len = 0;
    mouse_reporting = 0;
    for (size_t i = 0; i < COUNT(fatal_signals); i++) sigaction(fatal_signals[i], &previous_fatal[i], NULL);
    for (size_t i = 0; i < COUNT(quit_signals); i++) sigaction(quit_signals[i], &previous_quit[i], NULL);
    installed = 0;
}

int tui_quit_signal(void) {
    /* An exchange, so a signal arriving between the read and the reset is not lost. */
    return __atomic_exchange_n(&quit_signal, 0, __ATOMIC_SEQ_CST);
}

static size_t append_cap(size_t len, const char *name) {
    char *s = tigetstr(name);
    if (s == NULL || s == (char *)-1) return len;
    size_t n = strlen(s);
    if (len + n >= sizeof restore_seq) return len;
    memcpy(restore_seq + len, s, n);
    return len + n;
}

void tui_cache_restore_sequences(void) {
    restore_len = 0;
    size_t len = 0;
    len = append_cap(len, "sgr0");
    len = append_cap(len, "cnorm");
    len = append_cap(len, "rmcup");
    restore_len = (sig_atomic_t)len;
}

void tui_set_mouse_reporting(int on) { mouse_reporting = on != 0; }

/* --- Screens. */

static FILE *tty_input = NULL;

SCREEN *tui_open_stdin_input(void) {
    errno = 0;
    return newterm(NULL, stdout, stdin);
}

SCREEN *tui_open_tty_input(void) {
    tty_input = fopen("/dev/tty", "r");
    if (tty_input == NULL) return NULL;
    errno = 0;
    SCREEN *screen = newterm(NULL, stdout, tty_input);
    if (screen == NULL) {
        fclose(tty_input);
        tty_input = NULL;
        errno = 0;
    }
    return screen;
}

void tui_close_tty_input(void) {
    if (tty_input == NULL) return;
    fclose(tty_input);
    tty_input = NULL;
}

/* --- stderr. */

static int saved_stderr = -1;

int tui_redirect_stderr(const char *path) {
    if (saved_stderr >= 0) {
        errno = EBUSY;
        return -1;
    }
    int log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log < 0) return -1;
    int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved < 0 || dup2(log, STDERR_FILENO) < 0) {
        int e = errno;
        if (saved >= 0) close(saved);
        close(log);
        errno = e;
        return -1;
    }
    close(log);
    saved_stderr = saved;
    crash_note_len = 0;
    int n = snprintf(crash_note, sizeof crash_note, "\r\nThe terminal was restored after a crash; the error is in %s\r\n", path);
    if (n > 0 && (size_t)n < sizeof crash_note) crash_note_len = n;
    return 0;
}

void tui_restore_stderr(void) {
    if (saved_stderr < 0) return;
    crash_note_len = 0;
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
}
