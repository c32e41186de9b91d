"""Email channel: IMAP intake (IDLE or polling) and SMTP replies with loop protection. See `channel.EmailChannel`."""
from channels.email.channel import EmailChannel

__all__ = ["EmailChannel"]
