import TestCacheStore

/// Every option that changes what `swift build` makes, with SwiftPM's name, its help in SwiftPM's
/// wording, the arguments it passes to the build and the fields it adds to every key: the one list from
/// which the help screen, the build command, the keys and `explain` are derived.
///
/// The cases' order is the order their fields enter a key: changing it changes every key.
public enum BuildOption: String, CaseIterable, Sendable {
    case configuration = "--configuration"
    case swiftcFlags = "-Xswiftc"
    case ccFlags = "-Xcc"
    case linkerFlags = "-Xlinker"
    case scratchPath = "--scratch-path"
    case cxxFlags = "-Xcxx"
    case triple = "--triple"
    case sdk = "--sdk"
    case toolchain = "--toolchain"
    case swiftSDK = "--swift-sdk"
    case sanitize = "--sanitize"
    case traits = "--traits"
    case enableAllTraits = "--enable-all-traits"
    case disableDefaultTraits = "--disable-default-traits"
    case testableImports = "--enable-testable-imports"
    case codeCoverage = "--enable-code-coverage"
    case buildSystem = "--build-system"

    /// The help line, SwiftPM's where the meaning is the same.
    public var help: String {
        switch self {
        case .configuration: "Build with configuration"
        case .swiftcFlags: "Pass flag through to all Swift compiler invocations."
        case .ccFlags: "Pass flag through to all C compiler invocations."
        case .linkerFlags: "Pass flag through to all linker invocations."
        case .scratchPath: "Specify a custom scratch directory path. (default .build)"
        case .cxxFlags: "Pass flag through to all C++ compiler invocations."
        case .triple: "The target triple to build for."
        case .sdk: "The SDK to build with."
        case .toolchain: "The toolchain to build with."
        case .swiftSDK: "Filter for selecting a specific Swift SDK to build with."
        case .sanitize: "Turn on runtime checks for erroneous behavior. (values: address, thread, undefined, scudo, fuzzer)"
        case .traits:
            "Enables the passed traits of the package. Multiple traits can be specified by providing a comma separated "
                + "list e.g. `--traits Trait1,Trait2`. When enabling specific traits the defaults traits need to explictily "
                + "enabled as well by passing `defaults` to this command."
        case .enableAllTraits: "Enables all traits of the package."
        case .disableDefaultTraits: "Disables all default traits of the package."
        case .testableImports: "Enable or disable testable imports. Enabled by default."
        case .codeCoverage:
            "Enable code coverage. Each target's line ends with the share of lines of the package's non-test targets it "
                + "depends on that its tests ran."
        // The values are listed by the argument parser, from ``BuildSystem``.
        case .buildSystem: "Specify the build system to use. (default: the toolchain's, as in SwiftPM)"
        }
    }

    /// The sanitizers SwiftPM knows.
    public static let sanitizers = ["address", "thread", "undefined", "scudo", "fuzzer"]

    /// The variables the sanitizers' runtimes take their options from (and where ASan finds its
    /// symbolizer, which changes the reports).
    static let sanitizerVariables = [
        "ASAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS", "SCUDO_OPTIONS", "ASAN_SYMBOLIZER_PATH",
    ]

    /// What the option passes to `swift build` (and to `swift package`, for the ones that change how the
    /// package is read).
    func arguments(_ options: BuildOptions) -> [String] {
        switch self {
        case .configuration: ["--configuration", options.configuration]
        case .swiftcFlags: options.swiftcFlags.flatMap { ["-Xswiftc", $0] }
        case .ccFlags: options.ccFlags.flatMap { ["-Xcc", $0] }
        case .linkerFlags: options.linkerFlags.flatMap { ["-Xlinker", $0] }
        case .scratchPath: options.scratchPath.map { ["--scratch-path", $0] } ?? []
        case .cxxFlags: options.cxxFlags.flatMap { ["-Xcxx", $0] }
        case .triple: options.triple.map { ["--triple", $0] } ?? []
        case .sdk: options.sdk.map { ["--sdk", $0] } ?? []
        case .toolchain: options.toolchain.map { ["--toolchain", $0] } ?? []
        case .swiftSDK: options.swiftSDK.map { ["--swift-sdk", $0] } ?? []
        case .sanitize: options.sanitizers.flatMap { ["--sanitize", $0] }
        case .traits: options.traits.isEmpty ? [] : ["--traits", options.traits.joined(separator: ",")]
        case .enableAllTraits: options.enableAllTraits ? ["--enable-all-traits"] : []
        case .disableDefaultTraits: options.disableDefaultTraits ? ["--disable-default-traits"] : []
        case .testableImports: options.testableImports.map { [$0 ? "--enable-testable-imports" : "--disable-testable-imports"] } ?? []
        case .codeCoverage: options.codeCoverage ? ["--enable-code-coverage"] : []
        case .buildSystem: options.buildSystem.map { ["--build-system", $0.rawValue] } ?? []
        }
    }

    /// The values the option adds to every key, one field each. The scratch path is keyed relative to
    /// the package root, so that another checkout with the same layout shares results.
    func keyValues(_ options: BuildOptions, root: String) -> [String] {
        switch self {
        case .configuration: [options.configuration]
        case .swiftcFlags: options.swiftcFlags
        case .ccFlags: options.ccFlags
        case .linkerFlags: options.linkerFlags
        case .scratchPath: [options.scratchPath.map { relativePath($0, from: root) } ?? ""]
        case .cxxFlags: options.cxxFlags
        case .triple: options.triple.map { [$0] } ?? []
        case .sdk: options.sdk.map { [$0] } ?? []
        case .toolchain: options.toolchain.map { [$0] } ?? []
        case .swiftSDK: options.swiftSDK.map { [$0] } ?? []
        case .sanitize: options.sanitizers.sorted()
        case .traits: options.traits.sorted()
        case .enableAllTraits: options.enableAllTraits ? ["true"] : []
        case .disableDefaultTraits: options.disableDefaultTraits ? ["true"] : []
        case .testableImports: options.testableImports.map { [String($0)] } ?? []
        case .codeCoverage: options.codeCoverage ? ["true"] : []
        // Keyed as the run resolved it (the toolchain's default when not given), so that naming the
        // default changes no key.
        case .buildSystem: options.buildSystem.map { [$0.rawValue] } ?? []
        }
    }

    /// Whether the option changes which targets and dependencies the package has, so that `swift package
    /// describe` and `resolve` must be given it too.
    var shapesThePackage: Bool {
        switch self {
        case .traits, .enableAllTraits, .disableDefaultTraits, .scratchPath: true
        default: false
        }
    }

    /// Adds every option's values to a key, in the cases' order.
    static func addAll(_ options: BuildOptions, root: String, to key: inout FieldHasher) {
        for option in allCases {
            for value in option.keyValues(options, root: root) { key.update(KeyField(kind: .buildOption, subject: option.rawValue), value) }
        }
    }
}
