"""The fingerprint sensor: the `Sensor` interface and the R307 implementation."""
