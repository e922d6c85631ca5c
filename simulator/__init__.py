"""Stand-ins for every piece of kiosk hardware, used by tests, benchmarks and the demo.

Production code never imports this package.
"""
