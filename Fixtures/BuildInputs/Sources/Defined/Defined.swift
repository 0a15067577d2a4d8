#if FEATURE_ON
public let featureOn = true
#else
public let featureOn = false
#endif
