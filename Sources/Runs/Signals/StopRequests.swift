import CProcess
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C (SIGINT) and SIGTERM during a run: the step in progress finishes, a checkpoint is
/// written and the run ends with "resume with --resume"; a second signal stops the process at once.
public enum StopRequests {
    /// Starts listening (idempotent); every run calls this when its loop starts.
    public static func listen() { lp_stop_requests_install() }

    /// Stops listening (a run's loop has ended): SIGINT/SIGTERM act as before `listen()` again.
    public static func stopListening() { lp_stop_requests_uninstall() }

    /// The signal's name if one asked to stop ("SIGINT", "SIGTERM"), else nil.
    public static var pending: String? {
        switch lp_stop_requested() {
        case 0: return nil
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case let other: return "signal \(other)"
        }
    }

    /// Forgets a request the run has acted on (so one process can run again, as tests do).
    public static func clear() { lp_stop_request_clear() }
}
