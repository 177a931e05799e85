import ArgumentParser
import Benchmarks
import Diffusion

struct BenchPrior: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prior",
        abstract: "Time one step of the latent diffusion prior (B = 1) and feature matching per layer choice.",
        discussion: """
        Variants: lsd (guided UNet call), lsd+fm (+ FM through the truncated decoder + KL), lsd+fm-full \
        (FM features read from a full decode), fm:LAYER[,LAYER…] (feature matching alone). \
        scripts/bench_prior.py runs this beside a PyTorch step on the same weights and prints the ratios.
        """)

    @OptionGroup var modelOption: ModelOption

    @Option(help: "Timed repetitions per variant (after one warm-up).")
    var repeats = 2

    @Option(help: "Latent height and width (default: the UNet's sample size).")
    var latentSize: Int?

    @Option(parsing: .upToNextOption, help: "Variants to time.")
    var variants = PriorBenchmark.standardVariants

    @OptionGroup var deviceOption: DeviceOption

    func run() throws {
        try deviceOption.apply()
        guard repeats > 0, (latentSize ?? 1) > 0 else { throw ValidationError("--repeats and --latent-size must be positive") }
        let pipeline = try StableDiffusion.load(try modelOption.open())
        var benchmark = PriorBenchmark(pipeline: pipeline)
        benchmark.repeats = repeats
        benchmark.latentSize = latentSize ?? pipeline.unet.configuration.sampleSize
        benchmark.variants = variants
        print("variant                                median_s  min_s     peak_MiB")
        try benchmark.run { print($0.formatted(nameWidth: 38)) }
    }
}
