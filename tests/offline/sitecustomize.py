# Put this folder on PYTHONPATH to run a process (e.g. a notebook kernel) with no network.
import _network_guard  # noqa: F401
