"""Web chat channel: the `/chat` page and its `/chat/ws` websocket."""
from channels.webchat.channel import WebChatChannel

__all__ = ["WebChatChannel"]
