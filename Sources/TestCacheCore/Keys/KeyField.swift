import TestCacheStore

/// One named input of a key, typed: what kind of input it is, and which.
///
/// A key is a list of these with their values. The hasher writes each as its ``name``; `explain` keeps
/// them as they are and switches over ``kind``, so nothing is ever parsed back out of a string.
struct KeyField: Hashable, Sendable, Codable {
    /// What kind of input a field is.
    enum Kind: String, Hashable, Sendable, Codable {
        // What the build compiles, and what it read to do so.
        /// A file a target compiles.
        case file
        /// A file of a target's directory that it does not compile: a fixture, a snapshot.
        case dataFile = "data file"
        /// A file of a dependency package (a checkout, an edited or local package).
        case dependencyFile = "dependency file"
        /// A header or module map a compiler's dependency file names.
        case header
        /// A file a build tool plugin's command declares reading.
        case pluginInput = "plugin input"
        /// A file a link command names.
        case linkerInput = "linker input"
        /// A library directory a link command names: its entries.
        case linkerDirectory = "linker directory"
        // What the tests read.
        /// A file a test read.
        case inputFile = "input file"
        /// A directory a test listed: its entries.
        case inputDirectory = "input directory"
        /// A variable a test read.
        case variable
        /// A variable of a read of the whole environment, or one the build always reads.
        case env
        /// A product of the package a test ran or opened.
        case product
        // What the package declares, in `.swift-testcache.json`.
        /// A declared input file.
        case declaredFile = "declared file"
        /// A declared input pattern.
        case declaredInputs = "declared inputs"
        /// A declared variable.
        case declaredVariable = "declared variable"
        /// A declared variable pattern.
        case declaredVariables = "declared variables"
        /// A pattern of variables declared ignored.
        case ignoredVariables = "ignored variables"
        /// A test ID pattern the package's settings quarantine.
        case quarantine = "quarantined tests"
        // The package, the toolchain and the options.
        /// A manifest at the root.
        case manifest
        /// A variable a manifest reads; ``KeyField/reader`` is the manifest.
        case manifestVariable = "manifest variable"
        /// The pins.
        case packageResolved = "Package.resolved"
        /// The package's own test entry point (``TestEntryPoint``): what the test binary runs.
        case testEntryPoint = "test entry point"
        /// What `swift --version` says.
        case toolchain
        /// A runtime library of the toolchain, by build ID.
        case toolchainRuntime = "toolchain runtime"
        /// How the manifests read the environment.
        case environment
        /// A build option; the subject is its spelling (`--configuration`).
        case buildOption = "build option"
        /// A keyed test option; the subject is its spelling (`--filter`).
        case testOption = "test option"
        // Fields that only summarize others or name what is keyed.
        /// The key of a directory's files.
        case tree
        /// The key of a dependency package's files.
        case dependency
        /// Where a target's directory is.
        case directoryOf = "directory of"
        /// The target a key is for.
        case target
        // What was built, in a content ID.
        /// An object of the target's closure, by what its code can reach.
        case object
        /// An object of a dependency package, whole: no longer made (a dependency's objects are graph
        /// members, as `object`), kept so that `explain` still reads the records that name it.
        case externalObject = "external object"
        /// A file of a resource bundle.
        case resource
        /// One test of a per-test key, by ID: what only that test can reach in what was built.
        case test
    }

    var kind: Kind
    /// Which input: a path, a variable's name, an option's spelling; empty for a kind that has one.
    var subject: String = ""
    /// For ``Kind/manifestVariable``, the manifest that reads the variable.
    var reader: String = ""

    /// The field as it is hashed: the kind, the subject, and the reader.
    var name: String {
        var name = kind.rawValue
        if !subject.isEmpty { name += " " + subject }
        if !reader.isEmpty { name += " read by " + reader }
        return name
    }

    /// Whether the value is a variable's, which is kept only as a digest (a variable may hold a token).
    var holdsVariable: Bool {
        switch kind {
        case .variable, .env, .declaredVariable, .manifestVariable: true
        default: false
        }
    }
}

/// Receives each typed field of a key as it is hashed.
typealias FieldRecorder = @Sendable (KeyField, String) -> Void

/// A key made of typed fields: each is hashed by its name and handed, typed, to the recorder (`explain`).
struct FieldHasher {
    private var hasher: KeyHasher
    private let record: FieldRecorder?

    /// Starts a key of the kind `name`, salted with the tool and format versions.
    init(name: String, salt: KeySalt, trace: (@Sendable (String) -> Void)? = nil, record: FieldRecorder? = nil) {
        hasher = KeyHasher(name: name, salt: salt, trace: trace)
        self.record = record
    }

    /// Adds a typed field and its value.
    mutating func update(_ field: KeyField, _ value: String) {
        hasher.update(field: field.name, value)
        record?(field, value)
    }

    /// Adds a string that names no input (a directory a tree key stands for).
    mutating func update(_ string: String) { hasher.update(string) }

    /// Adds another key as one field.
    mutating func update(_ id: ActionID) { hasher.update(id) }

    /// The key.
    func finalize() -> ActionID { hasher.finalize() }
}
