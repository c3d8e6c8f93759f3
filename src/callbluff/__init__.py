"""callbluff: test whether an adversary is bluffing.

Layers (imports point one way): scenario → game → solve → analysis → present.
"""

__version__ = "0.1.0"
