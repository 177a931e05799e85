// SIGINT/SIGTERM as a request to stop at the next step boundary, not as death mid-step.
//
// In C because a signal handler may only touch a `volatile sig_atomic_t` and call
// async-signal-safe functions; Swift globals are initialised lazily through locks, which a handler
// must never enter.
#ifndef LATENT_PRIOR_PROCESS_SIGNALS_H
#define LATENT_PRIOR_PROCESS_SIGNALS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Installs the handlers for SIGINT and SIGTERM (idempotent). The first signal is recorded; a
/// second one restores the default action and re-raises itself, so the process stops at once.
void lp_stop_requests_install(void);

/// Restores the actions SIGINT and SIGTERM had before `lp_stop_requests_install` (after a run's
/// loop: a Ctrl-C while outputs are written stops the process as usual) and forgets any request.
void lp_stop_requests_uninstall(void);

/// The signal that asked the process to stop (SIGINT or SIGTERM), or 0.
int lp_stop_requested(void);

/// Forgets a recorded request (tests; a run that has acted on one).
void lp_stop_request_clear(void);

#ifdef __cplusplus
}
#endif

#endif
