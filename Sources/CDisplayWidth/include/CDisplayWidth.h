#ifndef CDISPLAYWIDTH_H
#define CDISPLAYWIDTH_H
/* Columns glibc's wcwidth gives a Unicode scalar under a UTF-8 locale (-1: not printable),
   whatever the process locale is. ncurses positions the cursor with the same function, so a
   layout computed with it agrees with what is drawn. Thread-safe. */
int vigil_wcwidth(unsigned int scalar);
#endif
