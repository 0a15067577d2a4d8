public import ArgumentParser
import Foundation
import TestCacheStore

/// The root command: `swift-testcache <subcommand>`.
public struct SwiftTestCache: AsyncParsableCommand {
    /// The tool's version: shown by `--version` and salted into every key, so a new release never
    /// reuses results a different version stored.
    public static let version = "0.1.0-dev"

    public static let configuration = CommandConfiguration(
        commandName: "swift-testcache",
        abstract: "Run a SwiftPM package's tests per target and cache every passing result.",
        version: version,
        subcommands: [Test.self, Watch.self, Explain.self, Flaky.self, Cache.self, Clean.self],
        defaultSubcommand: Test.self
    )

    public init() {}

    /// Parses the command line and runs the command, exiting with 2 on bad usage as `go test` does
    /// (ArgumentParser's own code for that is 64).
    public static func main() async {
        do {
            var command = try parseAsRoot(carryingBinaryArguments(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            printError("\(message(for: error)) (see 'swift-testcache help')")
            exit(withError: ExitCode(2))
        }
    }
}

/// The command line with every argument after the first `--` rewritten as `--binary-argument=VALUE`,
/// so that test-binary arguments (dash-prefixed or not) reach ``SwiftTestCache/Test`` intact.
func carryingBinaryArguments(_ arguments: [String]) -> [String] {
    guard let separator = arguments.firstIndex(of: "--") else { return arguments }
    let option = "--" + SwiftTestCache.Test.binaryArgumentOption + "="
    return Array(arguments[..<separator]) + arguments[(separator + 1)...].map { option + $0 }
}

/// The environment and output streams a command works with, chosen once at the top.
struct CommandContext {
    var environment: [String: String]

    static var current: CommandContext {
        CommandContext(environment: ProcessInfo.processInfo.environment)
    }

    /// Opens the store the environment names, or prints why it cannot and exits with status 2.
    func openStore() throws -> ResultStore {
        do {
            let directory = try StoreLocation.directory(environment: environment)
            let maxSize = try StoreLocation.maxSize(environment: environment)
            return ResultStore(
                directory: directory,
                configuration: StoreConfiguration(maxSize: maxSize, warn: { printWarning($0) })
            )
        } catch {
            throw failing(error)
        }
    }
}

/// What an error means for the exit status, decided here alone: bad input (an option, a package, a
/// settings file, a toolchain or a store location that cannot be used) is 2, as `go test` exits on bad
/// usage; a store that could not be changed as asked is 1.
func exitStatus(for error: TestCacheError) -> Int32 {
    switch error.code {
    case .usage, .package, .settings, .toolchain, .build, .store, .remoteCache: 2
    case .storeWrite: 1
    }
}

/// Prints the error's message and gives the exit that ends the command with its status.
func failing(_ error: TestCacheError) -> ExitCode {
    printError(error.message)
    return ExitCode(exitStatus(for: error))
}

/// Prints `swift-testcache: error: MESSAGE` on stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("swift-testcache: error: \(message)\n".utf8))
}

/// Prints `swift-testcache: warning: MESSAGE` on stderr.
func printWarning(_ message: String) {
    FileHandle.standardError.write(Data("swift-testcache: warning: \(message)\n".utf8))
}
