import Foundation
import MLXCore

/// Prepares the input of training step n + 1 on a background thread while step n trains.
///
/// Why: MLX evaluates a CPU stream's operations one at a time on one thread, and OpenBLAS barely
/// parallelises the toy model's small matrix products, so one of the two cores mostly idles. A
/// step's input (rendering the batch, the frozen VAE encoder, the noise) does not depend on the
/// weights being trained, so it can be computed one step ahead on the other core. MLX gives every
/// thread its own default stream, so the background thread's arrays are evaluated by their own
/// worker; the values are the same as if prepared in line (same operations on the same inputs).
final class LookaheadPreparer<Value> {
    private let prepare: (Int) throws -> Value
    private let evaluate: (Value) throws -> Void
    private let worker: LookaheadWorker

    /// `prepare(step)` builds step's input; `evaluate` forces its lazy arrays (on the worker thread).
    init(prepare: @escaping (Int) throws -> Value, evaluate: @escaping (Value) throws -> Void) {
        self.prepare = prepare
        self.evaluate = evaluate
        worker = LookaheadWorker()
        // Two threads evaluate MLX work from now on: OpenBLAS's thread count must stay put.
        MLXRuntime.beginConcurrentStreams()
    }

    deinit {
        worker.stop()
        MLXRuntime.endConcurrentStreams()
    }

    /// The input of `step`, taken from the look-ahead when it was prepared there; starts preparing
    /// `nextStep` (nil: nothing more to prepare) before returning.
    func input(for step: Int, then nextStep: Int?) throws -> Value {
        let value: Value
        if let ready = try worker.take(step: step) {
            value = ready as! Value  // the worker only holds what `prepare` returned
        } else {
            value = try prepare(step)
        }
        if let nextStep {
            let prepare = self.prepare, evaluate = self.evaluate
            worker.start(step: nextStep) {
                let next = try prepare(nextStep)
                try evaluate(next)
                return next
            }
        }
        return value
    }
}

/// One long-lived thread (MLX binds a default stream to each thread, so a thread pool would
/// create a stream per pool thread) that runs one job at a time.
private final class LookaheadWorker: @unchecked Sendable {
    private let condition = NSCondition()
    private var job: (() throws -> Any)?
    private var jobStep: Int?
    private var result: Result<Any, Error>?
    private var thread: Thread?
    private var stopping = false

    init() {}

    /// Lets the thread finish its job (whose result is dropped) and end.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    func start(step: Int, _ work: @escaping () throws -> Any) {
        condition.lock()
        defer { condition.unlock() }
        while job != nil { condition.wait() }  // the previous job must have finished
        job = work
        jobStep = step
        result = nil
        if thread == nil {
            let thread = Thread { self.run() }  // the thread keeps the worker alive until it ends
            thread.stackSize = 8 << 20
            thread.start()
            self.thread = thread
        }
        condition.broadcast()
    }

    /// Waits for the job prepared for `step`; nil when none was started for it.
    func take(step: Int) throws -> Any? {
        condition.lock()
        defer { condition.unlock() }
        guard jobStep == step else { return nil }
        while result == nil { condition.wait() }
        let finished = result!
        result = nil
        jobStep = nil
        return try finished.get()
    }

    private func run() {
        condition.lock()
        while !stopping || job != nil {
            guard let work = job else {
                condition.wait()
                continue
            }
            condition.unlock()
            let outcome = Result { try work() }
            condition.lock()
            result = outcome
            job = nil
            condition.broadcast()
        }
        condition.unlock()
    }
}
