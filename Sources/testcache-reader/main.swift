// Test support for the read tracer (TestCacheTrace): reads what its arguments name, the ways Swift
// tests read things, so that the tracer's tests can check what it records.
//
//   testcache-reader file PATH         String(contentsOfFile:)
//   testcache-reader data PATH         Data(contentsOf:)
//   testcache-reader manager PATH      FileManager.contents(atPath:)
//   testcache-reader exists PATH       FileManager.fileExists(atPath:)
//   testcache-reader list PATH         FileManager.contentsOfDirectory(atPath:)
//   testcache-reader getenv NAME       getenv
//   testcache-reader environment NAME  ProcessInfo.processInfo.environment
//   testcache-reader write PATH        String.write(toFile:)
//   testcache-reader run PATH ARG...   Process, then waits for it
// Several actions may follow each other; each prints one line saying what it found.
import Foundation

var arguments = CommandLine.arguments.dropFirst()
while let action = arguments.popFirst() {
    guard let operand = arguments.popFirst() else {
        FileHandle.standardError.write(Data("testcache-reader: \(action) needs an operand\n".utf8))
        exit(2)
    }
    switch action {
    case "file":
        print("file", (try? String(contentsOfFile: operand, encoding: .utf8))?.count ?? -1)
    case "data":
        print("data", (try? Data(contentsOf: URL(fileURLWithPath: operand)))?.count ?? -1)
    case "manager":
        print("manager", FileManager.default.contents(atPath: operand)?.count ?? -1)
    case "exists":
        print("exists", FileManager.default.fileExists(atPath: operand))
    case "list":
        print("list", (try? FileManager.default.contentsOfDirectory(atPath: operand))?.count ?? -1)
    case "getenv":
        print("getenv", getenv(operand).map { String(cString: $0) } ?? "unset")
    case "environment":
        print("environment", ProcessInfo.processInfo.environment[operand] ?? "unset")
    case "write":
        print("write", (try? "written\n".write(toFile: operand, atomically: false, encoding: .utf8)) != nil)
    case "run":
        let process = Process()
        process.executableURL = URL(fileURLWithPath: operand)
        process.arguments = Array(arguments)
        arguments = []
        try process.run()
        process.waitUntilExit()
        print("run", process.terminationStatus)
    default:
        FileHandle.standardError.write(Data("testcache-reader: unknown action \(action)\n".utf8))
        exit(2)
    }
}
