import ArgumentParser
import Foundation
import TestCacheCore
import TestCacheRemote
import TestCacheReports
import TestCacheStore

/// Options that change what is built, with SwiftPM's names and help; every one is part of every cache key.
struct BuildOptionsGroup: ParsableArguments {
    @Option(name: [.short, .long], help: ArgumentHelp(BuildOption.configuration.help))
    var configuration: BuildConfiguration = .debug

    @Option(name: .customLong("Xcc", withSingleDash: true), parsing: .unconditionalSingleValue, help: ArgumentHelp(BuildOption.ccFlags.help))
    var ccFlags: [String] = []

    @Option(name: .customLong("Xswiftc", withSingleDash: true), parsing: .unconditionalSingleValue, help: ArgumentHelp(BuildOption.swiftcFlags.help))
    var swiftcFlags: [String] = []

    @Option(name: .customLong("Xlinker", withSingleDash: true), parsing: .unconditionalSingleValue, help: ArgumentHelp(BuildOption.linkerFlags.help))
    var linkerFlags: [String] = []

    @Option(name: .customLong("Xcxx", withSingleDash: true), parsing: .unconditionalSingleValue, help: ArgumentHelp(BuildOption.cxxFlags.help))
    var cxxFlags: [String] = []

    @Option(help: ArgumentHelp(BuildOption.triple.help))
    var triple: String?

    @Option(help: ArgumentHelp(BuildOption.sdk.help))
    var sdk: String?

    @Option(help: ArgumentHelp(BuildOption.toolchain.help))
    var toolchain: String?

    @Option(name: .customLong("swift-sdk"), help: ArgumentHelp(BuildOption.swiftSDK.help))
    var swiftSDK: String?

    @Option(help: ArgumentHelp(BuildOption.sanitize.help))
    var sanitize: [String] = []

    @Option(help: ArgumentHelp(BuildOption.buildSystem.help))
    var buildSystem: BuildSystemArgument?

    func validate() throws {
        for value in sanitize where !BuildOption.sanitizers.contains(value) {
            throw ValidationError("--sanitize takes \(BuildOption.sanitizers.joined(separator: ", ")), not '\(value)'")
        }
    }

    func options(
        workingDirectory: String, locations: LocationOptionsGroup, traits: TraitOptionsGroup, test: TestOptionsGroup
    ) -> BuildOptions {
        var options = BuildOptions()
        options.configuration = configuration.rawValue
        options.swiftcFlags = swiftcFlags
        options.ccFlags = ccFlags
        options.linkerFlags = linkerFlags
        options.cxxFlags = cxxFlags
        options.triple = triple
        options.sdk = sdk.map { absolute($0, from: workingDirectory) }
        options.toolchain = toolchain.map { absolute($0, from: workingDirectory) }
        options.swiftSDK = swiftSDK
        options.sanitizers = sanitize
        options.buildSystem = buildSystem?.system
        options.testableImports = test.testableImports
        options.codeCoverage = test.codeCoverage
        options.scratchPath = locations.scratchPath.map { absolute($0, from: workingDirectory) }
        options.traits = traits.traits.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? []
        options.enableAllTraits = traits.enableAllTraits
        options.disableDefaultTraits = traits.disableDefaultTraits
        return options
    }
}

/// The package traits to build with, as SwiftPM takes them; part of every key.
struct TraitOptionsGroup: ParsableArguments {
    @Option(help: ArgumentHelp(BuildOption.traits.help))
    var traits: String?

    @Flag(help: ArgumentHelp(BuildOption.enableAllTraits.help))
    var enableAllTraits = false

    @Flag(help: ArgumentHelp(BuildOption.disableDefaultTraits.help))
    var disableDefaultTraits = false
}

/// A `--build-system` value: one of ``BuildSystem``'s.
struct BuildSystemArgument: ExpressibleByArgument {
    let system: BuildSystem

    init?(argument: String) {
        guard let system = BuildSystem(rawValue: argument) else { return nil }
        self.system = system
    }

    static var allValueStrings: [String] { BuildSystem.allCases.map(\.rawValue) }
}

enum BuildConfiguration: String, ExpressibleByArgument, CaseIterable {
    case debug, release
}
