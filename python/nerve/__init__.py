"""nerve: a spiking neural network simulator with Brian2's model language and a Rust engine."""

from nerve import _core

__version__ = "0.1.0"
