// GNU readline and its history library, for `watt repl` (libreadline-dev on Debian).
// Swift 6 refuses to touch C global variables (shared mutable state), so the few that the
// REPL sets or reads go through these functions.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <readline/readline.h>
#include <readline/history.h>

static inline void watt_rl_setup(rl_compentry_func_t *complete) {
    rl_readline_name = "watt";
    // `.` and `"` end words, so `site.po<Tab>` completes `po` and `"eff<Tab>` completes `eff`.
    rl_completer_word_break_characters = strdup(" \t\n\"'`@$><=;|&{(.,+-*/[]");
    rl_completion_entry_function = complete;
}

/// The line typed so far up to the cursor (a copy to free).
static inline char *watt_rl_line_before_cursor(void) {
    if (!rl_line_buffer) return strdup("");
    return strndup(rl_line_buffer, (size_t)rl_point);
}
