#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AdderChecks

// A runner of the package's own. Like Spectre's, it takes no option it does not know, unless told to be
// lenient.
let lenient = access("lenient", F_OK) == 0
if !lenient, let option = CommandLine.arguments.dropFirst().first {
    print("Unexpected option: \(option)")
    exit(4)
}
let results = adderChecks()
for check in results {
    print("\(check.held ? "pass" : "FAIL"): \(check.name)")
}
let failures = results.filter { !$0.held }.count
print("\(results.count - failures) passes and \(failures) failures")
exit(failures == 0 ? 0 : 1)
