print("store-benchmark: not written yet")
