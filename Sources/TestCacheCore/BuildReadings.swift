import Synchronization
import Foundation
import TestCacheStore

/// What the build read to make a target's code beyond the directories the action ID hashes: files the
/// compilers read through include paths or unsafe flags, and the declared inputs of build tool plugins'
/// commands. Paths are relative to the package root.
///
/// Files outside the root (the toolchain's and the system's headers) and in the build directory are not
/// listed: the toolchain is in every key, and what the build writes follows from what it read.
package struct BuildInputs: Codable, Equatable, Sendable {
    /// Files the compilers' dependency files name (headers, module maps, included files).
    package var compilerFiles: [String] = []
    /// Files a build tool plugin's command declares as its inputs.
    package var pluginInputs: [String] = []
    /// Targets with a prebuild command: it runs on every build and declares no inputs, so what it reads
    /// is unknown until it has run, and the target is built before its result can be looked up.
    package var prebuildTargets: [String] = []

    package init(compilerFiles: [String] = [], pluginInputs: [String] = [], prebuildTargets: [String] = []) {
        self.compilerFiles = compilerFiles
        self.pluginInputs = pluginInputs
        self.prebuildTargets = prebuildTargets
    }
}

/// Learns, after a successful build, what it read for each target: from the compilers' dependency files
/// (`<Module>.build/*.d`, written by clang and swiftc with `-MD` / `-emit-dependencies`) and from SwiftPM's
/// build manifest (`<scratch>/<configuration>.yaml`), where each build tool plugin command lists its
/// inputs and outputs; the outputs live in `plugins/outputs/<package>/<Target>/destination/<Plugin>/`.
///
/// Read by the native build system's layout; where a file is missing (another build system, say), that
/// part learns nothing, which leaves the keys as they were before this was learned.
struct BuildReadings: Sendable {
    let root: String
    /// `<scratch>/<configuration>`.
    let buildDirectory: String
    let model: PackageModel
    /// Per target name: the root-relative inputs of its plugins' commands.
    private let pluginInputs: [String: Set<String>]
    /// Targets whose plugin outputs include files no command of the manifest makes: a prebuild command's.
    private let prebuildTargets: Set<String>
    /// What each module's dependency files name, by module, filled as targets ask.
    private let memo = Memo()

    private final class Memo: Sendable {
        let files = Mutex<[String: Set<String>]>([:])
    }

    init(root: String, scratch: String, configuration: String, model: PackageModel) {
        self.root = root
        self.buildDirectory = scratch + "/" + configuration
        self.model = model
        let outputsDirectory = scratch + "/plugins/outputs/"
        var inputs: [String: Set<String>] = [:]
        var made: Set<String> = []
        for command in Self.commands(inManifest: scratch + "/" + configuration + ".yaml", outputsContaining: "/plugins/outputs/") {
            for output in command.outputs where output.hasPrefix(outputsDirectory) {
                made.insert(output)
                guard let target = Self.pluginTarget(ofOutput: output, under: outputsDirectory) else { continue }
                inputs[target, default: []].formUnion(command.inputs.compactMap { Self.relative($0, root: root, scratch: scratch) })
            }
        }
        pluginInputs = inputs
        var prebuild: Set<String> = []
        for (target, files) in Self.filesUnder(outputsDirectory) where !files.isSubset(of: made) {
            prebuild.insert(target)
        }
        prebuildTargets = prebuild
    }

    /// What the build read for `target`'s code and for every target of this package it depends on,
    /// beyond their own directories.
    func inputs(for target: PackageTarget) -> BuildInputs {
        let closure = model.closure(of: target)
        let directories = closure.map { $0.path + "/" }
        func outsideTheClosure(_ path: String) -> Bool {
            !directories.contains { path.hasPrefix($0) }
        }
        var compilerFiles: Set<String> = []
        var plugin: Set<String> = []
        var prebuild: [String] = []
        for dependency in closure {
            compilerFiles.formUnion(self.compilerFiles(ofModule: dependency.moduleName).filter(outsideTheClosure))
            plugin.formUnion(pluginInputs[dependency.name, default: []].filter(outsideTheClosure))
            if prebuildTargets.contains(dependency.name) { prebuild.append(dependency.name) }
        }
        return BuildInputs(compilerFiles: compilerFiles.sorted(), pluginInputs: plugin.sorted(), prebuildTargets: prebuild.sorted())
    }

    /// The files inside the root that a module's dependency files name, read once a run: test targets
    /// share their dependencies, and a large module's `.d` files name hundreds of toolchain modules each.
    private func compilerFiles(ofModule module: String) -> Set<String> {
        if let known = memo.files.withLock({ $0[module] }) { return known }
        var files: Set<String> = []
        let directory = "\(buildDirectory)/\(module).build"
        let prefix = Array((root + "/").utf8)
        FileSystem.forEachFile(inDirectory: directory) { name, status in
            if status.isRegular, name.hasSuffix(".d"), let bytes = FileSystem.contents(directory + "/" + name) {
                for path in Self.dependencies(inDependencyFile: bytes) where path.utf8.starts(with: prefix) {
                    if let relative = Self.relative(path, root: root, scratch: nil) { files.insert(relative) }
                }
            }
            return false
        }
        memo.files.withLock { $0[module] = files }
        return files
    }

    /// `path` relative to the root when it is inside it and outside the build directory and SwiftPM's and
    /// git's bookkeeping; nil otherwise.
    static func relative(_ path: String, root: String, scratch: String?) -> String? {
        let normalized = normalizedPath(path)
        guard normalized.hasPrefix(root + "/") else { return nil }
        if let scratch, normalized.hasPrefix(normalizedPath(scratch) + "/") { return nil }
        let relative = String(normalized.dropFirst(root.count + 1))
        guard let first = relative.split(separator: "/").first, !InputHasher.skippedDirectories.contains(String(first)) else {
            return nil
        }
        return relative
    }

    /// The target a plugin output belongs to: `<outputs>/<package>/<Target>/destination/<Plugin>/…`.
    static func pluginTarget(ofOutput path: String, under outputsDirectory: String) -> String? {
        let components = path.dropFirst(outputsDirectory.count).split(separator: "/")
        guard components.count >= 4, components[2] == "destination" else { return nil }
        return String(components[1])
    }

    /// The files under the plugin outputs directory, by the target they were made for.
    static func filesUnder(_ outputsDirectory: String) -> [String: Set<String>] {
        var files: [String: Set<String>] = [:]
        func walk(_ directory: String) {
            FileSystem.forEachFile(inDirectory: directory) { name, status in
                let path = directory + "/" + name
                if status.isDirectory {
                    walk(path)
                } else if let target = pluginTarget(ofOutput: path, under: outputsDirectory) {
                    files[target, default: []].insert(path)
                }
                return false
            }
        }
        walk(String(outputsDirectory.dropLast()))
        return files
    }

    /// The paths a Makefile-style dependency file names (`target: dep dep \\`), escaped spaces kept.
    static func dependencies(inDependencyFile bytes: [UInt8]) -> [String] {
        var paths: [String] = []
        var current: [UInt8] = []
        var escaped = false
        let backslash = UInt8(ascii: "\\"), newline = UInt8(ascii: "\n"), colon = UInt8(ascii: ":")
        func finish() {
            // Rule targets end with a colon, or are followed by one alone; the rest are prerequisites.
            if current == [colon] {
                if !paths.isEmpty { paths.removeLast() }
            } else if !current.isEmpty && current.last != colon {
                paths.append(String(decoding: current, as: UTF8.self))
            }
            current.removeAll(keepingCapacity: true)
        }
        for byte in bytes {
            if escaped {
                escaped = false
                if byte != newline { current.append(byte) }  // a newline escaped is a line continuation
            } else if byte == backslash {
                escaped = true
            } else if byte == UInt8(ascii: " ") || byte == newline || byte == UInt8(ascii: "\t") {
                finish()
            } else {
                current.append(byte)
            }
        }
        finish()
        return paths
    }

    /// One command of SwiftPM's llbuild manifest: what it reads and what it writes.
    struct Command: Equatable {
        var inputs: [String]
        var outputs: [String]
    }

    /// The commands of an llbuild manifest whose outputs include a path containing `outputsContaining`
    /// (all of them for an empty string), with their inputs and outputs; none when it cannot be read.
    ///
    /// The manifest is YAML as SwiftPM writes it: under `commands:`, a quoted name per command at two
    /// spaces, and `inputs: [...]` and `outputs: [...]` as JSON arrays of strings at four. Only the
    /// commands asked for are decoded: a large package's manifest holds thousands of paths.
    static func commands(inManifest path: String, outputsContaining filter: String = "") -> [Command] {
        guard let bytes = FileSystem.contents(path) else { return [] }
        var commands: [Command] = []
        var inCommands = false
        var inputs: Substring = ""
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { continue }  // blank lines part the commands
            if !line.hasPrefix(" ") {
                inCommands = line == "commands:"
                continue
            }
            guard inCommands else { continue }
            if line.hasPrefix("  \"") {
                inputs = ""
            } else if line.hasPrefix("    inputs: ") {
                inputs = line.dropFirst("    inputs: ".count)
            } else if line.hasPrefix("    outputs: "), filter.isEmpty || line.contains(filter) {
                commands.append(Command(inputs: jsonStrings(inputs), outputs: jsonStrings(line.dropFirst("    outputs: ".count))))
            }
        }
        return commands
    }

    private static func jsonStrings(_ text: Substring) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
