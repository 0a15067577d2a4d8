import TestCacheCommands

SwiftTestCache.main()
