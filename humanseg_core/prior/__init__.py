"""Person prior: the OSVOS base (EfficientNet-Lite0) and parent networks. Imports no proposals/osvos/Qt."""
