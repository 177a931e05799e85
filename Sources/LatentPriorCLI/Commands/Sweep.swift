import ArgumentParser
import Foundation
import Runs

struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one command for every prompt of a file: one run folder per prompt, finished prompts skipped on a rerun, sweep.csv and a sweep.png contact sheet.",
        discussion: """
            latent-prior sweep --prompts prompts.txt --output runs/sweep --processes 2 -- text-to-3d --iterations 600

            Each prompt (one per line; '#' starts a comment) runs as `latent-prior COMMAND ARGS --prompt P --output \
            DIR/NNN-slug --resume`, up to --processes at a time, each with its share of the cores' BLAS threads. \
            An interrupted sweep continues where it stopped: finished prompts are skipped, an unfinished run resumes \
            from its checkpoint. Each run's output is in its folder's sweep.log.
            """)

    @Option(help: "A text file with one prompt per line.")
    var prompts: String

    @Option(help: "The folder for the runs, sweep.csv and sweep.png.")
    var output: String

    @Option(help: "Prompts run at the same time (processes on this machine).")
    var processes: Int = 1

    @Argument(parsing: .postTerminator, help: "The command and its options, after `--` (e.g. text-to-3d --iterations 600).")
    var command: [String] = []

    func validate() throws {
        guard (1...64).contains(processes) else { throw ValidationError("--processes must be in 1...64, got \(processes)") }
        guard let first = command.first else { throw ValidationError("give the command to run after `--`, e.g. -- text-to-3d") }
        guard Self.commands.contains(first) else {
            throw ValidationError("sweep runs \(Self.commands.joined(separator: ", ")); got '\(first)'")
        }
        for option in ["--prompt", "--output", "--resume"] where command.contains(option) {
            throw ValidationError("\(option) is set by sweep for each prompt; leave it out of the command")
        }
    }

    static let commands = ["text-to-3d", "optimize", "edit", "adapt-stylegan"]

    func run() throws {
        let plan = try SweepPlan(promptsFile: prompts, output: output)
        try FileManager.default.createDirectory(at: plan.output, withIntermediateDirectories: true)
        let pending = plan.entries.filter { !$0.isDone }
        print("sweep: \(plan.entries.count) prompts, \(plan.entries.count - pending.count) already done, \(pending.count) to run, \(processes) at a time")
        let runner = SweepRunner(arguments: command, processes: processes)
        let results = try runner.run(pending)
        let summary = try SweepSummary.write(plan, seconds: results.seconds)
        print("summary: \(summary.csv)" + (summary.sheet.map { ", \($0)" } ?? ""))
        if let stopped = results.stoppedBy {
            throw InputError("sweep stopped by \(stopped); run the same command again to continue")
        }
        if !results.failed.isEmpty {
            let names = results.failed.map { "'\($0.prompt)' (\($0.folder.lastPathComponent)/sweep.log)" }
            throw InputError("\(results.failed.count) of \(pending.count) prompts failed: \(names.prefix(5).joined(separator: ", "))")
        }
    }
}
