"""Alerts: events go to an outbox in the transaction that records them; channels deliver.

Channel types (email, webhook) register themselves in `channels` when first needed.
"""
