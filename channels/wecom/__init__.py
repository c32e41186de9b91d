"""WeCom (企业微信) app channel for staff: technicians and supervisors."""
from channels.wecom.channel import WeComChannel

__all__ = ["WeComChannel"]
