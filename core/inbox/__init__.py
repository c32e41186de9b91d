"""The inbox: every inbound message committed before its platform is acknowledged (`intake`), the rows' lifecycle
(`store`) and their publication on the bus (`relay`)."""
from core.inbox.intake import Committed, GroupCommitIntake, IntakeUnavailable
from core.inbox.relay import InboxRelay
from core.inbox.store import InboxStore, PendingRow

__all__ = ["Committed", "GroupCommitIntake", "InboxRelay", "InboxStore", "IntakeUnavailable", "PendingRow"]
