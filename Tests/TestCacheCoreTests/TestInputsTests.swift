import Foundation
import Testing
import TestCacheStore
import _TestSupport
@testable import TestCacheCore

@Suite struct TestInputsTests {
    static let log = Array("""
        r /src/P/Fixtures/expected.json
        r /src/P/Tests/T/../../Fixtures//other.json
        s /src/P/Fixtures/maybe.txt
        d /src/P/Fixtures/set
        x /src/P/scripts/tool.sh
        w /src/P/Fixtures/generated.txt
        r /src/P/Fixtures/generated.txt
        r /src/P/.build/debug/math
        r /src/P/.swiftpm/config
        r /src/P/custom-scratch/debug/thing
        r /opt/swift/usr/lib/swift/linux/libFoundation.so
        r /proc/self/maps
        r /src/Pother/file.txt
        s /src/P
        e HOME
        e API_URL
        e PWD
        e SWIFT_TESTCACHE_TRACE_LOG
        q unknown kind
        r
        e TORN
        """.utf8)

    @Test func theLogIsParsedByKindAndUnknownLinesAreSkipped() {
        let log = TraceLog(parsing: Self.log)
        #expect(log.read.contains("/src/P/Fixtures/expected.json"))
        #expect(log.written == ["/src/P/Fixtures/generated.txt"])
        #expect(log.probed == ["/src/P/Fixtures/maybe.txt", "/src/P"])
        #expect(log.listed == ["/src/P/Fixtures/set"])
        #expect(log.executed == ["/src/P/scripts/tool.sh"])
        #expect(log.variables == ["HOME", "API_URL", "PWD", "SWIFT_TESTCACHE_TRACE_LOG", "TORN"])
        #expect(!log.wholeEnvironment)
        #expect(TraceLog(parsing: Array("E *\n".utf8)).wholeEnvironment)
    }

    @Test func inputsAreWhatTheTestConsultedInsideThePackageButNotWhatItBuiltOrWrote() {
        let inputs = TestInputs(
            log: TraceLog(parsing: Self.log), root: "/src/P", ignoredDirectories: ["custom-scratch"],
            baselineVariables: ["HOME"])
        #expect(inputs.files == ["Fixtures/expected.json", "Fixtures/maybe.txt", "Fixtures/other.json", "scripts/tool.sh"])
        #expect(inputs.directories == ["Fixtures/set"])
        #expect(inputs.variables == ["API_URL", "TORN"])
        #expect(!inputs.wholeEnvironment)
    }

    @Test func productsTheTestRanOrOpenedAreFoundByFileNameUnderTheBuildDirectory() {
        let log = TraceLog(parsing: Array("""
            x /src/P/.build/x86_64-unknown-linux-gnu/debug/math
            r /src/P/.build/debug/libPlugins.so
            s /src/P/.build/debug/PPackageTests.xctest
            r /src/P/.build/debug/Lib.build/output-file-map.json
            r /src/P/Sources/math/math
            w /src/P/.build/debug/made
            r /src/P/.build/debug/made
            r /src/P/.build/debug/P_Data.resources/table.json
            """.utf8))
        let products = [
            PackageProduct(name: "math", targets: ["math"]), PackageProduct(name: "Plugins", targets: ["Plugins"]),
            PackageProduct(name: "made", targets: ["made"]), PackageProduct(name: "unused", targets: ["unused"]),
            PackageProduct(name: "P_Data.resources", targets: ["Data"], fileNames: ["P_Data.resources", "P_Data.bundle"]),
        ]
        let inputs = TestInputs(
            log: log, root: "/src/P", baselineVariables: [], buildDirectory: "/src/P/.build", products: products)
        #expect(inputs.products == ["P_Data.resources", "Plugins", "math"])
        #expect(inputs.files == ["Sources/math/math"], "build output is never a file input")
        let untraced = TestInputs(log: log, root: "/src/P", baselineVariables: [], buildDirectory: nil, products: products)
        #expect(untraced.products.isEmpty)
    }

    @Test func variablesTheSettingsIgnoreAreNotInputs() {
        var settings = TargetSettings()
        settings.ignoredVariables = ["API_*"]
        let inputs = TestInputs(
            log: TraceLog(parsing: Self.log), root: "/src/P", baselineVariables: ["HOME"], ignoresVariable: settings.ignores)
        #expect(inputs.variables == ["TORN"])
    }

    @Test func pathsAreNormalizedWithoutTheFileSystem() {
        #expect(normalizedPath("/a/./b//c/../d") == "/a/b/d")
        #expect(normalizedPath("/../x") == "/x")
        #expect(normalizedPath("/") == "/")
    }
}

/// The second lookup step's key: the current state of a run's inputs.
@Suite struct TestInputsStateTests {
    let directory: TemporaryDirectory
    let inputs = TestInputs(
        files: ["Fixtures/expected.json", "Fixtures/maybe.txt"], directories: ["Fixtures/set"],
        variables: ["API_URL"], wholeEnvironment: false)
    let salt = KeySalt(toolVersion: "test")

    init() throws {
        directory = try TemporaryDirectory()
        try write("Fixtures/expected.json", "{}")
        try write("Fixtures/set/a.txt", "a")
        try write("Fixtures/unrelated.txt", "u")
    }

    func write(_ path: String, _ text: String) throws {
        let url = URL(fileURLWithPath: directory.path + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func key(_ inputs: TestInputs? = nil, environment: [String: String] = ["API_URL": "x"]) -> ActionID {
        // A fresh hasher each time, as each run has: nothing is remembered between calls.
        let hasher = InputHasher(root: directory.path, previous: [:], now: 0)
        return (inputs ?? self.inputs).stateKey(hasher: hasher, environment: environment, salt: salt)
    }

    @Test func everyKindOfInputChangesTheKeyAndNothingElseDoes() throws {
        let before = key()
        #expect(key() == before)
        try write("Fixtures/unrelated.txt", "changed")
        #expect(key() == before, "a file no test read")
        #expect(key(environment: ["API_URL": "x", "OTHER": "1", "PWD": "/"]) == before, "variables no test read")

        try write("Fixtures/expected.json", "{ }")
        let edited = key()
        #expect(edited != before, "a read file's content")
        try write("Fixtures/maybe.txt", "now here")
        let appeared = key()
        #expect(appeared != edited, "a probed file that appeared")
        try write("Fixtures/set/b.txt", "b")
        let listed = key()
        #expect(listed != appeared, "an entry added to a listed directory")
        try write("Fixtures/set/b.txt", "b changed")
        #expect(key() == listed, "a listed directory's entries' contents are not its inputs")
        #expect(key(environment: ["API_URL": "y"]) != listed, "a read variable's value")
        #expect(key(environment: [:]) != listed, "a read variable unset")
        #expect(key(environment: ["API_URL": ""]) != key(environment: [:]), "empty is not unset")
    }

    @Test func readingTheWholeEnvironmentMakesEveryVariableButTheShellsAnInput() {
        var whole = inputs
        whole.wholeEnvironment = true
        let base = ["API_URL": "x", "OTHER": "1", "PWD": "/a", "SHLVL": "1"]
        let before = key(whole, environment: base)
        #expect(key(whole, environment: base.merging(["OTHER": "2"]) { $1 }) != before)
        #expect(key(whole, environment: base.merging(["PWD": "/b", "SHLVL": "2"]) { $1 }) == before)
    }

    /// On CI, what the system sets per run does not count when a test read the environment whole, so
    /// that one run's results serve the next; read by name, it always counts.
    @Test(arguments: [
        (["GITHUB_ACTIONS": "true"], ["GITHUB_SHA": "1", "GITHUB_RUN_ID": "2", "GITHUB_OUTPUT": "/a/set_output_1", "RUNNER_NAME": "r1"],
            ["GITHUB_SHA": "9", "GITHUB_RUN_ID": "8", "GITHUB_OUTPUT": "/a/set_output_2", "RUNNER_NAME": "r2"]),
        (["GITLAB_CI": "true"], ["CI_COMMIT_SHA": "1", "CI_JOB_ID": "2", "CI_PIPELINE_ID": "3"], ["CI_COMMIT_SHA": "9", "CI_JOB_ID": "8", "CI_PIPELINE_ID": "7"]),
        (["BUILDKITE": "true"], ["BUILDKITE_BUILD_ID": "1", "BUILDKITE_COMMIT": "2"], ["BUILDKITE_BUILD_ID": "9", "BUILDKITE_COMMIT": "8"]),
        (["CIRCLECI": "true"], ["CIRCLE_BUILD_NUM": "1", "CIRCLE_SHA1": "2", "CIRCLE_WORKFLOW_ID": "3"], ["CIRCLE_BUILD_NUM": "9", "CIRCLE_SHA1": "8", "CIRCLE_WORKFLOW_ID": "7"]),
        (["JENKINS_URL": "http://ci/"], ["BUILD_NUMBER": "1", "BUILD_TAG": "a-1", "GIT_COMMIT": "2"], ["BUILD_NUMBER": "9", "BUILD_TAG": "a-9", "GIT_COMMIT": "8"]),
        (["TF_BUILD": "True"], ["BUILD_BUILDID": "1", "SYSTEM_JOBID": "2", "AGENT_NAME": "a"], ["BUILD_BUILDID": "9", "SYSTEM_JOBID": "8", "AGENT_NAME": "b"]),
        (["BITRISE_IO": "true"], ["BITRISE_BUILD_NUMBER": "1", "BITRISE_BUILD_SLUG": "s1"], ["BITRISE_BUILD_NUMBER": "9", "BITRISE_BUILD_SLUG": "s9"]),
    ])
    func aCIRunsPerRunVariablesDoNotCountInTheWholeEnvironment(
        _ marker: [String: String], _ first: [String: String], _ second: [String: String]
    ) {
        var whole = inputs
        whole.wholeEnvironment = true
        let base = marker.merging(["API_URL": "x", "CI": "true"]) { $1 }
        #expect(key(whole, environment: base.merging(first) { $1 }) == key(whole, environment: base.merging(second) { $1 }))
        // Not on that CI system, the same variables are ordinary ones.
        let elsewhere = ["API_URL": "x", "CI": "true"]
        #expect(key(whole, environment: elsewhere.merging(first) { $1 }) != key(whole, environment: elsewhere.merging(second) { $1 }))
        // Configuration that can change a test stays: the marker itself.
        #expect(key(whole, environment: base.merging(first) { $1 }) != key(whole, environment: base.merging(first) { $1 }.merging(["CI": "false"]) { $1 }))
        // A variable read by name always counts.
        let name = first.keys.sorted()[0]
        var byName = inputs
        byName.variables.append(name)
        #expect(key(byName, environment: base.merging(first) { $1 }) != key(byName, environment: base.merging(second) { $1 }))
    }
}
