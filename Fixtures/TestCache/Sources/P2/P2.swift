import P1

public let y = 1
