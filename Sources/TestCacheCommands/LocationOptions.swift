import ArgumentParser
import Foundation
import TestCacheCore
import TestCacheRemote
import TestCacheReports
import TestCacheStore

/// Where the package and its build are, with SwiftPM's names; the scratch path is part of every key.
struct LocationOptionsGroup: ParsableArguments {
    @Option(name: .long, help: "Specify the package path to operate on (default current directory).")
    var packagePath: String?

    @Option(name: .long, help: ArgumentHelp(BuildOption.scratchPath.help))
    var scratchPath: String?
}

/// `path` made absolute against `base`, normalised.
func absolute(_ path: String, from base: String) -> String {
    let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: base).appendingPathComponent(path)
    return url.standardizedFileURL.path
}
