"""Alerts: events go to an outbox in the transaction that records them; channels deliver."""
