/// The word in capitals, with an exclamation mark.
public func shout(_ word: String) -> String { word.uppercased() + "!" }

/// The number of words in `text`.
public func count(_ text: String) -> Int { text.split(separator: " ").count }

/// Appends `name` to the file `LISTED_LOG` names, when it names one.
public func logRun(_ name: String) {
    guard let path = getenv("LISTED_LOG").map({ String(cString: $0) }), let file = fopen(path, "a") else { return }
    fputs(name + "\n", file)
    fclose(file)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
