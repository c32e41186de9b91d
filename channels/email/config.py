"""`[email]`: one mailbox read over IMAP and answered over SMTP; the channel is on when both hosts are set."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, kw_only=True)
class EmailConfig:
    imap_host: str = ""
    imap_port: int = 993
    imap_user: str = ""
    imap_password: str = ""
    imap_ssl: bool = True
    imap_folder: str = "INBOX"
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = True
    from_address: str = ""
    poll_interval: timedelta = timedelta(seconds=30)
    """How often to look for mail when the server has no IDLE."""
    attachment_dir: str = "var/attachments"
    max_attachment_bytes: int = 10 * 1024 * 1024
    """Larger attachments are recorded by name, size and hash only."""
    send_limit: int = 10
    send_window: timedelta = timedelta(hours=1)
    """At most `send_limit` mails to one address per `send_window`: a loop with another robot cannot snowball."""

    @property
    def alerts_room(self) -> str:
        """Staff are mailed one by one; there is no shared mailbox for alerts."""
        return ""

    @property
    def enabled(self) -> bool:
        return bool(self.imap_host and self.smtp_host)
