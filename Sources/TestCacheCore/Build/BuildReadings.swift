import Synchronization
import Foundation
import TestCacheStore

/// What the build read to make a target's code beyond the directories the action ID hashes: files the
/// compilers read through include paths or unsafe flags, the declared inputs of build tool plugins'
/// commands, and what the linker was pointed at. Paths are relative to the package root.
///
/// Files outside the root (the toolchain's and the system's headers and libraries) and in the build
/// directory are not listed: the toolchain is in every key, and what the build writes follows from what
/// it read.
package struct BuildInputs: Codable, Equatable, Sendable {
    /// Files the compilers' dependency files name (headers, module maps, included files).
    package var compilerFiles: [String] = []
    /// Files a build tool plugin's command declares as its inputs.
    package var pluginInputs: [String] = []
    /// Files and library directories a link command names (`-L vendor/lib`, a linker script, a library
    /// by path). A directory stands for its entries and every file directly in it, since the linker
    /// picks libraries from it by name. No object shows what the linker read, so unlike the rest these
    /// stay in the list kept under a content ID.
    package var linkerInputs: [String] = []
    /// Targets with a prebuild command: it runs on every build and declares no inputs, so what it reads
    /// is unknown until it has run, and the target is built before its result can be looked up.
    package var prebuildTargets: [String] = []

    package init(compilerFiles: [String] = [], pluginInputs: [String] = [], linkerInputs: [String] = [], prebuildTargets: [String] = []) {
        self.compilerFiles = compilerFiles
        self.pluginInputs = pluginInputs
        self.linkerInputs = linkerInputs
        self.prebuildTargets = prebuildTargets
    }

    /// Both lists of each kind together, each sorted and without repeats.
    func merging(_ other: BuildInputs) -> BuildInputs {
        func union(_ a: [String], _ b: [String]) -> [String] { b.isEmpty ? a : Set(a).union(b).sorted() }
        return BuildInputs(
            compilerFiles: union(compilerFiles, other.compilerFiles), pluginInputs: union(pluginInputs, other.pluginInputs),
            linkerInputs: union(linkerInputs, other.linkerInputs), prebuildTargets: union(prebuildTargets, other.prebuildTargets))
    }
}

/// Learns, after a successful build, what it read for each target and each product: from the compilers'
/// dependency files (`<Module>.build/*.d`, written by clang and swiftc with `-MD` / `-emit-dependencies`)
/// and from SwiftPM's build manifest (``BuildManifest``), where each build tool plugin command lists its
/// inputs and outputs (the outputs live in `plugins/outputs/<package>/<Target>/destination/<Plugin>/`)
/// and each link command its arguments.
///
/// Read by the native build system's layout; where a file is missing (another build system, say), that
/// part learns nothing, which leaves the keys as they were before this was learned.
struct BuildReadings: Sendable {
    let root: String
    /// Where the build put the module directories and the manifest.
    let layout: BuildLayout
    let model: PackageModel
    /// Per target name: the root-relative inputs of its plugins' commands.
    private let pluginInputs: [String: Set<String>]
    /// Targets whose plugin outputs include files no command of the manifest makes: a prebuild command's.
    private let prebuildTargets: Set<String>
    /// Per file name of a linked product (`<Package>PackageTests.xctest`, an executable, `lib<Name>.so`):
    /// the root-relative files and directories its link command names.
    private let linkerInputs: [String: Set<String>]
    /// What each module's dependency files name, by module, filled as targets ask.
    private let memo = Memo()
    /// Why what the build read cannot be fully known (its manifest could not be read): no result may
    /// then be stored, since its input list would miss plugin or linker inputs. Nil when it can.
    let incompleteReason: String?

    private final class Memo: Sendable {
        let files = Mutex<[String: Set<String>]>([:])
    }

    init(root: String, scratch: String, layout: BuildLayout, model: PackageModel) {
        self.root = root
        self.layout = layout
        self.model = model
        let manifest = layout.manifest ?? ""
        let outputsDirectory = scratch + "/plugins/outputs/"
        let pluginCommands = BuildManifest.commands(at: manifest, selecting: .outputsContaining("/plugins/outputs/"))
        let linkCommands = BuildManifest.commands(at: manifest, selecting: .links)
        incompleteReason = pluginCommands == nil || linkCommands == nil
            ? "the build manifest \(manifest.isEmpty ? "was not found" : manifest + " could not be read")" : nil
        var inputs: [String: Set<String>] = [:]
        var made: Set<String> = []
        for command in pluginCommands ?? [] {
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
        var linked: [String: Set<String>] = [:]
        for command in linkCommands ?? [] {
            let read = Self.linkerInputs(arguments: command.arguments, root: root, scratch: scratch)
            for output in command.outputs {
                linked[String(output.split(separator: "/").last ?? ""), default: []].formUnion(read)
            }
        }
        linkerInputs = linked
    }

    /// What the build read for test target `target`'s code and for every target of this package it
    /// depends on, beyond their own directories, and what the test binary's link command names.
    func inputs(for target: PackageTarget) -> BuildInputs {
        var inputs = inputs(forClosureOf: [target.name])
        // Swift Build links each library target into an object of its own first (`clang -r`), with its flags.
        let prelinked = layout.system == .swiftbuild ? model.closure(of: target).map { $0.name + ".o" } : []
        inputs.linkerInputs = Set((layout.linkedFiles(for: target) + prelinked).flatMap { linkerInputs[$0, default: []] }).sorted()
        return inputs
    }

    /// What the build read for the products named (those a test ran): their targets' inputs beyond their
    /// directories, and what each product's link command names.
    func inputs(forProducts names: [String]) -> BuildInputs {
        var found = BuildInputs()
        for product in model.products where names.contains(product.name) {
            var read = inputs(forClosureOf: product.targets)
            read.linkerInputs = Set(product.fileNames.flatMap { linkerInputs[$0, default: []] }).sorted()
            found = found.merging(read)
        }
        return found
    }

    private func inputs(forClosureOf names: [String]) -> BuildInputs {
        let closure = model.closure(ofTargetsNamed: names)
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

    /// The files and library directories inside the root, outside the build, that a link command's
    /// arguments name: `-L` directories, linker scripts (`-T`), and libraries or scripts given by path,
    /// also as `-Xlinker` values, `-Wl,` lists and `--option=value`. Relative paths are the package
    /// root's, where SwiftPM runs its commands. Naming a path by accident (a module name that is also a
    /// file's) only adds an input.
    static func linkerInputs(arguments: [String], root: String, scratch: String) -> Set<String> {
        var found: Set<String> = []
        for argument in arguments.dropFirst() {  // the driver itself
            let parts = argument.hasPrefix("-Wl,") ? argument.split(separator: ",").dropFirst().map(String.init) : [argument]
            for part in parts {
                var candidates = [part]
                if part.hasPrefix("-L") || part.hasPrefix("-T") { candidates.append(String(part.dropFirst(2))) }
                if let equals = part.firstIndex(of: "=") { candidates.append(String(part[part.index(after: equals)...])) }
                for candidate in candidates where !candidate.isEmpty && !candidate.hasPrefix("-") && !candidate.hasPrefix("@") {
                    let absolute = normalizedPath(candidate.hasPrefix("/") ? candidate : root + "/" + candidate)
                    guard let relative = absolute == root ? "." : relative(absolute, root: root, scratch: scratch),
                        let status = FileSystem.status(following: absolute), status.isRegular || status.isDirectory
                    else { continue }
                    found.insert(relative)
                }
            }
        }
        return found
    }

    /// The linked products (absolute paths) that the last build at `scratch` made before a file or
    /// directory their link command names last changed. SwiftPM does not relink them (llbuild knows
    /// nothing of what `-L` points at), so a test would run the old code; removing them makes the next
    /// build link them again. Empty before the first build.
    static func staleLinks(root: String, scratch: String, manifest: String?) -> [String] {
        // Unreadable, nothing is known stale; what this build then read is not known either, and no
        // result of it is stored (``incompleteReason``).
        guard let manifest, let links = BuildManifest.commands(at: manifest, selecting: .links) else { return [] }
        var stale: [String] = []
        for command in links {
            let read = linkerInputs(arguments: command.arguments, root: root, scratch: scratch)
            guard !read.isEmpty else { continue }
            var newest: Int64 = 0
            for path in read {
                let absolute = path == "." ? root : root + "/" + path
                guard let status = FileSystem.status(following: absolute) else { continue }
                newest = max(newest, status.changed, status.modified)
                guard status.isDirectory else { continue }
                FileSystem.forEachFile(inDirectory: absolute) { name, entry in
                    // Libraries are often links to versioned files: what counts is the file linked to.
                    let file = entry.isSymbolicLink ? FileSystem.status(following: absolute + "/" + name) : entry
                    if let file, file.isRegular { newest = max(newest, entry.changed, file.changed, file.modified) }
                    return false
                }
            }
            for output in command.outputs {
                if let made = FileSystem.status(following: output), made.modified <= newest { stale.append(output) }
            }
        }
        return stale
    }

    /// The files inside the root that a module's dependency files name, read once a run: test targets
    /// share their dependencies, and a large module's `.d` files name hundreds of toolchain modules each.
    private func compilerFiles(ofModule module: String) -> Set<String> {
        if let known = memo.files.withLock({ $0[module] }) { return known }
        var files: Set<String> = []
        guard let directory = layout.moduleDirectories[module] else { return [] }
        let prefix = Array((root + "/").utf8)
        // Under its directory, not only in it: a C file in a subdirectory of its target has its `.d`
        // file in the same subdirectory of the module's.
        for name in layout.files(ofModule: module, endingWith: ".d") ?? [] {
            guard let bytes = FileSystem.contents(directory + "/" + name) else { continue }
            for path in Self.dependencies(inDependencyFile: bytes) where path.utf8.starts(with: prefix) {
                if let relative = Self.relative(path, root: root, scratch: nil) { files.insert(relative) }
            }
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
}
