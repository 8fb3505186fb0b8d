"""What serves WebSockets: origins, the consumers' base and the channel layer."""

from .consumers import ClientJsonConsumer

__all__ = ["ClientJsonConsumer"]
