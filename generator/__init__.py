"""policygen: bilingual GDPR privacy policies from one YAML file of facts per company."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("policygen")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
