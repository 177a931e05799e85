#include "process_signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t requested = 0;
static volatile sig_atomic_t installed = 0;
static struct sigaction previous_interrupt, previous_terminate;

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
  sigaction(SIGINT, &action, &previous_interrupt);
  sigaction(SIGTERM, &action, &previous_terminate);
}

void lp_stop_requests_uninstall(void) {
  if (!installed) return;
  sigaction(SIGINT, &previous_interrupt, 0);
  sigaction(SIGTERM, &previous_terminate, 0);
  installed = 0;
  requested = 0;
}

int lp_stop_requested(void) { return requested; }

void lp_stop_request_clear(void) { requested = 0; }
