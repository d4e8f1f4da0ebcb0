"""Delivery channels. Each module holds one channel class; `registry` maps names to classes.

A channel takes an `Outgoing` (plain data, no ORM) and returns the provider's message id, or
raises `ChannelError` (retryable unless it says otherwise). Adding a channel is one module plus
one entry in settings.NOTIFICATIONS_CHANNELS.
"""
