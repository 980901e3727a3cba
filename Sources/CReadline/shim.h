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

#include <signal.h>
#include <sys/select.h>

// Reading a line with readline's callback interface, so that Ctrl-C can clear the line:
// SIGINT only sets a flag (readline's own signal handling is off), `select` returns, and the
// loop drops the line and starts a fresh prompt, as Python's REPL does.
static volatile sig_atomic_t watt_rl_sigint = 0;
// SIGTERM (and SIGHUP, the terminal gone) ask the REPL to leave: the line loop and a long
// `:tick` both poll it, so the terminal is restored and the history saved before exiting.
static volatile sig_atomic_t watt_rl_sigterm = 0;
static char *watt_rl_line = NULL;
static int watt_rl_done = 0;

static void watt_rl_on_sigint(int sig) { (void)sig; watt_rl_sigint = 1; }
static void watt_rl_on_sigterm(int sig) { watt_rl_sigterm = sig; }

/// Whether Ctrl-C was pressed since the last call (a long `:tick` polls it); clears it.
static inline int watt_rl_take_sigint(void) {
    int was = watt_rl_sigint;
    watt_rl_sigint = 0;
    return was;
}

/// The signal that asked the REPL to leave (SIGTERM, SIGHUP), or 0.
static inline int watt_rl_stop_signal(void) { return watt_rl_sigterm; }

static void watt_rl_line_handler(char *line) {
    watt_rl_line = line;
    watt_rl_done = 1;
    rl_callback_handler_remove();
}

static inline void watt_rl_install_sigint(void) {
    rl_catch_signals = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = watt_rl_on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = watt_rl_on_sigterm;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    // A parent may have started us with these blocked (a spawned process inherits the mask).
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/// One line (malloc'd; NULL at end of input, or when SIGTERM/SIGHUP asked to leave: see
/// `watt_rl_stop_signal`). `*interrupted` is 1 when Ctrl-C dropped the line (the result is
/// then an empty string).
static inline char *watt_rl_read_line(const char *prompt, int *interrupted) {
    *interrupted = 0;
    watt_rl_done = 0;
    watt_rl_line = NULL;
    rl_callback_handler_install(prompt, watt_rl_line_handler);
    int fd = fileno(rl_instream ? rl_instream : stdin);
    while (!watt_rl_done) {
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(fd, &fds);
        int ready = select(fd + 1, &fds, NULL, NULL, NULL);
        if (watt_rl_sigterm) {
            rl_callback_handler_remove();  // restores the terminal
            return NULL;
        }
        if (watt_rl_sigint) {
            watt_rl_sigint = 0;
            // Show the dropped line with ^C after it, then a fresh prompt.
            rl_point = rl_end;
            rl_redisplay();
            rl_replace_line("", 0);
            rl_callback_handler_remove();
            fputs("^C\n", rl_outstream ? rl_outstream : stdout);
            fflush(rl_outstream ? rl_outstream : stdout);
            *interrupted = 1;
            return strdup("");
        }
        if (ready > 0) rl_callback_read_char();
    }
    return watt_rl_line;
}
