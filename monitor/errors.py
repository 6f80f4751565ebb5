"""One error tree for the whole library; the CLI turns any of these into one line.

MonitorError
├── ConfigError          bad settings, profile or command arguments
├── SourceError          an input could not be turned into a document
│   ├── FetchError       network, HTTP status, size and scheme problems
│   └── ExtractError     empty, binary or unreadable content
├── NotFoundError        an id, URL or name that is not in the database
├── StorageError         the database cannot be opened or written
└── AlertError           a channel refused or could not be reached
"""


class MonitorError(Exception):
    """Base of every error the library raises on purpose."""


class ConfigError(MonitorError):
    pass


class SourceError(MonitorError):
    pass


class FetchError(SourceError):
    pass


class ExtractError(SourceError):
    pass


class NotFoundError(MonitorError):
    pass


class StorageError(MonitorError):
    pass


class AlertError(MonitorError):
    pass
