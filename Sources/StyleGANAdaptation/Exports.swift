// An application's API speaks in the run layer's types (RunFolder, RunError, StepContext):
// importing the application brings them along.
@_exported import Runs
