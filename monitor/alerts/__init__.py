"""Alerts: events go to an outbox in the transaction that records them; channels deliver.

Importing the package registers the channel types (email, webhook).
"""

from monitor.alerts import email, webhook

__all__ = ["email", "webhook"]
