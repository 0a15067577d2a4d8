#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends `name` to the file `PERTEST_LOG` names, if any: the tests that really ran. Opened for
/// appending, so that tests running in parallel never write over each other's lines.
public func ran(_ name: String) {
    guard let path = getenv("PERTEST_LOG"), let file = fopen(path, "a") else { return }
    fputs(name + "\n", file)
    fclose(file)
}
