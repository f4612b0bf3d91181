"""bnbdoctor: will a bitsandbytes 4-bit/8-bit load work on this machine, and if not, why and what to change."""

__version__ = "0.1.0"
