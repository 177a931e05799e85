// swift-tools-version:5.9
import Foundation
import PackageDescription

// MLX comes from the PyPI wheel that `make setup` unpacks into .deps/mlx (headers + libmlx.so).
// Absolute paths: SwiftPM passes unsafe flags to the compiler verbatim.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
let mlxInclude = "\(root)/.deps/mlx/include"
let mlxLib = "\(root)/.deps/mlx/lib"

let package = Package(
    name: "LatentPrior",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "latent-prior", targets: ["LatentPriorCLI"]),
        .executable(name: "latent-prior-fuzz", targets: ["LatentPriorFuzz"]),
        .library(name: "MLXCore", targets: ["MLXCore"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Diffusion", targets: ["Diffusion"]),
        .library(name: "Prior", targets: ["Prior"]),
        .library(name: "Runs", targets: ["Runs"]),
        .library(name: "StyleGAN", targets: ["StyleGAN"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C API over libmlx: every entry point catches C++ exceptions and returns a status.
        .target(
            name: "CMLX",
            cxxSettings: [
                .unsafeFlags(["-I\(mlxInclude)", "-std=c++20", "-O2", "-fexceptions"]),
            ],
            linkerSettings: [
                .unsafeFlags(["-L\(mlxLib)", "-lmlx", "-Xlinker", "-rpath", "-Xlinker", mlxLib]),
                .linkedLibrary("dl"),
            ]
        ),
        // Swift arrays, ops, transforms and safetensors IO over CMLX; the only target that imports it.
        .target(name: "MLXCore", dependencies: ["CMLX"]),
        // Modules with parameter trees, layers, optimisers, weight loading with a rename table.
        .target(name: "NN", dependencies: ["MLXCore"]),
        // Stable Diffusion parts: tokenizer, text encoder, UNet, VAE, schedulers, model-folder loading.
        .target(name: "Diffusion", dependencies: ["NN", "Formats"]),
        // libzip (Debian's libzip-dev), for torch.save's zip format.
        .systemLibrary(name: "CZip", path: "Sources/CZip"),
        // Files from elsewhere that are not pictures: torch.save checkpoints through a restricted
        // pickle reader that executes nothing.
        .target(name: "Formats", dependencies: ["MLXCore", "CZip"]),
        // StyleGAN2 (rosinality's layout): generator and discriminator; knows nothing of diffusion.
        .target(name: "StyleGAN", dependencies: ["NN"]),
        // The latent diffusion prior (SPEC §2): LSD + feature matching + KL.
        .target(name: "Prior", dependencies: ["Diffusion"]),
        // What every application run needs: run folder, config.json, losses.csv, checkpoint + resume,
        // the NaN guard, progress records, per-step randomness, cameras and view prompts.
        .target(name: "Runs", dependencies: ["Prior", "ImageIO", "CProcess"]),
        // SIGINT/SIGTERM recorded by a C handler, so a run stops at a step boundary with a checkpoint.
        .target(name: "CProcess"),
        // Applications: each = configuration + the thing optimised + the prior, over Runs; none imports another.
        // Optimise a latent or an RGB image with the prior (`latent-prior optimize`).
        .target(name: "LatentOptimization", dependencies: ["Runs"]),
        // The toy world: procedural scenes and the tiny default model trained on them.
        .target(name: "ToyWorld", dependencies: ["Runs", "StyleGAN"]),
        // Text-to-3D: a latent radiance field optimised with the prior (Latent-NeRF, SJC).
        .target(name: "TextTo3D", dependencies: ["Runs", "Geometry"]),
        // StyleGAN2 domain adaptation with the prior (StyleGAN-NADA's setting, StyleGANFusion's loss).
        .target(name: "StyleGANAdaptation", dependencies: ["Runs", "StyleGAN", "Formats"]),
        // Layered image editing: Text2LIVE's editing network, compositing, losses, internal dataset and loop.
        .target(name: "LayeredEditing", dependencies: ["Runs"]),
        // zlib, for PNG (Debian's zlib1g-dev; part of the SDK on macOS).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // libjpeg-turbo and libpng (Debian's libjpeg62-turbo-dev, libpng-dev) behind calls that return a
        // status: their error handlers longjmp, which must never cross a Swift frame.
        .target(name: "CImageCodecs", linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png")]),
        // Pictures in and out: PNG, JPEG, RGBA layers, grids, animated GIF.
        .target(name: "ImageIO", dependencies: ["MLXCore", "CZlib", "CImageCodecs"]),
        // Meshes: iso-surface extraction from a sampled field, simplification, OBJ/PLY/GLB export with vertex colours.
        .target(name: "Geometry", dependencies: ["ImageIO"]),
        // Coverage-guided fuzzing harnesses (scripts/fuzz.sh builds them with libFuzzer); without the
        // FUZZING flag, a tool that replays the committed corpus (Tests/FuzzCorpus) in CI.
        .executableTarget(name: "LatentPriorFuzz", dependencies: ["MLXCore", "ImageIO", "Diffusion", "Formats"]),
        // Speed measurements printed by `latent-prior bench`.
        .target(name: "Benchmarks", dependencies: ["MLXCore", "Diffusion", "Prior"]),
        .executableTarget(
            name: "LatentPriorCLI",
            dependencies: [
                "MLXCore",
                "Diffusion",
                "ImageIO",
                "Prior",
                "Runs",
                "LatentOptimization",
                "ToyWorld",
                "TextTo3D",
                "LayeredEditing",
                "StyleGANAdaptation",
                "Formats",
                "Benchmarks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "MLXCoreTests", dependencies: ["MLXCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "NNTests", dependencies: ["NN"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ImageIOTests", dependencies: ["ImageIO"]),
        .testTarget(name: "PriorTests", dependencies: ["Prior"]),
        .testTarget(name: "RunsTests", dependencies: ["Runs"]),
        .testTarget(name: "FormatsTests", dependencies: ["Formats"], resources: [.copy("Fixtures")]),
        .testTarget(name: "StyleGANTests", dependencies: ["StyleGAN"], resources: [.copy("Fixtures")]),
        .testTarget(name: "GeometryTests", dependencies: ["Geometry"]),
        .testTarget(name: "LatentOptimizationTests", dependencies: ["LatentOptimization"]),
        .testTarget(name: "ToyWorldTests", dependencies: ["ToyWorld"]),
        .testTarget(name: "TextTo3DTests", dependencies: ["TextTo3D"]),
        .testTarget(name: "StyleGANAdaptationTests", dependencies: ["StyleGANAdaptation"]),
        .testTarget(name: "LayeredEditingTests", dependencies: ["LayeredEditing"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DiffusionTests", dependencies: ["Diffusion"], resources: [.copy("Fixtures")]),
        // Runs the built `latent-prior` executable as a user would.
        .testTarget(name: "CLITests", dependencies: ["LatentPriorCLI", "LatentPriorFuzz", "LatentOptimization"]),
    ],
    cxxLanguageStandard: .cxx20
)
