"""summitry: forecasts of high-stakes negotiations between states."""

__version__ = "0.1.0"
