import TestCacheStore

/// SwiftPM's build systems. Which one builds the tests decides where all that the run reads is.
public enum BuildSystem: String, CaseIterable, Codable, Sendable {
    /// SwiftPM's own, on llbuild: one test binary, `<Package>PackageTests.xctest`, every test target in it.
    case native
    /// Swift Build: per test target a `<Target>-test-runner` executable and the `<Target>.so` it loads,
    /// which holds the target and what it depends on. Go's model: one binary per test target.
    case swiftbuild
}

/// Where a build put what the rest of a run reads: the binary that runs each test target, each module's
/// objects and dependency files, the build manifest, the resource bundles.
///
/// Native: `<scratch>/<configuration>/` holds the products and a `<Module>.build/` directory per module
/// with its objects and `.d` files; the manifest is `<scratch>/<configuration>.yaml`. Swift Build: the
/// products are where `swift build --show-bin-path` says (`<scratch>/out/Products/Debug-linux/`), each
/// module's objects and `.d` files in
/// `<scratch>/out/Intermediates.noindex/<Package>.build/Debug-linux/<Module>.build/Objects-normal/<arch>/`,
/// and the manifest in `Intermediates.noindex/XCBuildData/<hash>.xcbuilddata/manifest.json`.
struct BuildLayout: Sendable {
    let system: BuildSystem
    /// The root package's name.
    let packageName: String
    /// Where the products are.
    let productsDirectory: String
    /// Each built module's directory of objects and dependency files, by module name.
    let moduleDirectories: [String: String]
    /// The build manifest, when there is one.
    let manifest: String?

    /// The native build system's layout after a build at `scratch` in `configuration`.
    static func native(scratch: String, configuration: String, packageName: String) -> BuildLayout {
        let products = scratch + "/" + configuration
        var modules: [String: String] = [:]
        FileSystem.forEachFile(inDirectory: products) { name, status in
            if status.isDirectory, name.hasSuffix(".build") { modules[String(name.dropLast(".build".count))] = products + "/" + name }
            return false
        }
        return BuildLayout(
            system: .native, packageName: packageName, productsDirectory: products, moduleDirectories: modules,
            manifest: scratch + "/" + configuration + ".yaml")
    }

    /// Swift Build's layout, given the products directory SwiftPM reported; every package's modules are
    /// under the intermediates directory beside the products' parent, in a directory named as the
    /// products' (`Debug-linux`).
    static func swiftBuild(productsDirectory: String, packageName: String) -> BuildLayout {
        let products = normalizedPath(productsDirectory)
        let variant = String(products.split(separator: "/").last ?? "")
        let intermediates = parentDirectory(parentDirectory(products)) + "/Intermediates.noindex"
        var modules: [String: String] = [:]
        FileSystem.forEachFile(inDirectory: intermediates) { package, status in
            guard status.isDirectory, package.hasSuffix(".build") else { return false }
            let variantDirectory = intermediates + "/" + package + "/" + variant
            FileSystem.forEachFile(inDirectory: variantDirectory) { name, status in
                guard status.isDirectory, name.hasSuffix(".build") else { return false }
                let objects = variantDirectory + "/" + name + "/Objects-normal"
                // One directory per architecture; a build for this machine has one.
                var architectures: [String] = []
                FileSystem.forEachFile(inDirectory: objects) { arch, status in
                    if status.isDirectory { architectures.append(arch) }
                    return false
                }
                if let arch = architectures.sorted().first {
                    modules[String(name.dropLast(".build".count))] = objects + "/" + arch
                }
                return false
            }
            return false
        }
        // Each build request (a set of options) has its own manifest: the newest is the last build's.
        var manifest: (path: String, modified: Int64)?
        let data = intermediates + "/XCBuildData"
        FileSystem.forEachFile(inDirectory: data) { name, status in
            guard status.isDirectory, name.hasSuffix(".xcbuilddata") else { return false }
            let path = data + "/" + name + "/manifest.json"
            if let file = FileSystem.status(following: path), file.modified > manifest?.modified ?? Int64.min {
                manifest = (path, file.modified)
            }
            return false
        }
        return BuildLayout(
            system: .swiftbuild, packageName: packageName, productsDirectory: products, moduleDirectories: modules,
            manifest: manifest?.path)
    }

    /// The executable that runs a test target's tests.
    func testBinary(for target: PackageTarget) -> String {
        switch system {
        case .native: productsDirectory + "/" + packageName + "PackageTests.xctest"
        case .swiftbuild: productsDirectory + "/" + target.name + "-test-runner"
        }
    }

    /// The linked files whose code a test target runs, by file name in the products directory: what
    /// llvm-cov reads the coverage mapping from, and whose link commands name what the linker read.
    func linkedFiles(for target: PackageTarget) -> [String] {
        switch system {
        case .native: [packageName + "PackageTests.xctest"]
        case .swiftbuild: [target.name + "-test-runner", target.name + ".so"]
        }
    }

    /// Modules the build system generates for a test target whose code runs with it: Swift Build's
    /// runner entry point. (The native build system's generated test list is left out of content IDs:
    /// SwiftPM writes it in a random order.)
    func generatedModules(for target: PackageTarget) -> [String] {
        switch system {
        case .native: []
        case .swiftbuild: [target.name + "-test-runner"]
        }
    }

    /// Whether a module is one the build system generated rather than a target of some package.
    func isGenerated(_ module: String) -> Bool {
        switch system {
        case .native:
            // SwiftPM names them by the package's name made a C identifier: `console-kit`'s test list
            // is `console_kitPackageDiscoveredTests`. Missed, the list (whose order SwiftPM randomises
            // each time it writes it) made every content ID of a package with a `-` in its name change
            // now and then.
            let package = c99Name(packageName)
            return module == package + "PackageDiscoveredTests" || module == package + "PackageTests"
        case .swiftbuild:
            return module.hasSuffix("-test-runner")
        }
    }

    /// A module's objects, by path relative to its directory, sorted: every `.o` under it but the module
    /// wrapped for the debugger (`<Module>.swiftmodule.o` natively; Swift Build puts it under
    /// `Modules/`), which carries no code. Under it, not only in it: SwiftPM compiles
    /// `Sources/CFoo/src/x.c` to `CFoo.build/src/x.c.o`.
    func objectNames(ofModule module: String) -> [String]? {
        files(ofModule: module, endingWith: ".o")?.filter { $0 != "\(module).swiftmodule.o" }
    }

    /// The files under a module's directory whose names end with `suffix`, by path relative to it,
    /// sorted; Swift Build's `Modules/` (the debugger's copy of the module) left out. Nil when the module
    /// has no directory.
    func files(ofModule module: String, endingWith suffix: String) -> [String]? {
        guard let directory = moduleDirectories[module] else { return nil }
        var names: [String] = []
        func walk(_ relative: String) {
            FileSystem.forEachFile(inDirectory: relative.isEmpty ? directory : directory + "/" + relative) { name, status in
                let path = relative.isEmpty ? name : relative + "/" + name
                if status.isDirectory {
                    if !(system == .swiftbuild && path == "Modules") { walk(path) }
                } else if status.isRegular && name.hasSuffix(suffix) {
                    names.append(path)
                }
                return false
            }
        }
        walk("")
        return names.sorted()
    }

    /// A target's resource bundle among the products: natively `<Package>_<Module>.resources`, under
    /// Swift Build `<Package>_<Module>.bundle`.
    func resourceBundle(of target: PackageTarget) -> String {
        productsDirectory + "/" + packageName + "_" + target.moduleName + (system == .native ? ".resources" : ".bundle")
    }
}

/// The directory a path is in.
func parentDirectory(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}
