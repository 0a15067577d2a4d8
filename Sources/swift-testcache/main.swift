import TestCacheCommands

await SwiftTestCache.main()
