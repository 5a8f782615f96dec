#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H
/* SwiftPM drops the -D flags of `pkg-config --cflags ncursesw`; without NCURSES_WIDECHAR the
   wide-character API (wget_wch, cchar_t, setcchar) silently disappears. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <wchar.h>
#include <ncursesw/curses.h>
#endif
