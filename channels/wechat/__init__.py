"""WeChat Official Account (微信公众号) channel for customers."""
from channels.wechat.channel import WeChatChannel

__all__ = ["WeChatChannel"]
