#include "process_signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t requested = 0;
static volatile sig_atomic_t installed = 0;

static void on_stop_signal(int signal_number) {
  if (requested != 0) {
    // Second signal: the user does not want to wait for the step to finish.
    struct sigaction fallback;
    memset(&fallback, 0, sizeof fallback);
    fallback.sa_handler = SIG_DFL;
    sigaction(signal_number, &fallback, 0);
    raise(signal_number);
    return;
  }
  requested = signal_number;
}

void lp_stop_requests_install(void) {
  if (installed) return;
  installed = 1;
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  // SA_RESTART: a read or write interrupted by the signal carries on instead of failing with EINTR.
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, 0);
  sigaction(SIGTERM, &action, 0);
}

int lp_stop_requested(void) { return requested; }

void lp_stop_request_clear(void) { requested = 0; }
