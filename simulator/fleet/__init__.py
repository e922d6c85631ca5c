"""The simulated fleet: an organisation, its designed month, the ground truth, kiosks and the driver.

Nothing in production imports this package; the demo (``hadir-sim demo``), tests and benchmarks do.
"""
